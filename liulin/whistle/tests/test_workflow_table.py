"""Every edge of the state table, allowed and refused, for every role.

One test per (action, role); inside it, the action is tried on a ticket in every state. The
expected outcome comes from the table (workflow.TRANSITIONS), the scope rules and the
separation of duties (the matrix of docs/kpi.md, `duties.may`: an organisation role acts on
its own unit's ticket here, a community or grid role on another unit's): not visible →
NotFound; visible but the role may not take the action → NotPermitted; the state is
not a source → IllegalTransition (409 "illegal_transition"); otherwise exactly one event with
the right from/to/actor_role. The walk itself is the kernel's (core.testing.workflow). A refused attempt changes neither the state nor the event count. An
actor of the same role scoped elsewhere (another community, grid, unit or resident) gets
NotFound on a ticket where the action would be legal.

Tickets are put straight into each state here (the path to a state is exercised by
`ticket_in_state` in the other tests); this keeps 221 × 12 cases fast.
"""

import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import NotFound
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import BuildingFactory
from liulin.whistle.events import verify_chain
from liulin.whistle.models import State, Ticket, TicketEvent
from liulin.whistle.permissions import VIEWERS
from liulin.whistle.services import transitions
from liulin.whistle.tests.duties import may
from liulin.whistle.tests.factories import CategoryFactory, TicketFactory
from liulin.whistle.workflow import TRANSITIONS, WORKFLOW

NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def place(db):
    building = BuildingFactory()
    return {
        "building": building,
        "category": CategoryFactory(),
        "org": OrganisationFactory(community=building.grid.community),
        "elsewhere": BuildingFactory(),
        "requester": make_user(Role.RESIDENT),
    }


def ticket_at(place, state):
    """A ticket put directly into `state`, with what that state implies (a handling unit
    after dispatch, the interrupted state and pause time while suspended)."""
    fields = {"state": state}
    if state != State.SUBMITTED:
        # The unit both handles and verifies here, so every organisation role's edges on its
        # own unit's ticket are reachable (those on another unit's: test_duties_matrix.py).
        fields.update(
            handling_org=place["org"],
            verify_org=place["org"],
            dispatched_at=NOW - datetime.timedelta(hours=1),
            accept_due=NOW + datetime.timedelta(hours=1),
            resolve_due=NOW + datetime.timedelta(days=7),
        )
    if state == State.SUSPENDED:
        fields.update(state_before_suspension=State.IN_PROGRESS, suspended_at=NOW - datetime.timedelta(minutes=30))
    return TicketFactory(building=place["building"], category=place["category"], requester_user=place["requester"], **fields)


def actor(role, ticket, place, *, in_scope=True):
    if role == Role.RESIDENT:
        return ticket.requester_user if in_scope else make_user(Role.RESIDENT)
    building = place["building"] if in_scope else place["elsewhere"]
    if role in GRID_ROLES:
        return make_user(role, building.grid)
    if role in ORG_ROLES:
        return make_user(role, place["org"] if in_scope else OrganisationFactory(community=building.grid.community))
    return make_user(role, building.grid.community)


def visible(role, state):
    if role not in VIEWERS:
        return False
    if role in ORG_ROLES:
        return state != State.SUBMITTED  # org roles see what their unit handles
    return True


def extras(action, ticket, place):
    if action in ("dispatch", "reassign"):
        return {"org": place["org"]}
    if action == "forward":
        return {"forwarded_to": "区住建局"}
    if action == "merge":
        return {"parent": ticket_at(place, State.DISPATCHED)}
    return {}


def expected_target(transition, state):
    return State.IN_PROGRESS if transition.action == "resume" else state


def attempt(user, ticket, action, place):
    return transitions.act(actor=user, ticket=ticket, action=action, reason="测试原因", now=NOW, **extras(action, ticket, place))


def assert_unchanged(ticket, state):
    ticket.refresh_from_db()
    assert ticket.state == state
    assert TicketEvent.objects.filter(ticket=ticket).count() == 0


CASES = workflow_cases(WORKFLOW, Role)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role"), CASES, ids=[f"{a}-{r}" for a, r in CASES])
def test_every_state_for_action_and_role(place, action, role):
    transition = TRANSITIONS[action]
    source = sorted(transition.sources)[0]
    outsider_ticket = ticket_at(place, source)
    with pytest.raises(NotFound):
        attempt(actor(role, outsider_ticket, place, in_scope=False), outsider_ticket, action, place)
    assert_unchanged(outsider_ticket, source)

    user = actor(role, outsider_ticket, place)

    def done(ticket, user, state, target):
        (event,) = TicketEvent.objects.filter(ticket=ticket)
        assert (event.action, event.from_state, event.to_state, event.actor_role) == (action, state, target, role)
        assert event.actor == user
        assert verify_chain(ticket) is None

    check_every_state(
        WORKFLOW, action, role,
        states=State,
        build=lambda state: ticket_at(place, state),
        actor_for=lambda role, ticket: user,
        attempt=lambda user, ticket, action: attempt(user, ticket, action, place),
        state_of=lambda ticket: Ticket.objects.get(pk=ticket.pk).state,
        events_of=lambda ticket: TicketEvent.objects.filter(ticket=ticket).count(),
        visible=visible,
        permitted=lambda action, role: may(action, role, "own" if role in ORG_ROLES else "other"),
        target=expected_target,
        done=done,
    )


def test_the_table_is_covered_by_some_role_for_every_edge():
    """Every (action, source state) edge has at least one role that may take it, so the
    matrix above exercises a success on every edge."""
    for action, transition in TRANSITIONS.items():
        assert transition.roles, action
        assert transition.sources, action
        assert any(role in VIEWERS for role in transition.roles), action
