"""Venues test worlds: a community with a gymnasium and its courts, a hall that requires
approval, residents with real-name records, and managers."""

import datetime

from liulin.accounts.tests.factories import make_user
from liulin.core import calendar
from liulin.core.roles import Role
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.models import Facility
from liulin.territory.tests.factories import BuildingFactory, GridFactory, HouseholdFactory
from liulin.venues.models import MembershipPlan, OpeningHours, Resource


def make_resource(community, name, *, parent=None, kind="room", opens=datetime.time(8), closes=datetime.time(21), **fields):
    facility = Facility.objects.create(community=community, name=name, kind=kind, parent=parent.facility if parent else None)
    resource = Resource.objects.create(facility=facility, community=community, parent=parent, name=name, **fields)
    OpeningHours.objects.bulk_create(OpeningHours(resource=resource, weekday=d, opens=opens, closes=closes) for d in range(7))
    return resource


def make_resident(community, **fields):
    """A user with the resident role and a real-name record in a household of `community`."""
    grid = GridFactory(community=community)
    household = HouseholdFactory(building=BuildingFactory(grid=grid))
    return make_user(Role.RESIDENT, resident=ResidentFactory(household=household), **fields)


def make_manager(community, role=Role.VENUE_MANAGER):
    return make_user(role, community)


class World:
    def __init__(self, community):
        self.community = community
        self.gymnasium = make_resource(community, "体育馆", kind="gym")
        self.badminton = make_resource(community, "羽毛球场", parent=self.gymnasium, kind="court", max_days_ahead=1)
        self.table_tennis = make_resource(community, "乒乓球场", parent=self.gymnasium, kind="court")
        self.hall = make_resource(community, "讲堂", kind="hall", requires_approval=True, capacity=368)
        self.gym = make_resource(community, "健身房", kind="gym", bookable=False)
        self.plan = MembershipPlan.objects.create(resource=self.gym, name="月卡", months=1, price_fen=2500, hourly_capacity=2)
        self.resident = make_resident(community)
        self.manager = make_manager(community)


def at(day, hour, minute=0):
    """An aware local datetime."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=calendar.local_zone())
