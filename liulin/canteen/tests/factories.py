import datetime
import importlib

from liulin.accounts.tests.factories import make_user
from liulin.canteen.models import Canteen, CareStatus, DinerGroup, MealPeriod, Price, SubsidyTable
from liulin.canteen.rules import STANDARD_PRICE_FEN, rule_rows
from liulin.core.roles import Role
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people import proxy_services
from liulin.people.models import CareTag
from liulin.people.tests.factories import ResidentFactory, make_id_number
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, HouseholdFactory

_care_tags_migration = importlib.import_module("liulin.people.migrations.0002_seed_default_care_tags")
PRICES = {DinerGroup.STAFF: 1500, DinerGroup.OUTDOOR: 1000, DinerGroup.SENIOR: STANDARD_PRICE_FEN, DinerGroup.OTHER: 1500}


class Kitchen:
    """One community with the canteen, its periods and prices, the subsidy table v1, and staff."""

    def __init__(self, *, delivery_fee_fen=300):
        # The default care tags come from a data migration, which transaction=True (browser)
        # tests flush: put them back (idempotent).
        from django.apps import apps

        _care_tags_migration.seed_care_tags(apps, None)
        self.community = CommunityFactory()
        self.grid = GridFactory(community=self.community)
        self.building = BuildingFactory(grid=self.grid)
        self.operator = OrganisationFactory(community=self.community, kind="enterprise", name="中南小苑餐饮")
        self.canteen = Canteen.objects.create(name="中南小苑", community=self.community, operator=self.operator,
                                              delivery_fee_fen=delivery_fee_fen)
        self.lunch = MealPeriod.objects.create(canteen=self.canteen, code="lunch", name="午餐", starts=datetime.time(11),
                                               ends=datetime.time(13), order_cutoff=datetime.time(9, 30), sort=2)
        self.dinner = MealPeriod.objects.create(canteen=self.canteen, code="dinner", name="晚餐", starts=datetime.time(17),
                                                ends=datetime.time(19), order_cutoff=datetime.time(15), sort=3)
        Price.objects.bulk_create([Price(period=p, group=g, price_fen=f) for p in (self.lunch, self.dinner) for g, f in PRICES.items()])
        self.table = SubsidyTable.objects.create(version=1, name="长沙老年助餐", effective_from=datetime.date(2020, 1, 1))
        self.table.rules.model.objects.bulk_create(rule_rows(self.table))
        self.staff = make_user(Role.COMMUNITY_STAFF, self.community)
        self.counter = make_user(Role.PARTNER_CONTACT, self.operator)
        self.n = 0

    def resident(self, *, birth, with_user=True, household=None, **fields):
        self.n += 1
        household = household or HouseholdFactory(building=self.building)
        fields.setdefault("id_number", make_id_number(birth, seq=self.n % 1000, region=f"43{id(self) % 9000 + self.n // 1000:04d}"))
        resident = ResidentFactory(household=household, birth_date=birth, **fields)
        if with_user:
            resident.user = make_user(Role.RESIDENT, resident=resident)
        return resident

    def status(self, resident, code, *, valid_from, expires_on):
        return CareStatus.objects.create(resident=resident, tag=CareTag.objects.get(code=code), proof="证 4301-001",
                                         valid_from=valid_from, expires_on=expires_on, recorded_by=self.staff)

    def consent(self, elder, family, *, services=("canteen",), days=365):
        """The elder's kernel consent (people.Proxy) that `family` acts for her, recorded by staff."""
        return proxy_services.grant(actor=self.staff, elder=elder, proxy_resident=family, relation="child", services=list(services),
                                    valid_until=datetime.date.today() + datetime.timedelta(days=days), consent_proof="授权书 001")

