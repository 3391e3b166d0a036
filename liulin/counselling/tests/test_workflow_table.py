"""Every action of both state tables, from every state, by every role: allowed where the
table says (the client on his own appointment, the counsellor on his slot's), refused with
nothing changed everywhere else. Other roles of the same community do not see an
appointment at all (404), the community's staff and auditors included."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.models import AuditLog
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.counselling import services
from liulin.counselling.models import Appointment, Slot
from liulin.counselling.workflow import APPOINTMENT_WORKFLOW, SLOT_WORKFLOW
from liulin.orgs.tests.factories import OrganisationFactory

from .factories import Practice

pytestmark = pytest.mark.django_db

ROLES = list(Role)
SEES = {Role.RESIDENT, Role.COUNSELLOR}


def _actor(practice, role):
    if role == Role.RESIDENT:
        return practice.client
    if role == Role.COUNSELLOR:
        return practice.counsellor
    if role in GRID_ROLES:
        return make_user(role, practice.grid)
    if role in ORG_ROLES:
        return make_user(role, OrganisationFactory(community=practice.community))
    return make_user(role, practice.community)


@pytest.mark.parametrize(("action", "role"), workflow_cases(APPOINTMENT_WORKFLOW, ROLES))
def test_appointment_table(action, role):
    practice = Practice()
    check_every_state(
        APPOINTMENT_WORKFLOW, action, role, states=Appointment.State,
        build=lambda state: practice.appointment_in(state, past=True),
        actor_for=lambda role, appointment: _actor(practice, role),
        attempt=lambda user, appointment, action: services.act(actor=user, appointment=appointment, action=action),
        state_of=lambda appointment: Appointment.objects.get(pk=appointment.pk).state,
        events_of=lambda appointment: appointment.events.count(),
        visible=lambda role, state: role in SEES,
    )


def _slot_in(practice, state):
    slot = practice.slot(days=3, hour=len(Slot.objects.filter(room=practice.room)) + 8)
    Slot.objects.filter(pk=slot.pk).update(state=state)
    return Slot.objects.get(pk=slot.pk)


@pytest.mark.parametrize(("action", "role"), workflow_cases(SLOT_WORKFLOW, ROLES))
def test_slot_table(action, role):
    practice = Practice()
    check_every_state(
        SLOT_WORKFLOW, action, role, states=Slot.State,
        build=lambda state: _slot_in(practice, state),
        actor_for=lambda role, slot: _actor(practice, role),
        attempt=lambda user, slot, action: services.withdraw_slot(actor=user, slot=slot),
        state_of=lambda slot: Slot.objects.get(pk=slot.pk).state,
        events_of=lambda slot: AuditLog.objects.filter(target_type="counselling.slot", target_id=str(slot.pk)).count(),
        visible=lambda role, state: role == Role.COUNSELLOR,
        done=lambda slot, user, state, target: _room_released(slot),
    )


def _room_released(slot):
    from liulin.venues.models import Booking

    assert Booking.objects.get(pk=slot.room_booking_id).state == Booking.State.CANCELLED


def test_another_counsellor_does_not_see_the_appointment():
    practice = Practice()
    appointment = practice.appointment_in(Appointment.State.BOOKED, past=True)
    other = make_user(Role.COUNSELLOR, practice.community)
    with pytest.raises(services.NotFound):
        services.act(actor=other, appointment=appointment, action="attend")
    with pytest.raises(services.NotFound):
        services.read_notes(actor=other, appointment=appointment)


def test_a_client_cannot_read_or_write_the_notes():
    practice = Practice()
    appointment = practice.appointment_in(Appointment.State.ATTENDED, past=True)
    services.write_note(actor=practice.counsellor, appointment=appointment, text="谈了睡眠")
    with pytest.raises(services.NotPermitted):
        services.read_notes(actor=practice.client, appointment=appointment)
    with pytest.raises(services.NotPermitted):
        services.write_note(actor=practice.client, appointment=appointment, text="x")


def test_attended_is_refused_before_the_start():
    practice = Practice()
    appointment = practice.appointment()
    with pytest.raises(services.Invalid):
        services.act(actor=practice.counsellor, appointment=appointment, action="attend")
    assert Appointment.objects.get(pk=appointment.pk).state == Appointment.State.BOOKED


def test_a_held_slot_is_not_withdrawn():
    practice = Practice()
    appointment = practice.appointment()
    with pytest.raises(services.Conflict):
        services.withdraw_slot(actor=practice.counsellor, slot=appointment.slot)
    assert Slot.objects.get(pk=appointment.slot_id).state == Slot.State.OPEN
