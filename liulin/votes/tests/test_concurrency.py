"""200 ballots at once for 50 units (four per unit: the owner twice online, two clerks at the
counter) end in exactly one ballot per unit, an intact chain, and a tally equal to its recount.
Real threads, each on its own connection, on SQLite (a file, WAL, IMMEDIATE) and PostgreSQL.
PostgreSQL's connection limit on a shared machine (100) caps one wave at 40 threads: there the
200 attempts run as five waves of 40, each wave four at once on each of its ten units."""

from datetime import timedelta

import pytest
from django.db import connection

from liulin.core import chain
from liulin.core.errors import Conflict
from liulin.core.testing.concurrency import read_in_threads, run_at_once, threads_database
from liulin.votes import services
from liulin.votes import tally as tallying
from liulin.votes.models import Ballot, State, Vote, VoteEvent

from .factories import OPENS, drive, make_world, new_vote

pytestmark = pytest.mark.django_db(transaction=True)


def test_200_concurrent_ballots_for_50_units_leave_one_ballot_per_unit(tmp_path):
    world = make_world([(10000 + i, i) for i in range(50)], clerks=2)
    vote = drive(world, new_vote(world), State.OPEN)
    now = OPENS + timedelta(hours=2)

    def online(owner, choice):
        return lambda: services.cast_online(actor=owner.user, vote=vote, choice=choice, now=now)

    def counter(clerk, owner, choice):
        return lambda: services.cast_counter(actor=clerk, vote=vote, owner=owner, choice=choice, id_checked=True, now=now)

    calls = []
    for owner in world.owners:
        calls += [online(owner, "yes"), online(owner, "no"), counter(world.clerks[0], owner, "abstain"),
                  counter(world.clerks[1], owner, "no")]
    use_database = threads_database(tmp_path)
    wave = len(calls) if connection.vendor == "sqlite" else 40
    errors = []
    for start in range(0, len(calls), wave):
        _, failed = run_at_once(calls[start:start + wave], before=use_database, timeout=120)
        errors += failed
    assert all(isinstance(error, Conflict) for error in errors), errors[:3]

    def outcome():
        fresh = Vote.objects.get(pk=vote.pk)
        ballots = list(Ballot.objects.filter(vote=fresh).values_list("unit_id", "owner_id", "area_cm2", "choice", "channel"))
        return fresh, ballots, chain.verify(VoteEvent, fresh), tallying.strict(fresh)

    fresh, ballots, broken, figures = read_in_threads(outcome, use_database)
    assert len(ballots) == 50 and len({unit for unit, *_ in ballots}) == 50
    assert broken is None
    assert figures == tallying.recount([(o, a, c) for _, o, a, c, _ in ballots], total_area=fresh.total_area_cm2,
                                       total_owners=fresh.total_owners)
    # Online prevails: wherever a counter ballot went in first, an online one replaced it.
    assert {channel for *_, channel in ballots} == {"online"}
