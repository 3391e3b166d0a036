"""The kernel's state tables (core.workflow) and the walk that tests them
(core.testing.workflow), on a small table of their own."""

from dataclasses import dataclass

import pytest

from liulin.core import permissions
from liulin.core.errors import Conflict, DomainError, NotPermitted
from liulin.core.roles import Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.core.workflow import IllegalTransition, SeparatedDuties, Workflow, transition

STATES = ("requested", "confirmed", "cancelled")
ROLES = (Role.RESIDENT, Role.VENUE_MANAGER, Role.TEACHER)
TABLE = Workflow(
    "booking_test",
    [
        transition("confirm", "确认", ["requested"], "confirmed", [Role.VENUE_MANAGER]),
        transition("cancel", "取消", ["requested", "confirmed"], "cancelled", [Role.RESIDENT, Role.VENUE_MANAGER]),
    ],
    state_label={"requested": "待确认", "confirmed": "已确认", "cancelled": "已取消"}.get,
    notes={"comment": [Role.RESIDENT]},
)


@dataclass
class Booking:
    state: str
    events: int = 0


def act(role, booking, action, *, table=TABLE):
    """A service as an app writes it: the role, then the table, then the change and its event."""
    if role not in table.roles_of(action):
        raise NotPermitted("不能。")
    found = table.transition_for(action, booking.state)
    booking.state, booking.events = found.target, booking.events + 1


def walk(action, role, attempt=act):
    check_every_state(
        TABLE, action, role, states=STATES, build=Booking, actor_for=lambda role, booking: role,
        attempt=attempt, state_of=lambda b: b.state, events_of=lambda b: b.events,
    )


def test_an_edge_not_in_the_table_is_a_409_domain_error():
    with pytest.raises(IllegalTransition) as refused:
        TABLE.transition_for("confirm", "cancelled")
    error = refused.value
    assert isinstance(error, Conflict) and isinstance(error, DomainError)
    assert (error.status, error.code) == (409, "illegal_transition")
    assert error.as_dict() == {"detail": "“已取消”状态下不能执行“确认”。", "code": "illegal_transition"}
    with pytest.raises(IllegalTransition):
        TABLE.transition_for("no_such_action", "requested")


def test_available_actions_follow_the_table():
    assert [t.action for t in TABLE.available_actions("requested")] == ["confirm", "cancel"]
    assert [t.action for t in TABLE.available_actions("cancelled")] == []


def test_grants_come_from_the_table():
    assert TABLE.grants() == {
        (Role.VENUE_MANAGER, "booking_test.confirm"),
        (Role.RESIDENT, "booking_test.cancel"),
        (Role.VENUE_MANAGER, "booking_test.cancel"),
        (Role.RESIDENT, "booking_test.comment"),
    }
    TABLE.grant_roles()
    assert permissions.roles_with("booking_test.confirm") == {Role.VENUE_MANAGER}
    assert permissions.roles_with("booking_test.cancel") == {Role.RESIDENT, Role.VENUE_MANAGER}


@pytest.mark.parametrize(("action", "role"), workflow_cases(TABLE, ROLES))
def test_the_walk_passes_a_service_that_follows_the_table(action, role):
    walk(action, role)


def test_the_walk_catches_a_service_that_skips_the_table():
    def lax(role, booking, action):
        booking.state, booking.events = TABLE.transitions[action].target, booking.events + 1

    with pytest.raises(pytest.fail.Exception):
        walk("confirm", Role.VENUE_MANAGER, attempt=lax)  # confirms a cancelled booking


def test_the_walk_catches_a_refusal_that_changed_something():
    def leaky(role, booking, action):
        booking.events += 1  # the event written before the check
        act(role, booking, action)

    with pytest.raises(AssertionError, match="a refusal changed it"):
        walk("cancel", Role.TEACHER, attempt=leaky)


def test_the_walk_catches_a_step_without_its_event():
    def silent(role, booking, action):
        act(role, booking, action)
        booking.events -= 1

    with pytest.raises(AssertionError, match="one event per step"):
        walk("cancel", Role.RESIDENT, attempt=silent)


def test_separated_duties():
    duties = SeparatedDuties({"handle": {"accept", "resolve"}, "verify": {"verify"}}, {"handle": "办理", "verify": "核单"})
    assert duties.of == {"accept": "handle", "resolve": "handle", "verify": "verify"}
    assert duties.conflict("verify", {"handle"}) == "handle"
    assert duties.conflict("resolve", {"handle"}) is None
    assert duties.conflict("comment", {"handle", "verify"}) is None
