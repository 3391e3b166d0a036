import pytest
from django.core.cache import cache

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.open311 import services
from liulin.open311.models import ServiceAttribute
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import BuildingFactory
from liulin.whistle.tests.factories import CategoryFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def place(db):
    """A building in a grid of a community served by a property company, and the leaf
    service 测试物业/电梯故障 with two attributes."""
    building = BuildingFactory(estate__name="同心家园", name="8栋")
    company = OrganisationFactory(community=building.community, kind=Organisation.Kind.PROPERTY_COMPANY, name="中南物业")
    parent = CategoryFactory(code="t-property", name="测试物业", responsible_kind="property_company")
    leaf = CategoryFactory(code="t-elevator", name="电梯故障", parent=parent, responsible_kind="", keywords="电梯 困人")
    ServiceAttribute.objects.create(
        category=leaf, code="FLOOR", datatype="singlevaluelist", required=True, order=1, description="电梯停在几楼？",
        values=[{"key": "1", "name": "一楼"}, {"key": "2", "name": "二楼"}],
    )
    ServiceAttribute.objects.create(
        category=leaf, code="TRAPPED", datatype="number", required=False, order=2, description="被困人数",
    )
    operator = make_user(Role.HOTLINE_OPERATOR, building.community)
    key, raw = services.create_key(actor=None, name="12345 热线", user=operator)
    return {"building": building, "company": company, "parent": parent, "leaf": leaf, "operator": operator,
            "key": key, "api_key": raw, "community": building.community}


@pytest.fixture
def form(place):
    """A valid POST requests form."""
    b = place["building"]
    return {
        "api_key": place["api_key"],
        "service_code": "t-elevator",
        "lat": str(b.lat),
        "long": str(b.lon),
        "description": "8栋电梯停在一楼不动，联系电话13812345678",
        "attribute[FLOOR]": "1",
        "attribute[TRAPPED]": "0",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812345678",
        "email": "zhang@example.com",
        "device_id": "dev-1",
        "account_id": "acc-9",
        "media_url": "https://example.com/p/1.jpg",
    }
