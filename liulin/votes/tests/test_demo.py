"""The demo register and votes: figures from rows, chains intact, the record re-adds, and a
second seed changes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liulin.core import chain
from liulin.demo.tests.fixtures import demo  # noqa: F401
from liulin.notices.models import Notice
from liulin.votes import demo_seed, publication
from liulin.votes import tally as tallying
from liulin.votes.models import Ballot, Owner, State, Unit, Vote, VoteEvent

pytestmark = pytest.mark.django_db


def test_register_follows_the_headcount_rules(demo):  # noqa: F811
    estate = Vote.objects.get(title=demo_seed.FINISHED).estate
    units = Unit.objects.filter(estate=estate)
    developer = Owner.objects.get(estate=estate, kind=Owner.Kind.DEVELOPER)
    assert developer.units.count() == demo_seed.UNSOLD
    assert Owner.objects.filter(estate=estate, units__isnull=False).distinct().count() < units.count()
    assert Owner.objects.filter(estate=estate, user__mobile="19900000014").exists()


def test_finished_and_open_votes_are_consistent(demo):  # noqa: F811
    finished = Vote.objects.get(title=demo_seed.FINISHED)
    assert finished.state == State.PUBLISHED
    assert publication.verify_document(publication.export(finished))[0] == []
    figures = tallying.strict(finished)
    assert (figures.voted_area, figures.yes_owners) == (finished.voted_area_cm2, finished.yes_owners)
    assert finished.passed is True
    opened = Vote.objects.get(title=demo_seed.OPEN)
    assert opened.state == State.OPEN
    assert chain.verify(VoteEvent, opened) is None
    assert not Ballot.objects.filter(vote=opened, owner__user__mobile__in=["19900000014", "19900000015"]).exists()
    # each was announced in the 公示栏 before it opened, under the owners_meeting kind
    for vote in (finished, opened):
        notice = Notice.objects.get(pk=vote.announcement_id)
        assert (notice.origin, notice.kind.code, notice.published_at, notice.is_demo) == (
            "votes.announcement", "owners_meeting", vote.noticed_at, True)


def test_seeding_again_writes_nothing(demo):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        demo_seed.seed(demo)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
