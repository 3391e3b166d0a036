"""Every edge of the notice table for every role: allowed where the table says, refused (404
unseen, 403 not permitted, 409 wrong state) everywhere else, and a refusal changes nothing."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.notices import services
from liulin.notices.models import Notice, State
from liulin.notices.selectors import VISIBLE_TO_RESIDENTS
from liulin.notices.workflow import NOTICE
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory

from .factories import after_period, notice_in_state, resident_user


def actor_for(world, role):
    role = Role(role)
    if role == Role.RESIDENT:
        return resident_user(world.building)
    if role in GRID_ROLES:
        return make_user(role, world.building.grid)
    if role in ORG_ROLES:
        return make_user(role, OrganisationFactory(community=world.community, kind=Organisation.Kind.PROPERTY_COMPANY))
    return make_user(role, world.community)


def visible(role, state):
    return role in NOTICE.roles_of("view") or (role == Role.RESIDENT and state in VISIBLE_TO_RESIDENTS)


def permitted(action, role):
    return role in NOTICE.roles_of(action)


@pytest.mark.parametrize(("action", "role"), workflow_cases(NOTICE, Role))
def test_notice_table(world, action, role):
    check_every_state(
        NOTICE, action, role, states=State, visible=visible, permitted=permitted,
        build=lambda state: notice_in_state(world, state),
        actor_for=lambda role, notice: actor_for(world, role),
        attempt=lambda user, notice, action: services.act(actor=user, notice=notice, action=action, reason="测试",
                                                          now=after_period(notice)),
        state_of=lambda notice: Notice.objects.get(pk=notice.pk).state,
        events_of=lambda notice: notice.events.count(),
    )
