"""Deadlines from the policy at each step, the pause while suspended, and urging."""

import datetime

import pytest
import time_machine

from liulin.core.calendar import local_zone
from liulin.core.errors import Conflict, Invalid
from liulin.core.models import CalendarOverride, WorkCalendar
from liulin.core.roles import Role
from liulin.core.tests.factories import WorkCalendarFactory
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.whistle import sla
from liulin.whistle.models import CategoryPolicy, State, Urgency
from liulin.whistle.services import transitions
from liulin.whistle.tests.factories import (
    CategoryFactory,
    SlaPolicyFactory,
    TicketFactory,
    actor_for,
    drive,
    handling_org_for,
    ticket_in_state,
)

pytestmark = pytest.mark.django_db


def at(*args):
    return datetime.datetime(*args, tzinfo=local_zone())


@pytest.fixture(autouse=True)
def calendar():
    """The only default calendar: the statutory days of chinesecalendar (2026: 1–7 October
    off, Saturday 10 October a make-up workday), no overrides yet."""
    WorkCalendar.objects.update(is_default=False)
    return WorkCalendarFactory(is_default=True)


def dispatched_at(moment, **kw):
    with time_machine.travel(moment, tick=False):
        ticket = TicketFactory(**kw)
        return drive(ticket, [(Role.COMMUNITY_STAFF, "dispatch")])


def test_filed_friday_five_pm_must_be_accepted_by_monday_ten():
    ticket = dispatched_at(at(2026, 3, 13, 17, 0))
    assert ticket.accept_due == at(2026, 3, 16, 10, 0)
    # 7 working days: 30 min Friday, then 6 days and 6.5 hours from Monday 08:30.
    assert ticket.resolve_due == at(2026, 3, 24, 17, 0)


def test_the_national_day_week_moves_the_accept_deadline_past_it():
    assert dispatched_at(at(2026, 9, 30, 17, 0)).accept_due == at(2026, 10, 8, 10, 0)


def test_a_make_up_saturday_is_a_working_day():
    assert dispatched_at(at(2026, 10, 9, 17, 0)).accept_due == at(2026, 10, 10, 10, 0)


def test_an_admin_override_on_the_default_calendar_moves_the_deadline(calendar):
    CalendarOverride.objects.create(calendar=calendar, date=datetime.date(2026, 10, 8), is_workday=False, name="社区活动日")
    assert dispatched_at(at(2026, 9, 30, 17, 0)).accept_due == at(2026, 10, 9, 10, 0)


def test_emergency_counts_calendar_time_through_the_night_and_weekend():
    ticket = dispatched_at(at(2025, 9, 27, 23, 50), urgency=Urgency.EMERGENCY)  # a Saturday night
    assert ticket.accept_due == at(2025, 9, 28, 0, 20)
    assert ticket.resolve_due == at(2025, 9, 28, 1, 50)


def test_policy_comes_from_the_category_then_its_ancestors_then_the_urgency_code():
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent, policies=False)
    own = SlaPolicyFactory()
    assert sla.policy_for(child, Urgency.NORMAL) == CategoryPolicy.objects.get(category=parent, urgency=Urgency.NORMAL).policy
    CategoryPolicy.objects.create(category=child, urgency=Urgency.NORMAL, policy=own)
    assert sla.policy_for(child, Urgency.NORMAL) == own
    orphan = CategoryFactory(policies=False)
    assert sla.policy_for(orphan, Urgency.COMPLEX).code == "complex"  # the seeded default row
    with pytest.raises(Invalid) as missing:
        sla.policy_for(orphan, "no-such-urgency")
    assert missing.value.code == "no_policy"


