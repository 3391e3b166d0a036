"""A counselling practice: a community with its 心理咨询室 (a venues room not lent to the
public), a counsellor, a client, and staff of every kind that must see no client."""

import datetime

from liulin.accounts.tests.factories import make_user
from liulin.core import calendar, clock
from liulin.core.roles import Role
from liulin.counselling import services
from liulin.counselling.models import Appointment, AppointmentEvent, Slot
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, HouseholdFactory
from liulin.venues.tests.factories import make_resource

CLIENT_NAME = "保密来访者甲"


class Practice:
    def __init__(self, community=None):
        self.community = community or CommunityFactory()
        self.grid = GridFactory(community=self.community)
        self.building = BuildingFactory(grid=self.grid)
        self.room = make_resource(self.community, "心理咨询室", bookable=False, opens=datetime.time(0), closes=datetime.time(23, 59))
        self.counsellor = make_user(Role.COUNSELLOR, self.community, name="何咨询师")
        self.client = self.resident(name=CLIENT_NAME)

    def resident(self, *, name=None):
        person = ResidentFactory(household=HouseholdFactory(building=self.building), **({"name": name} if name else {}))
        return make_user(Role.RESIDENT, resident=person, **({"name": name} if name else {}))

    def start(self, days=2, hour=10):
        day = calendar.local_date(clock.now()) + datetime.timedelta(days=days)
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=calendar.local_zone())

    def slot(self, days=2, hour=10):
        return services.open_slot(actor=self.counsellor, room=self.room, start=self.start(days, hour))

    def appointment(self, days=2, hour=10, client=None):
        return services.book(actor=client or self.client, slot=self.slot(days, hour))

    def appointment_in(self, state, *, past=False):
        """An appointment put straight into `state` (its slot in the past where `past`)."""
        slot = self.slot(days=2, hour=next_hour())
        if past:
            Slot.objects.filter(pk=slot.pk).update(starts_at=slot.starts_at - datetime.timedelta(days=3),
                                                   ends_at=slot.ends_at - datetime.timedelta(days=3))
        appointment = Appointment.objects.create(slot=Slot.objects.get(pk=slot.pk), client=self.client, state=state,
                                                 created_at=clock.now())
        from liulin.core import chain

        chain.append(AppointmentEvent, appointment, actor=self.client, actor_role="resident", action="book")
        return appointment


_hours = iter(range(10_000))


def next_hour():
    return next(_hours) % 20 + 1
