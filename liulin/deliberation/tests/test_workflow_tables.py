"""Every edge of the meeting, minutes and action-item tables, for every role: allowed where
the table says, refused (404 unseen, 403 not permitted, 409 wrong state) everywhere else,
and a refusal changes nothing."""

import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.deliberation import services
from liulin.deliberation.models import ActionItem, ItemState, Meeting, MinutesState, State
from liulin.deliberation.workflow import ITEM, MEETING, MINUTES
from liulin.whistle.tests.factories import CategoryFactory

from .factories import meeting_in_state, resident_user


def actor_for(world, role):
    role = Role(role)
    if role == Role.RESIDENT:
        return resident_user(world.building)
    if role in GRID_ROLES:
        return make_user(role, world.building.grid)
    if role in ORG_ROLES:
        return make_user(role, world.property_org)  # the invited party
    return make_user(role, world.community)


def visible(role, state):
    return role in MEETING.roles_of("view") or role == Role.RESIDENT


@pytest.mark.parametrize(("action", "role"), workflow_cases(MEETING, Role))
def test_meeting_table(world, action, role):
    check_every_state(
        MEETING, action, role, states=State, visible=visible,
        build=lambda state: meeting_in_state(world, state),
        actor_for=lambda role, meeting: actor_for(world, role),
        attempt=lambda user, meeting, action: services.act(actor=user, meeting=meeting, action=action, reason="测试"),
        state_of=lambda meeting: Meeting.objects.get(pk=meeting.pk).state,
        events_of=lambda meeting: meeting.events.count(),
    )


def minutes_in_state(world, state):
    meeting = meeting_in_state(world, State.HELD)
    services.write_minutes(actor=world.staff, meeting=meeting, text="议定修灯。")
    if state in (MinutesState.AMENDING, MinutesState.FINAL):
        services.act_on_minutes(actor=world.staff, meeting=meeting, action="open_amendments")
    if state == MinutesState.FINAL:
        services.act_on_minutes(actor=world.staff, meeting=meeting, action="finalise")
    return meeting


@pytest.mark.parametrize(("action", "role"), workflow_cases(MINUTES, Role))
def test_minutes_table(world, action, role):
    check_every_state(
        MINUTES, action, role, states=MinutesState, visible=visible,
        build=lambda state: minutes_in_state(world, state),
        actor_for=lambda role, meeting: actor_for(world, role),
        attempt=lambda user, meeting, action: services.act_on_minutes(actor=user, meeting=meeting, action=action),
        state_of=lambda meeting: Meeting.objects.get(pk=meeting.pk).minutes_state,
        events_of=lambda meeting: meeting.events.count(),
    )


def test_minutes_wait_for_the_meeting(world):
    from liulin.core.errors import Conflict

    meeting = meeting_in_state(world, State.IN_SESSION)
    services.write_minutes(actor=world.staff, meeting=meeting, text="草稿")
    with pytest.raises(Conflict) as e:
        services.act_on_minutes(actor=world.staff, meeting=meeting, action="open_amendments")
    assert e.value.code == "not_held"


def item_in_state(world, state, category):
    meeting = meeting_in_state(world, State.IN_SESSION)
    services.sign_in(actor=resident_user(world.building), meeting=meeting, token=meeting.sign_in_token)
    today = clock.today()
    decision = services.record_decision(actor=world.staff, meeting=meeting, text="修灯", item={
        "title": "修灯", "owner": world.staff, "due_date": today + datetime.timedelta(days=5), "acceptance": "灯亮",
        "review_date": today + datetime.timedelta(days=2), "building": world.building})
    item = decision.action_items.get()
    step = {ItemState.ORDERED: "file_order", ItemState.DONE: "complete", ItemState.DROPPED: "drop"}.get(state)
    if step:
        services.act_on_item(actor=world.staff, item=item, action=step, category=category, result="已修好", reason="不再需要")
    return ActionItem.objects.get(pk=item.pk)


PERSON_ACTIONS = [t.action for t in ITEM.transitions.values() if t.roles]


@pytest.mark.parametrize(("action", "role"), [(a, r) for a in PERSON_ACTIONS for r in Role])
def test_action_item_table(world, action, role):
    category = CategoryFactory().code
    check_every_state(
        ITEM, action, role, states=ItemState, visible=visible,
        build=lambda state: item_in_state(world, state, category),
        actor_for=lambda role, item: actor_for(world, role),
        attempt=lambda user, item, action: services.act_on_item(actor=user, item=item, action=action, category=category,
                                                                result="已修好", reason="测试"),
        state_of=lambda item: ActionItem.objects.get(pk=item.pk).state,
        events_of=lambda item: item.meeting.events.count(),
    )


@pytest.mark.parametrize("action", [t.action for t in ITEM.transitions.values() if not t.roles])
def test_reported_steps_are_taken_by_no_person(world, action):
    from liulin.core.errors import Invalid

    item = item_in_state(world, ItemState.OPEN, None)
    with pytest.raises(Invalid):
        services.act_on_item(actor=world.staff, item=item, action=action)
