"""Every action of the vote table × every role × every state: allowed where the table says,
refused (404 / 403 / 409) everywhere else, with nothing changed by a refusal."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import GridFactory
from liulin.votes import services
from liulin.votes.models import State, Vote, VoteEvent
from liulin.votes.workflow import WORKFLOW

from .factories import AFTER, CLOSES, OPENS, T0, make_world, vote_in_state

pytestmark = pytest.mark.django_db

VIEWERS = {Role.COMMITTEE_MEMBER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR}
WHEN = {"publish_notice": T0, "open": OPENS, "close": CLOSES, "count": AFTER, "publish_result": AFTER, "cancel": T0}


def actor_for(world, role):
    if role == Role.COMMITTEE_MEMBER:
        return make_user(role, world.committee)
    if role in ORG_ROLES:
        return make_user(role, OrganisationFactory(community=world.estate.community))
    if role in GRID_ROLES:
        return make_user(role, GridFactory(community=world.estate.community))
    if role == Role.RESIDENT:
        return make_user(role, resident=ResidentFactory())
    return make_user(role, world.estate.community)


@pytest.mark.parametrize(("action", "role"), workflow_cases(WORKFLOW, Role))
def test_every_state(action, role):
    world = make_world()
    check_every_state(
        WORKFLOW, action, role, states=State,
        build=lambda state: vote_in_state(world, state),
        actor_for=lambda role, vote: actor_for(world, role),
        attempt=lambda user, vote, action: services.act(actor=user, vote=vote, action=action, reason="理由", now=WHEN[action]),
        state_of=lambda vote: Vote.objects.get(pk=vote.pk).state,
        events_of=lambda vote: VoteEvent.objects.filter(vote=vote).count(),
        visible=lambda role, state: role in VIEWERS,
    )
