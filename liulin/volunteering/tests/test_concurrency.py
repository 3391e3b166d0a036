"""Real concurrent redemptions, sign-ups and replays (threads on SQLite's file and PostgreSQL):
balances and stock never go below zero, the last item and the last place go once."""

import datetime

import pytest

from liulin.core import clock
from liulin.core.errors import Conflict
from liulin.core.testing.concurrency import run_at_once, threads_database
from liulin.volunteering.models import Good, PointsAccount, Posting, Redemption, SignUp
from liulin.volunteering.services import activities, ledger, shop

from .factories import give_points, join, make_activity, make_world, stocked_good

pytestmark = pytest.mark.django_db(transaction=True)


def _read(before, query):
    [value], errors = run_at_once([query], before=before)
    assert errors == []
    return value


def test_fifty_concurrent_redemptions_against_ten_items_worth(tmp_path):
    world = make_world(1)
    volunteer = world.volunteers[0]
    good = stocked_good(world, price=5, stock=30)
    give_points(world, volunteer, 50)  # ten soaps' worth
    use_db = threads_database(tmp_path)

    def redeem(n):
        def call():
            try:
                return shop.redeem(actor=world.staff, volunteer=volunteer, good=good, key=f"counter-{n}").pk
            except Conflict as refused:
                return refused.code
        return call

    results, errors = run_at_once([redeem(n) for n in range(50)], before=use_db)
    assert errors == []
    done = [r for r in results if isinstance(r, int)]
    assert len(done) == 10 and set(results) - set(done) == {"insufficient_points"}
    balance, stock, redemptions = _read(use_db, lambda: (
        PointsAccount.objects.get(volunteer=volunteer).balance, Good.objects.get(pk=good.pk).stock,
        Redemption.objects.count()))
    assert (balance, stock, redemptions) == (0, 20, 10)
    book_ok = _read(use_db, lambda: (ledger.balances_off(ledger.ledger_for(world.community)),
                                     ledger.verify(ledger.ledger_for(world.community))))
    assert book_ok == ([], None)


def test_the_last_item_is_redeemed_once(tmp_path):
    world = make_world(6)
    good = stocked_good(world, price=5, stock=1)
    for volunteer in world.volunteers:
        give_points(world, volunteer, 50)
    use_db = threads_database(tmp_path)

    def redeem(volunteer):
        def call():
            try:
                return shop.redeem(actor=world.staff, volunteer=volunteer, good=good, key=f"last-{volunteer.pk}").pk
            except Conflict as refused:
                return refused.code
        return call

    results, errors = run_at_once([redeem(v) for v in world.volunteers], before=use_db)
    assert errors == []
    assert sum(isinstance(r, int) for r in results) == 1
    assert sorted(r for r in results if not isinstance(r, int)) == ["out_of_stock"] * 5
    assert _read(use_db, lambda: Good.objects.get(pk=good.pk).stock) == 0


def test_a_posting_replayed_at_once_is_made_once(tmp_path):
    world = make_world(1)
    volunteer = world.volunteers[0]
    good = stocked_good(world, price=5, stock=5)
    give_points(world, volunteer, 50)
    use_db = threads_database(tmp_path)
    results, errors = run_at_once(
        [lambda: shop.redeem(actor=world.staff, volunteer=volunteer, good=good, key="double-tap").pk] * 5, before=use_db)
    assert errors == [] and len(set(results)) == 1
    assert _read(use_db, lambda: (Posting.objects.filter(action="redeem").count(),
                                  PointsAccount.objects.get(volunteer=volunteer).balance)) == (1, 45)


def test_the_last_place_on_a_post_goes_once(tmp_path):
    world = make_world(5)
    activity = make_activity(world, capacity=2, starts_at=clock.now() + datetime.timedelta(days=1))
    post = activity.posts.get()
    use_db = threads_database(tmp_path)

    def sign(volunteer):
        def call():
            try:
                return activities.sign_up(actor=volunteer.user, activity=activity, post=post).pk
            except Conflict as refused:
                return refused.code
        return call

    results, errors = run_at_once([sign(v) for v in world.volunteers], before=use_db)
    assert errors == []
    assert sorted(map(str, results)).count("full") == 3
    assert _read(use_db, lambda: SignUp.objects.filter(activity=activity).count()) == 2


__all__ = ["join"]
