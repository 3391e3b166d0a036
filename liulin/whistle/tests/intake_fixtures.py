"""A small community for intake, routing, callback and whistle tests.

中南社区 with two neighbouring grids about 1 km wide; in grid 1 two buildings ~50 m apart
and a household with a resident who has an account; in grid 2 a building ~1.5 km away; a
property company, a department (城管) and a user for each filing role.
"""

import importlib
from dataclasses import dataclass

from liulin.accounts.tests.factories import make_user
from liulin.core.models import WorkCalendar
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    GridFactory,
    HouseholdFactory,
    square,
)
from liulin.whistle import sla
from liulin.whistle.models import Category, Urgency
from liulin.whistle.services import transitions
from liulin.whistle.tests.factories import TicketFactory

BASE_LON, BASE_LAT = 112.90, 28.30
# Inside grid 1, ~49 m east of building 1 (1° of longitude ≈ 97.9 km at 28.3° N).
NEAR_LON, NEAR_LAT = BASE_LON + 0.0035, BASE_LAT + 0.003
# ~300 m east of building 1, still in grid 1.
FAR_LON, FAR_LAT = BASE_LON + 0.003 + 0.00306, BASE_LAT + 0.003


@dataclass
class Town:
    community: object
    grid1: object
    grid2: object
    estate: object
    b1: object
    b2: object
    b3: object
    household: object
    other_household: object
    resident: object
    resident_user: object
    neighbour_user: object
    property_company: object
    department: object
    operator: object
    grid_worker: object
    grid2_worker: object
    staff: object
    secretary: object
    property_staff: object
    officer: object

    def category(self, code):
        return Category.objects.get(code=code)


def make_town():
    community = CommunityFactory(name="中南社区")
    grid1 = GridFactory(community=community, boundary=square(BASE_LON, BASE_LAT, 0.01))
    grid2 = GridFactory(community=community, boundary=square(BASE_LON + 0.01, BASE_LAT, 0.01))
    estate = EstateFactory(community=community, name="中南小苑")
    b1 = BuildingFactory(grid=grid1, estate=estate, name="1栋", lon=BASE_LON + 0.003, lat=BASE_LAT + 0.003)
    b2 = BuildingFactory(grid=grid1, estate=estate, name="2栋", lon=NEAR_LON, lat=NEAR_LAT)
    b3 = BuildingFactory(grid=grid2, estate=estate, name="9栋", lon=BASE_LON + 0.018, lat=BASE_LAT + 0.003)
    household = HouseholdFactory(building=b1, room="301")
    other_household = HouseholdFactory(building=b3, room="502")
    resident = ResidentFactory(name="张三", mobile="13812345678", household=household)
    neighbour = ResidentFactory(name="李四", mobile="13987654321", household=other_household)
    property_company = OrganisationFactory(name="中南物业", kind=Organisation.Kind.PROPERTY_COMPANY, community=community)
    department = OrganisationFactory(name="区城管局", kind=Organisation.Kind.DEPARTMENT, community=community.parent)
    return Town(
        community=community,
        grid1=grid1,
        grid2=grid2,
        estate=estate,
        b1=b1,
        b2=b2,
        b3=b3,
        household=household,
        other_household=other_household,
        resident=resident,
        resident_user=make_user(Role.RESIDENT, resident=resident),
        neighbour_user=make_user(Role.RESIDENT, resident=neighbour),
        property_company=property_company,
        department=department,
        operator=make_user(Role.HOTLINE_OPERATOR, community),
        grid_worker=make_user(Role.GRID_WORKER, grid1),
        grid2_worker=make_user(Role.GRID_WORKER, grid2),
        staff=make_user(Role.COMMUNITY_STAFF, community),
        secretary=make_user(Role.COMMUNITY_SECRETARY, community),
        property_staff=make_user(Role.PROPERTY_STAFF, property_company),
        officer=make_user(Role.DEPARTMENT_OFFICER, department),
    )


_seed_migration = importlib.import_module("liulin.whistle.migrations.0002_default_categories_and_policies")


def seed_whistle_defaults():
    """The default categories and time-limit policies of migration 0002, and the default work
    calendar it made (core's since migration 0020).

    transaction=True tests flush every table after each test, data migrations' rows
    included, so such tests put them back first (the seeding is idempotent)."""
    from django.apps import apps

    SlaPolicy = apps.get_model("whistle", "SlaPolicy")
    _seed_migration.seed_policies(SlaPolicy)
    _seed_migration.seed_categories(apps.get_model("whistle", "Category"), apps.get_model("whistle", "CategoryPolicy"), SlaPolicy)
    if not WorkCalendar.objects.filter(is_default=True).exists():
        WorkCalendar.objects.get_or_create(name=_seed_migration.CALENDAR_NAME, defaults={"is_default": True})


def submitted(town, building=None, **kw):
    """A submitted elevator request from the town's resident (overridable by keyword)."""
    kw.setdefault("category", town.category("property-elevator"))
    kw.setdefault("requester_user", town.resident_user)
    kw.setdefault("policy", sla.policy_for(kw["category"], kw.get("urgency", Urgency.NORMAL)))
    return TicketFactory(building=building or town.b1, **kw)


def dispatched(town, building=None, **kw):
    """The same, dispatched by the community to the property company."""
    ticket = submitted(town, building, **kw)
    return transitions.act(actor=town.staff, ticket=ticket, action="dispatch", org=town.property_company)
