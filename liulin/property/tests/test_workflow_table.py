"""Every action of the survey's table, from every state, by every role: allowed where the table
says, refused (and nothing changed) everywhere else."""

import pytest

from liulin.core.roles import Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.property import services
from liulin.property.models import Survey, SurveyState
from liulin.property.workflow import SURVEY

from .factories import Estate

pytestmark = pytest.mark.django_db

ROLES = [Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.AUDITOR, Role.PROPERTY_STAFF, Role.RESIDENT]


@pytest.mark.parametrize(("action", "role"), workflow_cases(SURVEY, ROLES))
def test_survey_table(action, role):
    def build(state):
        place = Estate()
        survey = place.survey_in(state)
        survey.place = place
        return survey

    check_every_state(
        SURVEY, action, role, states=SurveyState,
        build=build,
        actor_for=lambda role, survey: survey.place.users[role],
        attempt=lambda user, survey, action: services.act(actor=user, survey=survey, action=action),
        state_of=lambda survey: Survey.objects.get(pk=survey.pk).state,
        events_of=lambda survey: survey.events.count(),
        # A resident sees his estate's survey once it is open; a draft is not there for him.
        visible=lambda role, state: not (role == Role.RESIDENT and state == SurveyState.DRAFT),
        done=lambda survey, user, state, target: _stamped(survey, target),
    )


def _stamped(survey, target):
    row = Survey.objects.get(pk=survey.pk)
    stamp = {SurveyState.OPEN: row.opened_at, SurveyState.CLOSED: row.closed_at, SurveyState.PUBLISHED: row.published_at}
    assert stamp[target] is not None


def test_an_unknown_action_is_refused():
    place = Estate()
    survey = place.survey()
    with pytest.raises(services.Invalid):
        services.act(actor=place.staff, survey=survey, action="reopen")
