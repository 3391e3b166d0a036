"""The points ledger: balanced postings, replays that create nothing, balances that never go
negative, tamper-evidence, expiry."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liulin.core import chain, clock
from liulin.core.errors import Invalid
from liulin.volunteering.models import Entry, PointsAccount, Posting, RecordEvent
from liulin.volunteering.services import ledger, shop
from liulin.volunteering.services.ledger import InsufficientPoints

from .factories import give_points, make_world, stocked_good

pytestmark = pytest.mark.django_db


def test_every_posting_balances_to_zero():
    world = make_world(1)
    book = ledger.ledger_for(world.community)
    account = ledger.account_of(world.volunteers[0])
    with pytest.raises(Invalid) as refused:
        ledger.post(ledger=book, key="k1", kind="deed", actor=world.staff, entries=[(account, 5)])
    assert refused.value.code == "unbalanced_posting"
    assert not Posting.objects.exists() and PointsAccount.objects.get(pk=account.pk).balance == 0


def test_a_replayed_posting_creates_nothing():
    world = make_world(1)
    first = give_points(world, world.volunteers[0], 20, key="same")
    again = give_points(world, world.volunteers[0], 20, key="same")
    assert first.pk == again.pk
    assert Posting.objects.count() == 1 and Entry.objects.count() == 2
    assert ledger.account_of(world.volunteers[0]).balance == 20


def test_a_debit_beyond_the_balance_is_refused_and_changes_nothing():
    world = make_world(1)
    volunteer = world.volunteers[0]
    give_points(world, volunteer, 9)
    good = stocked_good(world, price=10, stock=3)
    with pytest.raises(InsufficientPoints):
        shop.redeem(actor=world.staff, volunteer=volunteer, good=good, key="r1")
    good.refresh_from_db()
    assert ledger.account_of(volunteer).balance == 9 and good.stock == 3
    assert not Posting.objects.filter(action="redeem").exists()


def test_the_database_refuses_a_negative_volunteer_balance():
    from django.db import IntegrityError, transaction

    world = make_world(1)
    account = ledger.account_of(world.volunteers[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(pk=account.pk).update(balance=-1)


def test_an_edited_entry_fails_verify_at_that_posting():
    world = make_world(1)
    for n in range(3):
        give_points(world, world.volunteers[0], 5 + n)
    book = ledger.ledger_for(world.community)
    assert ledger.verify(book) is None
    second = Posting.objects.get(ledger=book, seq=2)
    entry = second.entries.filter(amount__gt=0).get()
    from django.db import connection  # tampering goes below the model: entries are append-only in code

    with connection.cursor() as cursor:
        cursor.execute("UPDATE volunteering_entry SET amount = 500 WHERE id = %s", [entry.pk])
    broken = ledger.verify(book)
    assert broken is not None and broken.posting.seq == 2 and broken.problem == "entries"


def test_an_edited_posting_fails_the_chain_at_that_row():
    world = make_world(1)
    for n in range(3):
        give_points(world, world.volunteers[0], 5 + n)
    book = ledger.ledger_for(world.community)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE volunteering_posting SET reason = 'x' WHERE ledger_id = %s AND seq = 2", [book.pk])
    broken = ledger.verify(book)
    assert isinstance(broken, chain.BrokenLink) and broken.seq == 2 and broken.problem == "hash"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.sampled_from(["earn", "redeem", "deed"]), st.integers(min_value=1, max_value=40)),
                      min_size=1, max_size=12))
def test_every_balance_equals_the_sum_of_its_entries(moves):
    from django.db import transaction

    with transaction.atomic():
        world = make_world(1)
        volunteer = world.volunteers[0]
        good = stocked_good(world, price=7, stock=5)
        for n, (kind, amount) in enumerate(moves):
            try:
                if kind == "redeem":
                    shop.redeem(actor=world.staff, volunteer=volunteer, good=good, quantity=1 + amount % 2, key=f"m{n}")
                else:
                    give_points(world, volunteer, amount, key=f"m{n}")
            except (InsufficientPoints, ledger.OutOfStock):
                pass
        book = ledger.ledger_for(world.community)
        assert ledger.balances_off(book) == []
        assert ledger.stock_off(world.community) == []
        assert ledger.account_of(volunteer).balance >= 0
        assert sum(Entry.objects.filter(posting__ledger=book).values_list("amount", flat=True)) == 0
        assert ledger.verify(book) is None
        transaction.set_rollback(True)


def test_expiry_takes_the_oldest_unspent_points_and_leaves_hours_alone(time_machine):
    world = make_world(1)
    volunteer = world.volunteers[0]
    start = clock.now()
    time_machine.move_to(start, tick=False)
    give_points(world, volunteer, 30, key="old")
    time_machine.move_to(start + datetime.timedelta(days=400), tick=False)
    give_points(world, volunteer, 20, key="newer")
    good = stocked_good(world, price=10, stock=5)
    shop.redeem(actor=world.staff, volunteer=volunteer, good=good, key="spend")  # uses 10 of the old 30
    records_before = RecordEvent.objects.count()
    book = ledger.ledger_for(world.community)
    later = start + datetime.timedelta(days=3 * 365 + 1)
    assert ledger.expire_points(ledger=book, now=later) == 1
    assert ledger.account_of(volunteer).balance == 20  # 30 old - 10 spent expired; the newer 20 stay
    assert ledger.expire_points(ledger=book, now=later) == 0  # a second run posts nothing
    assert RecordEvent.objects.count() == records_before
    assert ledger.balances_off(book) == [] and ledger.verify(book) is None


def test_published_hash_is_the_chain_end_once_a_day():
    world = make_world(1)
    posting = give_points(world, world.volunteers[0], 5)
    book = ledger.ledger_for(world.community)
    first = ledger.publish_hash(ledger=book, day=clock.today())
    give_points(world, world.volunteers[0], 6)
    again = ledger.publish_hash(ledger=book, day=clock.today())
    assert (first.seq, first.hash) == (posting.seq, posting.hash) and again.pk == first.pk