def test_suspension_stops_the_clock_and_resume_pushes_the_deadline_by_the_paused_working_time():
    ticket = dispatched_at(at(2025, 9, 22, 9, 0))  # Monday
    ticket = drive(ticket, [(Role.PROPERTY_STAFF, "accept")], now=at(2025, 9, 22, 9, 30))
    due_before = ticket.resolve_due
    ticket = drive(ticket, [(Role.COMMUNITY_SECRETARY, "suspend")], now=at(2025, 9, 22, 10, 0))
    assert ticket.state == State.SUSPENDED

    # A week passes while suspended: nothing moves closer, nothing is flagged.
    from liulin.whistle.tasks import sweep_deadlines

    sweep_deadlines(at(2025, 10, 20, 9, 0))
    ticket.refresh_from_db()
    assert (ticket.resolve_due, ticket.resolve_overdue) == (due_before, False)

    # Suspended Mon 10:00 → resumed Tue 10:00 = 7 working hours: the deadline moves one working day.
    supervisor = actor_for(ticket, Role.COMMUNITY_SECRETARY)
    ticket = transitions.act(actor=supervisor, ticket=ticket, action="resume", now=at(2025, 9, 23, 10, 0))
    assert ticket.state == State.ACCEPTED
    assert ticket.resolve_due == sla.due(due_before, 7 * 60, ticket.policy)
    assert ticket.suspended_at is None
    resumed = ticket.events.order_by("seq").last()
    assert datetime.datetime.fromisoformat(resumed.data["resolve_due"]) == ticket.resolve_due


def test_calendar_time_policy_resumes_by_the_wall_clock_pause():
    ticket = dispatched_at(at(2025, 9, 27, 20, 0), urgency=Urgency.EMERGENCY)
    ticket = drive(ticket, [(Role.PROPERTY_STAFF, "accept"), (Role.COMMUNITY_SECRETARY, "suspend")], now=at(2025, 9, 27, 20, 10))
    due_before = ticket.resolve_due
    supervisor = actor_for(ticket, Role.COMMUNITY_SECRETARY)
    ticket = transitions.act(actor=supervisor, ticket=ticket, action="resume", now=at(2025, 9, 27, 21, 40))
    assert ticket.resolve_due == due_before + datetime.timedelta(minutes=90)


def test_reassign_and_reopen_restart_the_clocks_from_that_moment():
    ticket = ticket_in_state(State.CLOSED, now=at(2026, 3, 9, 9, 0))
    dispatcher = actor_for(ticket, Role.COMMUNITY_STAFF)
    ticket = transitions.act(actor=dispatcher, ticket=ticket, action="reopen", reason="居民不满意", now=at(2026, 3, 13, 17, 0))
    assert (ticket.state, ticket.reopen_count) == (State.DISPATCHED, 1)
    assert ticket.accept_due == at(2026, 3, 16, 10, 0)
    other = handling_org_for(TicketFactory(building=ticket.building))
    ticket = transitions.act(actor=dispatcher, ticket=ticket, action="reassign", reason="转物业", org=other, now=at(2026, 9, 30, 17, 0))
    assert (ticket.handling_org, ticket.accept_due) == (other, at(2026, 10, 8, 10, 0))


def test_urging_is_recorded_and_counted():
    ticket = ticket_in_state(State.ACCEPTED)
    supervisor = actor_for(ticket, Role.COMMUNITY_STAFF)
    transitions.urge(actor=supervisor, ticket=ticket, reason="居民第二次来电")
    committee = OrganisationFactory(
        kind=Organisation.Kind.OWNERS_COMMITTEE, estate=ticket.building.estate, community=ticket.community
    )
    ticket = transitions.urge(actor=actor_for(ticket, Role.COMMITTEE_MEMBER, org=committee), ticket=ticket, reason="业委会催办")
    assert ticket.urge_count == 2
    urges = list(ticket.events.filter(action="urge").order_by("seq"))
    assert [(e.reason, e.actor_role, e.data["urge_count"]) for e in urges] == [
        ("居民第二次来电", Role.COMMUNITY_STAFF, 1),
        ("业委会催办", Role.COMMITTEE_MEMBER, 2),
    ]
    closed = ticket_in_state(State.CLOSED)
    with pytest.raises(Conflict):
        transitions.urge(actor=actor_for(closed, Role.COMMUNITY_STAFF), ticket=closed, reason="晚了")
    assert closed.events.filter(action="urge").count() == 0
