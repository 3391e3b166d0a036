"""Real concurrent attempts (threads released together, each on its own connection), on
whichever database the suite runs: 50 residents take one slot at once and exactly one gets
it; a parent and its child booked at once; two renewals of one membership at once."""

import datetime

import pytest

from liulin.core.errors import Conflict
from liulin.core.testing.concurrency import run_at_once, threads_database
from liulin.venues.models import Booking, Membership, Occupancy
from liulin.venues.services import bookings, gym
from liulin.venues.tests.factories import World, at, make_resident

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.date(2026, 12, 9)
NOW = at(DAY, 6, 30)


def _outcome(call):
    def run():
        try:
            call()
            return "booked"
        except Conflict as error:
            return error.code

    return run


def test_fifty_attempts_on_one_slot_give_exactly_one_booking(community, tmp_path):
    world = World(community)
    people = [make_resident(community) for _ in range(50)]
    before = threads_database(tmp_path)
    calls = [
        _outcome(lambda person=person: bookings.book_facility(
            actor=person, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=NOW))
        for person in people
    ]
    results, errors = run_at_once(calls, before=before, timeout=120)
    assert errors == []
    assert results.count("booked") == 1
    assert results.count("slot_taken") == 49
    [(count, held)], errors = run_at_once(
        [lambda: (Booking.objects.count(), Occupancy.objects.filter(resource=world.badminton).count())], before=before
    )
    assert errors == [] and (count, held) == (1, 1)


def test_a_parent_and_its_child_booked_at_once_one_wins(community, tmp_path):
    world = World(community)
    other = make_resident(community)
    before = threads_database(tmp_path)
    calls = [
        _outcome(lambda: bookings.book_facility(actor=world.manager, resource=world.gymnasium, start=at(DAY, 9), end=at(DAY, 11),
                                                purpose="运动会", now=NOW)),
        _outcome(lambda: bookings.book_facility(actor=other, resource=world.badminton, start=at(DAY, 10), end=at(DAY, 11), now=NOW)),
    ] * 5
    results, errors = run_at_once(calls, before=before, timeout=120)
    assert errors == []
    assert results.count("booked") == 1, results
    [overlaps], errors = run_at_once([lambda: Occupancy.objects.filter(resource=world.badminton).count()], before=before)
    assert errors == [] and overlaps == 1


def test_concurrent_joins_of_one_member_never_overlap(community, tmp_path):
    world = World(community)
    before = threads_database(tmp_path)

    def join():
        try:
            gym.join_gym(actor=world.resident, plan=world.plan, now=NOW)
            return "joined"
        except Conflict as error:
            return error.code

    results, errors = run_at_once([join] * 8, before=before, timeout=120)
    assert errors == []
    [periods], errors = run_at_once(
        [lambda: list(Membership.objects.filter(member=world.resident).order_by("starts_on").values_list("starts_on", "ends_on"))],
        before=before,
    )
    assert errors == []
    # Whatever won, the periods follow one another without overlapping.
    assert len(periods) == results.count("joined") >= 1
    for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
        assert end <= start


@pytest.mark.django_db
def test_the_overlap_guards_survive_every_migration():
    """A later migration that rebuilds a table on SQLite (adding a check constraint does) drops
    its triggers silently; the guards must be there after the last one."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'venues_%'")
            found = {row[0] for row in cursor.fetchall()}
        assert found == {
            "venues_occupancy_no_overlap_insert", "venues_occupancy_no_overlap_update",
            "venues_membership_no_overlap_insert", "venues_membership_no_overlap_update",
        }
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'x' AND conname LIKE 'venues_%'")
            found = {row[0] for row in cursor.fetchall()}
        assert found == {"venues_occupancy_no_overlap", "venues_membership_no_overlap"}
