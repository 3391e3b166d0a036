"""The demo 心理咨询室: the counsellor's slots (each holding the room as “已预约”), the two
demo residents' appointments, her encrypted note; a second run writes nothing."""

import pytest

from liulin.core import chain
from liulin.counselling import demo_seed, selectors, services
from liulin.counselling.models import Appointment, AppointmentEvent, Note, Slot
from liulin.demo.tests.fixtures import demo  # noqa: F401
from liulin.venues.models import Booking

pytestmark = pytest.mark.django_db


def test_demo_counselling(demo):  # noqa: F811
    counsellor = demo.users[demo_seed.COUNSELLOR]
    slots = list(Slot.objects.filter(community=demo.community))
    assert slots and all(s.is_demo and s.counsellor_id == counsellor.pk for s in slots)
    rooms = Booking.objects.filter(pk__in=[s.room_booking_id for s in slots])
    assert set(rooms.values_list("purpose", flat=True)) == {services.ROOM_PURPOSE}
    appointments = list(Appointment.objects.filter(slot__in=slots))
    assert {a.client_id for a in appointments} == {demo.users[m].pk for m in demo_seed.CLIENTS}
    assert all(a.is_demo for a in appointments) and chain.verify(AppointmentEvent, appointments[0]) is None
    first = Appointment.objects.get(client=demo.users[demo_seed.CLIENTS[0]])
    assert [n["text"] for n in services.read_notes(actor=counsellor, appointment=first)] == [demo_seed.NOTE]
    assert len(selectors.bookable_slots(demo.users[demo_seed.CLIENTS[0]])) == len(slots) - len(appointments)
    before = (Slot.objects.count(), Appointment.objects.count(), Note.objects.count())
    demo_seed.seed(demo)
    assert (Slot.objects.count(), Appointment.objects.count(), Note.objects.count()) == before
