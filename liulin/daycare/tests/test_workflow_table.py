"""Every action of both state tables, from every state, by every role: allowed where the
table says, refused (and nothing changed) everywhere else."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.roles import Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.daycare import services
from liulin.daycare.models import Attendance, Enrolment
from liulin.daycare.workflow import ATTENDANCE_WORKFLOW, ENROLMENT_WORKFLOW

from .factories import Station

pytestmark = pytest.mark.django_db

ROLES = [Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR, Role.RESIDENT, Role.GRID_WORKER, Role.VENUE_MANAGER]
# A grid worker holds no day-care permission: the enrolment does not exist for him. A venue
# manager of the community neither.
BLIND = {Role.GRID_WORKER, Role.VENUE_MANAGER}


def _actor(station, role, enrolment):
    if role == Role.RESIDENT:
        return enrolment.daughter.user  # the consented family proxy
    if role == Role.GRID_WORKER:
        return make_user(role, station.grid)
    return make_user(role, station.community)


@pytest.mark.parametrize(("action", "role"), workflow_cases(ENROLMENT_WORKFLOW, ROLES))
def test_enrolment_table(action, role):
    station = Station()
    check_every_state(
        ENROLMENT_WORKFLOW, action, role, states=Enrolment.State,
        build=station.enrolment_in,
        actor_for=lambda role, enrolment: _actor(station, role, enrolment),
        attempt=lambda user, enrolment, action: services.act(actor=user, enrolment=enrolment, action=action, reason="家属申请"),
        state_of=lambda enrolment: Enrolment.objects.get(pk=enrolment.pk).state,
        events_of=lambda enrolment: enrolment.events.count(),
        visible=lambda role, state: role not in BLIND,
    )


@pytest.mark.parametrize(("action", "role"), workflow_cases(ATTENDANCE_WORKFLOW, ROLES))
def test_attendance_table(action, role):
    station = Station()

    def build(state):
        enrolment = station.enrolment_in(Enrolment.State.ACTIVE)
        now = clock.now()
        return Attendance.objects.create(enrolment=enrolment, day=clock.today(), state=state, checked_in_at=now,
                                         checked_in_by=station.carer, method="staff",
                                         checked_out_at=now if state == Attendance.State.LEFT else None)

    check_every_state(
        ATTENDANCE_WORKFLOW, action, role, states=Attendance.State,
        build=build,
        actor_for=lambda role, attendance: _actor(station, role, station_enrolment(attendance)),
        attempt=lambda user, attendance, action: services.check_out(actor=user, attendance=attendance),
        state_of=lambda attendance: Attendance.objects.get(pk=attendance.pk).state,
        events_of=lambda attendance: attendance.enrolment.events.count(),
        visible=lambda role, state: role not in BLIND,
    )


def station_enrolment(attendance):
    enrolment = attendance.enrolment
    from liulin.accounts.models import User
    from liulin.daycare.models import FamilyContact

    enrolment.daughter = type("D", (), {"user": User.objects.get(pk=FamilyContact.objects.get(enrolment=enrolment).user_id)})
    return enrolment


def test_a_waiting_elder_is_not_admitted_without_a_place():
    station = Station(capacity=1)
    station.elder()
    waiting = station.elder()
    assert waiting.state == Enrolment.State.WAITING
    with pytest.raises(services.Conflict):
        services.act(actor=station.manager, enrolment=waiting, action="admit")
    assert Enrolment.objects.get(pk=waiting.pk).state == Enrolment.State.WAITING
