"""What each action requires, what it sets, and how merged duplicates follow their parent."""

import pytest
from django.db import IntegrityError, transaction

from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.roles import Role
from liulin.whistle.models import State, Ticket, Tier
from liulin.whistle.services import transitions
from liulin.whistle.tests.factories import TicketFactory, actor_for, handling_org_for, ticket_in_state

pytestmark = pytest.mark.django_db


def event_count(ticket):
    return ticket.events.count()


@pytest.mark.parametrize(
    ("state", "role", "action", "kwargs", "code"),
    [
        (State.DISPATCHED, Role.PROPERTY_STAFF, "return", {"reason": "  "}, "reason_required"),
        (State.IN_PROGRESS, Role.PROPERTY_STAFF, "resolve", {}, "reason_required"),
        (State.SUBMITTED, Role.COMMUNITY_STAFF, "dispatch", {}, "org_required"),
        (State.SUBMITTED, Role.COMMUNITY_STAFF, "forward", {"reason": "非本社区"}, "forwarded_to_required"),
        (State.SUBMITTED, Role.COMMUNITY_STAFF, "merge", {}, "parent_required"),
        (State.SUBMITTED, Role.COMMUNITY_STAFF, "teleport", {}, "unknown_action"),
    ],
)
def test_incomplete_input_is_refused_and_changes_nothing(state, role, action, kwargs, code):
    ticket = ticket_in_state(state)
    before = event_count(ticket)
    with pytest.raises(Invalid) as refused:
        transitions.act(actor=actor_for(ticket, role), ticket=ticket, action=action, **kwargs)
    assert refused.value.code == code
    ticket.refresh_from_db()
    assert (ticket.state, event_count(ticket)) == (state, before)


def test_merge_refuses_itself_a_closed_parent_and_another_community():
    ticket = ticket_in_state(State.SUBMITTED)
    dispatcher = actor_for(ticket, Role.COMMUNITY_STAFF)
    closed = ticket_in_state(State.CLOSED, building=ticket.building, category=ticket.category)
    for parent in (ticket, closed):
        with pytest.raises(Invalid):
            transitions.act(actor=dispatcher, ticket=ticket, action="merge", parent=parent)
    foreign = TicketFactory()
    with pytest.raises(NotFound):
        transitions.act(actor=dispatcher, ticket=ticket, action="merge", parent=foreign)
    ticket.refresh_from_db()
    assert (ticket.state, ticket.parent) == (State.SUBMITTED, None)


def test_merged_children_stay_merged_but_record_the_parents_progress():
    parent = ticket_in_state(State.IN_PROGRESS)
    child = TicketFactory(building=parent.building, category=parent.category)
    dispatcher = actor_for(child, Role.COMMUNITY_STAFF)
    child = transitions.act(actor=dispatcher, ticket=child, action="merge", parent=parent)
    assert (child.state, child.parent) == (State.MERGED, parent)

    handler = actor_for(parent, Role.PROPERTY_STAFF)
    transitions.act(actor=handler, ticket=parent, action="resolve", reason="电梯已修好")
    child.refresh_from_db()
    assert child.state == State.MERGED
    follow = child.events.get(action="parent_resolve")
    assert (follow.from_state, follow.to_state, follow.data["parent_state"]) == (State.MERGED, State.MERGED, State.RESOLVED)


def test_timestamps_counts_and_the_suspension_round_trip():
    ticket = ticket_in_state(State.IN_PROGRESS)
    assert ticket.dispatched_at and ticket.accepted_at and ticket.handling_org
    handler = actor_for(ticket, Role.PROPERTY_STAFF)
    ticket = transitions.act(actor=handler, ticket=ticket, action="request_suspension", reason="等配件")
    assert (ticket.state, ticket.suspension_requested) == (State.IN_PROGRESS, True)
    with pytest.raises(Conflict):
        transitions.act(actor=handler, ticket=ticket, action="request_suspension", reason="再申请")
    with pytest.raises(NotPermitted):
        transitions.act(actor=handler, ticket=ticket, action="suspend", reason="自己批")
    supervisor = actor_for(ticket, Role.COMMUNITY_SECRETARY)
    ticket = transitions.act(actor=supervisor, ticket=ticket, action="suspend", reason="同意")
    assert (ticket.state, ticket.state_before_suspension, ticket.suspension_requested) == (State.SUSPENDED, State.IN_PROGRESS, False)
    ticket = transitions.act(actor=handler, ticket=ticket, action="resume")
    assert (ticket.state, ticket.state_before_suspension) == (State.IN_PROGRESS, "")


