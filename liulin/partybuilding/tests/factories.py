"""A small world for 党建引领惠邻 tests: one community with a grid, a partner unit that has
reported in, and the people who act in it. Rows are made through the services, so every
test starts from states the app itself can reach."""

import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, GridFactory, HouseholdFactory

from .. import services
from ..models import Category, Registration, Wish

DAY = datetime.date(2026, 3, 2)


def photo(name="proof.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def partner_unit(community, name=None):
    org = OrganisationFactory(community=community, kind=Organisation.Kind.PARTNER_UNIT, **({"name": name} if name else {}))
    services.report_in(actor=None, org=org, community=community, scope="共建", liaison="联络人", starts_on=DAY,
                       ends_on=DAY.replace(year=DAY.year + 3))
    return org


def resident_in(grid, **fields):
    household = HouseholdFactory(building=BuildingFactory(grid=grid))
    return ResidentFactory(household=household, **fields)


def member(grid, org, *, confirmed=True, posts=(Category.CARE,)):
    """An in-service party member living in `grid`, registered with his employer `org`."""
    user = make_user(Role.RESIDENT, resident=resident_in(grid, is_party_member=True))
    registration = services.register_member(actor=user, org=org, posts=list(posts))
    if confirmed:
        Registration.objects.filter(pk=registration.pk).update(state=Registration.State.CONFIRMED)
        registration.refresh_from_db()
    return user, registration


@dataclass
class World:
    community: object
    grid: object
    org: object
    other_org: object
    staff: object
    grid_worker: object
    contact: object
    other_contact: object
    beneficiary: object  # a resident user the needs and wishes are for
    member: object
    registration: object

    def wish(self, *, state=Wish.State.PUBLISHED, capacity=1, **fields):
        wish = services.collect_wish(actor=self.grid_worker, community=self.community, grid=self.grid, title="修轮椅",
                                     kind=Wish.Kind.SERVICE, beneficiary_label="高龄老人", beneficiary=self.beneficiary.resident,
                                     capacity=capacity, **fields)
        if state != Wish.State.COLLECTED:
            services.wish_step(actor=self.staff, wish=wish, action="wish_publish")
        return wish

    def need(self, **fields):
        return services.raise_need(actor=self.grid_worker, community=self.community, grid=self.grid, title="楼道灯不亮",
                                   beneficiary=self.beneficiary.resident, **fields)


def make_world():
    grid = GridFactory()
    community = grid.community
    org, other_org = partner_unit(community, "望城区人民医院第三党支部"), partner_unit(community, "高塘岭中学党支部")
    user, registration = member(grid, org)
    return World(
        community=community, grid=grid, org=org, other_org=other_org,
        staff=make_user(Role.COMMUNITY_STAFF, community), grid_worker=make_user(Role.GRID_WORKER, grid),
        contact=make_user(Role.PARTNER_CONTACT, org), other_contact=make_user(Role.PARTNER_CONTACT, other_org),
        beneficiary=make_user(Role.RESIDENT, resident=resident_in(grid)), member=user, registration=registration,
    )
