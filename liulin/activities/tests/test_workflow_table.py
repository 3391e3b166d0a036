"""Every action of both state tables, from every state, by every role: allowed where the
table says, refused (and nothing changed) everywhere else."""

import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.activities import services
from liulin.activities.models import Activity, Enrolment
from liulin.activities.workflow import ACTIVITY_WORKFLOW, ENROLMENT_WORKFLOW
from liulin.core import clock
from liulin.core.roles import Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.orgs.models import Organisation

from .factories import Town

pytestmark = pytest.mark.django_db

ROLES = [Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.TEACHER, Role.VOLUNTEER_LEADER, Role.AUDITOR,
         Role.RESIDENT, Role.GRID_WORKER]
SEES_ACTIVITIES = {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.TEACHER, Role.VOLUNTEER_LEADER, Role.AUDITOR}


def _actor(town, role, organiser, person=None):
    if role == Role.RESIDENT:
        return person.user if person is not None else town.resident().user
    if role == Role.GRID_WORKER:
        return make_user(role, town.grid)
    if role in (Role.TEACHER, Role.VOLUNTEER_LEADER):
        return make_user(role, organiser)
    return make_user(role, town.community)


@pytest.mark.parametrize(("action", "role"), workflow_cases(ACTIVITY_WORKFLOW, ROLES))
def test_activity_table(action, role):
    town = Town()
    organiser = Organisation.objects.create(name="常青藤舞蹈队", kind="culture_team", community=town.community)

    term = town.term()

    def build(state):
        return town.klass(state=state, organiser=organiser, term=term, title=f"班级{state}")

    check_every_state(
        ACTIVITY_WORKFLOW, action, role, states=Activity.State,
        build=build,
        actor_for=lambda role, activity: _actor(town, role, organiser),
        attempt=lambda user, activity, action: services.act_on_activity(actor=user, activity=activity, action=action, reason="天气原因",
                                                                    public_value="20251208-0312"),
        state_of=lambda activity: Activity.objects.get(pk=activity.pk).state,
        events_of=lambda activity: activity.events.count(),
        visible=lambda role, state: role in SEES_ACTIVITIES,
    )


SEES_ENROLMENTS = SEES_ACTIVITIES | {Role.RESIDENT}


@pytest.mark.parametrize(("action", "role"), workflow_cases(ENROLMENT_WORKFLOW, ROLES))
def test_enrolment_table(action, role):
    town = Town()
    organiser = Organisation.objects.create(name="中南社区老年大学教学点", kind="school", community=town.community)
    event = town.event(capacity=50, organiser=organiser)

    def build(state):
        person = town.resident()
        enrolment = services.enrol(actor=person.user, activity=event, resident=person)
        expires = clock.now() + datetime.timedelta(hours=48) if state == Enrolment.State.OFFERED else None
        # Test set-up only: put the row in the state under test.
        Enrolment.objects.filter(pk=enrolment.pk).update(state=state, offer_expires_at=expires)
        enrolment.refresh_from_db()
        enrolment.person = person
        return enrolment

    check_every_state(
        ENROLMENT_WORKFLOW, action, role, states=Enrolment.State,
        build=build,
        actor_for=lambda role, enrolment: _actor(town, role, organiser, enrolment.person),
        attempt=lambda user, enrolment, action: services.act_on_enrolment(actor=user, enrolment=enrolment, action=action),
        state_of=lambda enrolment: Enrolment.objects.get(pk=enrolment.pk).state,
        events_of=lambda enrolment: enrolment.events.count(),
        visible=lambda role, state: role in SEES_ENROLMENTS,
    )


def test_a_neighbour_cannot_act_on_someone_elses_enrolment():
    town = Town()
    event = town.event()
    person, neighbour = town.resident(), town.resident()
    enrolment = services.enrol(actor=person.user, activity=event, resident=person)
    from liulin.core.errors import NotFound

    with pytest.raises(NotFound):
        services.act_on_enrolment(actor=neighbour.user, enrolment=enrolment, action="cancel")
    assert Enrolment.objects.get(pk=enrolment.pk).state == Enrolment.State.CONFIRMED


def test_cancelling_an_activity_needs_a_reason():
    town = Town()
    event = town.event()
    from liulin.core.errors import Invalid

    with pytest.raises(Invalid):
        services.act_on_activity(actor=town.staff, activity=event, action="cancel_activity", reason=" ")
    assert Activity.objects.get(pk=event.pk).state == Activity.State.OPEN