def test_callback_closes_and_keeps_the_verdict_in_the_event():
    ticket = ticket_in_state(State.VERIFIED)
    resident = actor_for(ticket, Role.RESIDENT)
    ticket = transitions.act(actor=resident, ticket=ticket, action="callback", data={"solved": True, "satisfaction": "satisfied"})
    assert ticket.state == State.CLOSED and ticket.closed_at
    assert ticket.events.get(action="callback").data == {"solved": True, "satisfaction": "satisfied"}


def test_manual_escalation_needs_a_supervisor_and_stops_at_the_whistle_tier():
    ticket = ticket_in_state(State.ACCEPTED)
    with pytest.raises(NotPermitted):
        transitions.escalate(actor=actor_for(ticket, Role.PROPERTY_STAFF), ticket=ticket, reason="自己升级")
    supervisor = actor_for(ticket, Role.COMMUNITY_SECRETARY)
    with pytest.raises(Invalid):
        transitions.escalate(actor=supervisor, ticket=ticket, reason="")
    ticket = transitions.escalate(actor=supervisor, ticket=ticket, reason="涉及多个部门")
    ticket = transitions.escalate(actor=supervisor, ticket=ticket, reason="需要吹哨")
    assert ticket.tier == Tier.WHISTLE
    with pytest.raises(Conflict) as top:
        transitions.escalate(actor=supervisor, ticket=ticket, reason="再升")
    assert top.value.code == "max_tier"
    assert [e.data["to_tier"] for e in ticket.events.filter(action="escalate").order_by("seq")] == [2, 3]


def test_automatic_escalation_has_no_actor():
    ticket = ticket_in_state(State.ACCEPTED)
    ticket = transitions.escalate(actor=None, ticket=ticket, reason="", automatic=True)
    event = ticket.events.get(action="escalate")
    assert (event.actor, event.data["automatic"], ticket.tier) == (None, True, Tier.COMMUNITY)


def test_comments_and_internal_notes():
    ticket = ticket_in_state(State.ACCEPTED)
    resident = actor_for(ticket, Role.RESIDENT)
    transitions.comment(actor=resident, ticket=ticket, body="晚上八点后在家")
    with pytest.raises(NotPermitted):
        transitions.comment(actor=resident, ticket=ticket, body="内部", internal=True)
    handler = actor_for(ticket, Role.PROPERTY_STAFF)
    transitions.comment(actor=handler, ticket=ticket, body="需更换主板", internal=True)
    with pytest.raises(Invalid):
        transitions.comment(actor=handler, ticket=ticket, body=" ")
    notes = list(ticket.events.filter(action__in=["comment", "internal_note"]).order_by("seq").values_list("action", "internal"))
    assert notes == [("comment", False), ("internal_note", True)]


def test_the_database_refuses_a_dispatched_ticket_without_a_handling_unit():
    ticket = ticket_in_state(State.SUBMITTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(state=State.DISPATCHED)


def test_return_sends_the_ticket_back_to_the_dispatcher_without_a_unit():
    ticket = ticket_in_state(State.DISPATCHED)
    ticket = transitions.act(actor=actor_for(ticket, Role.PROPERTY_STAFF), ticket=ticket, action="return", reason="不是物业范围")
    assert (ticket.state, ticket.handling_org, ticket.accept_due) == (State.SUBMITTED, None, None)
    redo = transitions.act(actor=actor_for(ticket, Role.COMMUNITY_STAFF), ticket=ticket, action="dispatch", org=handling_org_for(ticket))
    assert redo.state == State.DISPATCHED and redo.accept_due
