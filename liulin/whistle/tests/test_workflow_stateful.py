"""Random action sequences by random (permitted or not) actors keep the workflow's invariants:
the event chain verifies; a terminal state is left only by reopening a closed ticket; a
suspended ticket's deadlines never move closer while time passes, and resuming pushes them
by exactly the paused time; no ticket is without a handling unit after dispatch; a refused
action changes nothing."""

import datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from liulin.accounts.tests.factories import make_user
from liulin.core.calendar import local_zone
from liulin.core.errors import DomainError
from liulin.core.roles import Role
from liulin.whistle import sla
from liulin.whistle.events import verify_chain
from liulin.whistle.models import State, Ticket
from liulin.whistle.services import transitions
from liulin.whistle.tasks import check_deadlines
from liulin.whistle.tests.factories import TicketFactory, actor_for, drive, handling_org_for
from liulin.whistle.workflow import TERMINAL_STATES, TRANSITIONS

LOCAL = local_zone()
START = datetime.datetime(2025, 9, 22, 8, 0, tzinfo=LOCAL)
ROLES = [Role.RESIDENT, Role.HOTLINE_OPERATOR, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY,
         Role.PROPERTY_STAFF, Role.DEPARTMENT_OFFICER, Role.COMMITTEE_MEMBER, Role.AUDITOR]
UNIT_OPTIONAL_STATES = {State.SUBMITTED, State.MERGED, State.WITHDRAWN, State.FORWARDED, State.UNRESOLVABLE}


class WorkflowMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.now = START
        self.ticket = TicketFactory()
        self.org = handling_org_for(self.ticket)
        self.actors = {role: actor_for(self.ticket, role, org=self.org) for role in ROLES}
        self.actors["outsider"] = make_user(Role.COMMUNITY_STAFF, TicketFactory().community)
        self.parent = drive(TicketFactory(building=self.ticket.building, category=self.ticket.category),
                            [(Role.COMMUNITY_STAFF, "dispatch")], org=self.org)
        self.events = 0

    def snapshot(self):
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        return ticket, ticket.events.count()

    @rule(action=st.sampled_from(sorted(TRANSITIONS)), who=st.sampled_from([*ROLES, "outsider"]),
          minutes=st.integers(min_value=0, max_value=3 * 24 * 60))
    def act(self, action, who, minutes):
        before, events_before = self.snapshot()
        self.now += datetime.timedelta(minutes=minutes)
        try:
            after = transitions.act(
                actor=self.actors[who], ticket=Ticket.objects.get(pk=before.pk), action=action, reason="随机原因", org=self.org,
                forwarded_to="区城管局", parent=self.parent, now=self.now,
            )
        except DomainError:
            ticket, events_after = self.snapshot()
            assert (ticket.state, events_after, ticket.resolve_due) == (before.state, events_before, before.resolve_due)
            return
        assert after.events.count() == events_before + 1
        if before.state in TERMINAL_STATES:
            assert (before.state, action) == (State.CLOSED, "reopen")
        if action == "resume":
            paused = sla.elapsed(before.suspended_at, self.now, before.policy)
            assert after.resolve_due == sla.shift(before.resolve_due, paused, before.policy)

    @rule(minutes=st.integers(min_value=1, max_value=30 * 24 * 60))
    def time_passes_and_deadlines_are_checked(self, minutes):
        before, _ = self.snapshot()
        self.now += datetime.timedelta(minutes=minutes)
        check_deadlines(Ticket.objects.filter(pk=self.ticket.pk), self.now)
        after, _ = self.snapshot()
        assert after.state == before.state
        if before.state == State.SUSPENDED:
            assert (after.accept_due, after.resolve_due) == (before.accept_due, before.resolve_due)
            assert (after.resolve_overdue, after.tier) == (before.resolve_overdue, before.tier)

    @rule(who=st.sampled_from([Role.COMMUNITY_STAFF, Role.PROPERTY_STAFF, "outsider"]))
    def urge(self, who):
        before, events_before = self.snapshot()
        try:
            transitions.urge(actor=self.actors[who], ticket=Ticket.objects.get(pk=before.pk), reason="催办", now=self.now)
        except DomainError:
            assert self.snapshot()[0].urge_count == before.urge_count
        else:
            assert self.snapshot()[0].urge_count == before.urge_count + 1

    @invariant()
    def chain_verifies(self):
        assert verify_chain(self.ticket) is None

    @invariant()
    def a_unit_holds_every_dispatched_ticket(self):
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        assert ticket.state in UNIT_OPTIONAL_STATES or ticket.handling_org_id is not None


@pytest.mark.django_db
def test_random_action_sequences_keep_the_invariants():
    run_state_machine_as_test(
        WorkflowMachine,
        settings=settings(max_examples=30, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
