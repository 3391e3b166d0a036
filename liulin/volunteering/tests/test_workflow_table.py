"""Every action of the service-record table, by every role, from every state: allowed where
the table and the scope say so, refused (and nothing changed) everywhere else."""

import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core import chain, clock
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import GridFactory
from liulin.volunteering.models import RecordEvent, ServiceRecord
from liulin.volunteering.services import records
from liulin.volunteering.workflow import WORKFLOW

from .factories import make_activity, make_world

pytestmark = pytest.mark.django_db
S = ServiceRecord.State
CASES = workflow_cases(WORKFLOW, Role)
SEES = {Role.VOLUNTEER_LEADER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR, Role.RESIDENT}


def record_in(world, state):
    activity = make_activity(world, starts_at=clock.now() - datetime.timedelta(hours=3))
    record = records._new_record(activity, world.volunteers[0], 90, source=ServiceRecord.Source.ATTENDANCE,
                                 recorded_by=activity.organiser)
    record.state = state
    record.save(update_fields=["state"])
    chain.append(RecordEvent, record, actor=None, action="record", data=records._snapshot(record))
    return record


def actor_for(world, role, record):
    if role == Role.RESIDENT:
        return record.volunteer.user
    if role == Role.VOLUNTEER_LEADER:
        return world.leader
    if role in ORG_ROLES:
        return make_user(role, OrganisationFactory(community=world.community))
    if role in GRID_ROLES:
        return make_user(role, GridFactory(community=world.community))
    return make_user(role, world.community)


@pytest.mark.parametrize(("action", "role"), CASES)
def test_every_state(action, role):
    world = make_world(1)
    check_every_state(
        WORKFLOW, action, role, states=S,
        build=lambda state: record_in(world, state),
        actor_for=lambda role, record: actor_for(world, role, record),
        attempt=lambda user, record, action: records.act(actor=user, record=record, action=action, reason="核对签到表",
                                                         minutes=60 if action == "correct" else None),
        state_of=lambda record: ServiceRecord.objects.get(pk=record.pk).state,
        events_of=lambda record: record.events.count(),
        visible=lambda role, state: role in SEES,
    )
