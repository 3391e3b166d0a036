"""Two communities, each with a grid, building, household, resident, property company, a
ticket, a queued request and a counted owners' vote, and a user for every role scoped to the first one."""

from dataclasses import dataclass, field

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, HouseholdFactory
from liulin.whistle.models import Intake
from liulin.whistle.tests.factories import TicketFactory


@dataclass
class Town:
    community: object
    grid: object
    estate: object
    building: object
    household: object
    resident: object
    org: object
    ticket: object
    users: dict = field(default_factory=dict)
    intake: object = None  # a request in the intake queue, put there by the community staff
    vote: object = None  # a counted owners' vote of the estate, its register one unit

    # The object a GET detail endpoint's path parameter names.
    def object_for(self, param):
        return {
            "area_id": self.community,
            "grid_id": self.grid,
            "estate_id": self.estate,
            "building_id": self.building,
            "household_id": self.household,
            "resident_id": self.resident,
            "org_id": self.org,
            "ticket_id": self.ticket,
            "intake_id": self.intake,
            "vote_id": self.vote,
        }.get(param)


def make_town(*, with_users=False):
    building = BuildingFactory()
    household = HouseholdFactory(building=building)
    resident = ResidentFactory(household=household)
    org = OrganisationFactory(community=building.community, kind=Organisation.Kind.PROPERTY_COMPANY)
    ticket = TicketFactory(building=building, household=household)
    town = Town(building.community, building.grid, building.estate, building, household, resident, org, ticket)
    if with_users:
        for role in Role:
            if role == Role.RESIDENT:
                town.users[role] = make_user(role, resident=resident)
            elif role in GRID_ROLES:
                town.users[role] = make_user(role, town.grid)
            elif role in ORG_ROLES:
                town.users[role] = make_user(role, town.org)
            else:
                town.users[role] = make_user(role, town.community)
    filer = town.users.get(Role.COMMUNITY_STAFF) or make_user(Role.COMMUNITY_STAFF, town.community)
    town.intake = Intake.objects.create(filed_by=filer, client_request_id=f"world-{town.community.pk}", channel="api",
                                        payload={"category": "noise", "description": "夜间施工噪音"})
    town.vote = _counted_vote(town.estate)
    return town


def _counted_vote(estate):
    import datetime

    from liulin.votes.models import Owner, State, Unit, Vote

    committee = OrganisationFactory(community=estate.community, estate=estate, kind=Organisation.Kind.OWNERS_COMMITTEE)
    owner = Owner.objects.create(estate=estate, name="业主")
    Unit.objects.create(estate=estate, label="1栋101", area_cm2=10000, owner=owner)
    moment = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    return Vote.objects.create(estate=estate, committee=committee, title="选聘物业服务企业", matter=4, state=State.COUNTED,
                               opens_at=moment, closes_at=moment + datetime.timedelta(days=10))
