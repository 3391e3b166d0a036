import pytest

from liulin.core.errors import Invalid
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.whistle import routing
from liulin.whistle.models import RoutingRule

from .intake_fixtures import BASE_LAT, BASE_LON, make_town

pytestmark = pytest.mark.django_db


def test_building_decides_grid_and_community(town):
    found = routing.route(category=town.category("property-elevator"), building=town.b3, description="电梯坏了")
    assert (found.grid, found.community) == (town.grid2, town.community)


def test_household_decides_grid_even_with_a_point_elsewhere(town):
    found = routing.route(
        category=town.category("property-elevator"), household=town.household, lon=BASE_LON + 0.015, lat=BASE_LAT + 0.005
    )
    assert found.grid == town.grid1


def test_point_is_located_in_its_grid(town):
    found = routing.route(category=town.category("municipal-streetlight"), lon=BASE_LON + 0.015, lat=BASE_LAT + 0.005)
    assert found.grid == town.grid2


def test_point_outside_every_grid_is_refused(town):
    with pytest.raises(Invalid) as error:
        routing.route(category=town.category("municipal-streetlight"), lon=100.0, lat=20.0)
    assert error.value.code == "outside_grids"


@pytest.mark.parametrize("lon, lat", [(181, 28), (112, 91), ("abc", 28), (112.9, None), (float("nan"), 28)])
def test_impossible_coordinates_are_refused(town, lon, lat):
    with pytest.raises(Invalid) as error:
        routing.route(category=town.category("municipal-streetlight"), lon=lon, lat=lat)
    assert error.value.code == "invalid_location"


def test_no_place_at_all_is_refused(town):
    with pytest.raises(Invalid) as error:
        routing.route(category=town.category("noise"), description="噪音")
    assert error.value.code == "place_required"


def test_property_category_goes_to_the_community_property_company(town):
    found = routing.route(category=town.category("property-elevator"), building=town.b1, description="电梯困人")
    assert found.org == town.property_company


def test_estate_property_company_is_preferred_over_the_community_wide_one(town):
    own = OrganisationFactory(kind=Organisation.Kind.PROPERTY_COMPANY, community=town.community, estate=town.estate)
    found = routing.route(category=town.category("property-leak"), building=town.b1, description="楼上漏水")
    assert found.org == own


def test_community_category_goes_to_the_community_office_created_once(town):
    first = routing.route(category=town.category("noise"), building=town.b1, description="广场舞噪音太大")
    second = routing.route(category=town.category("dispute"), building=town.b2, description="邻居吵架")
    assert first.org == second.org
    assert first.org.name == "中南社区居委会"
    assert first.org.kind == Organisation.Kind.OTHER
    assert Organisation.objects.filter(name="中南社区居委会").count() == 1


def test_department_category_without_a_named_unit_is_left_for_the_dispatcher(town):
    found = routing.route(category=town.category("illegal-building"), building=town.b1, description="楼顶违建")
    assert found.org is None


def test_category_named_unit_is_used_and_inherited_by_children(town):
    municipal = town.category("municipal")
    municipal.responsible_org = town.department
    municipal.save()
    found = routing.route(category=town.category("municipal-manhole"), building=town.b1, description="井盖丢了")
    assert found.org == town.department


def test_keyword_rule_beats_the_category_default(town):
    RoutingRule.objects.create(category=town.category("property"), keywords="化粪池 井盖", org=town.department, priority=10)
    matched = routing.route(category=town.category("property-leak"), building=town.b1, description="化粪池满了往外冒")
    unmatched = routing.route(category=town.category("property-leak"), building=town.b1, description="楼上漏水到我家")
    assert matched.org == town.department
    assert "化粪池" in matched.reason
    assert unmatched.org == town.property_company


def test_rules_apply_in_priority_order_and_only_in_their_community(town):
    elsewhere = make_town()
    second = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, community=town.community)
    RoutingRule.objects.create(keywords="电梯", org=second, priority=50)
    RoutingRule.objects.create(keywords="电梯", org=town.department, priority=20, community=elsewhere.community)
    found = routing.route(category=town.category("property-elevator"), building=town.b1, description="电梯停运")
    assert found.org == second


def test_inactive_rule_unit_is_skipped(town):
    retired = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, community=town.community, is_active=False)
    RoutingRule.objects.create(keywords="电梯", org=retired, priority=1)
    found = routing.route(category=town.category("property-elevator"), building=town.b1, description="电梯停运")
    assert found.org == town.property_company


def test_custom_terms_are_single_tokens():
    words = routing.tokens("小区广场舞噪音很大，化粪池也堵了")
    assert {"广场舞", "噪音", "化粪池"} <= words
    assert "，" not in words and "很" not in words


@pytest.mark.parametrize("value", ["no-such-category", 999999, None, "x1"])
def test_unknown_category_is_refused(town, value):
    with pytest.raises(Invalid) as error:
        routing.active_category(value)
    assert error.value.code == "unknown_category"


def test_category_under_an_inactive_parent_is_refused(town):
    parent = town.category("utilities")
    parent.is_active = False
    parent.save()
    with pytest.raises(Invalid) as error:
        routing.active_category("utilities-water")
    assert error.value.code == "unknown_category"


def test_haversine_matches_a_known_distance():
    # One degree of latitude is ~111.2 km everywhere.
    assert routing.haversine_m(112.9, 28.0, 112.9, 29.0) == pytest.approx(111_195, rel=1e-3)
