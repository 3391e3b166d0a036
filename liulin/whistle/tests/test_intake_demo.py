import datetime
from zoneinfo import ZoneInfo

import pytest

from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import HouseholdFactory
from liulin.whistle import events
from liulin.whistle.demo import seed_demo_tickets
from liulin.whistle.models import State, Summons, Ticket

from .intake_fixtures import make_town

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 6, 15, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_tickets_cover_every_state_and_are_marked_demo():
    town = make_town()
    for building in (town.b1, town.b2, town.b3):
        for room in ("101", "202"):
            ResidentFactory(household=HouseholdFactory(building=building, room=room))
    made = seed_demo_tickets(town.community, count=120, now=NOW)
    assert made >= 110
    tickets = Ticket.objects.filter(community=town.community)
    assert tickets.filter(is_demo=False).count() == 0
    assert set(tickets.values_list("state", flat=True)) >= {
        State.SUBMITTED, State.DISPATCHED, State.IN_PROGRESS, State.VERIFIED, State.CLOSED,
        State.FORWARDED, State.MERGED, State.WITHDRAWN, State.UNRESOLVABLE,
    }
    assert tickets.filter(reopen_count__gt=0).exists()
    assert tickets.filter(satisfaction="not_rated").exists()
    assert Summons.objects.filter(late=True).exists() and Summons.objects.filter(late=False).exists()
    assert tickets.filter(created_at__gt=NOW).count() == 0
    assert all(events.verify_chain(t) is None for t in tickets[:40])
    assert seed_demo_tickets(town.community, count=10, now=NOW) == 0  # re-running adds nothing
