"""Walk a state table: every action × state × role, allowed and refused.

An app's table test gives the table (core.workflow.Workflow) and how to make its world:

    CASES = workflow_cases(WORKFLOW, Role)

    @pytest.mark.parametrize(("action", "role"), CASES)
    def test_every_state(action, role):
        check_every_state(WORKFLOW, action, role, states=State,
                          build=lambda state: BookingFactory(state=state),
                          actor_for=lambda role, booking: make_user(role, booking.venue),
                          attempt=lambda user, booking, action: services.act(actor=user, booking=booking, action=action),
                          state_of=lambda booking: Booking.objects.get(pk=booking.pk).state,
                          events_of=lambda booking: booking.events.count())

For each state an object is built in it and the actor of the role tries the action. The
expected outcome comes from the table and the two rules the app passes: `visible(role,
state)` (else NotFound) and `permitted(action, role)` (else NotPermitted; by default the
roles the table names). Then the state must be a source of the action (else
IllegalTransition). A refusal must change neither the state nor the event count; a success
must lead to the table's target (or `target(transition, state)` where the table says None)
and append exactly one event. `done(obj, user, state, target)` checks more on a success.
"""

import pytest

from liulin.core.errors import NotFound, NotPermitted
from liulin.core.workflow import IllegalTransition


def workflow_cases(workflow, roles):
    """[(action, role)] for every action of the table and every role: one test each."""
    return [(action, role) for action in workflow.transitions for role in roles]


def expected_refusal(workflow, action, role, state, *, visible, permitted):
    """The error class the attempt must raise, or None when it must succeed."""
    if not visible(role, state):
        return NotFound
    if not permitted(action, role):
        return NotPermitted
    if state not in workflow.transitions[action].sources:
        return IllegalTransition
    return None


def check_every_state(workflow, action, role, *, states, build, actor_for, attempt, state_of, events_of,
                      visible=None, permitted=None, target=None, done=None):
    """Try `action` as `role` on an object in each of `states`; assert each outcome."""
    visible = visible or (lambda role, state: True)
    permitted = permitted or (lambda action, role: role in workflow.roles_of(action))
    transition = workflow.transitions[action]
    for state in states:
        obj = build(state)
        user = actor_for(role, obj)
        before = events_of(obj)
        refusal = expected_refusal(workflow, action, role, state, visible=visible, permitted=permitted)
        if refusal is not None:
            with pytest.raises(refusal):
                attempt(user, obj, action)
            assert (state_of(obj), events_of(obj)) == (state, before), (action, role, state, "a refusal changed it")
            continue
        attempt(user, obj, action)
        expected = transition.target if transition.target is not None else (target(transition, state) if target else state)
        assert state_of(obj) == expected, (action, role, state)
        assert events_of(obj) == before + 1, (action, role, state, "one event per step")
        if done is not None:
            done(obj, user, state, expected)
