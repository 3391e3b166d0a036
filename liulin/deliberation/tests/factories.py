"""Factories for 议事 tests: a small world (a community, an estate with a building, a
resident with an account, staff, an invited property company) and meetings driven to any
state through the services."""

import datetime
from dataclasses import dataclass

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, HouseholdFactory

from .. import services
from ..models import Kind, State


@dataclass
class World:
    community: object
    building: object
    estate: object
    staff: object
    property_org: object
    property_user: object


def make_world():
    building = BuildingFactory()
    community = building.community
    staff = make_user(Role.COMMUNITY_STAFF, community)
    org = OrganisationFactory(community=community, kind=Organisation.Kind.PROPERTY_COMPANY, name="测试物业")
    return World(community, building, building.estate, staff, org, make_user(Role.PROPERTY_STAFF, org))


def resident_user(building, **fields):
    resident = ResidentFactory(household=HouseholdFactory(building=building), **fields)
    return make_user(Role.RESIDENT, resident=resident)


def convene(world, *, kind=Kind.BUILDING, quorum=1, invite=True, **kw):
    start = clock.now() + datetime.timedelta(days=2)
    return services.convene_meeting(
        actor=world.staff, kind=kind, title=kw.pop("title", "楼道灯坏了怎么修"), community=world.community,
        building=world.building if kind == Kind.BUILDING else None, starts_at=start,
        ends_at=start + datetime.timedelta(hours=1), quorum=quorum,
        agenda=kw.pop("agenda", [("楼道灯维修", "王书记", 20)]), invite=[world.property_org] if invite else [], **kw)


PATHS = {
    State.DRAFT: [],
    State.NOTICED: ["notify"],
    State.IN_SESSION: ["notify", "open"],
    State.HELD: ["notify", "open", "adjourn"],
    State.CANCELLED: ["cancel"],
}


def meeting_in_state(world, state, **kw):
    meeting = convene(world, **kw)
    for action in PATHS[State(state)]:
        services.act(actor=world.staff, meeting=meeting, action=action, reason="测试")
    return meeting
