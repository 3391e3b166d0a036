import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.models import AuditLog
from liulin.core.roles import Role
from liulin.territory import services
from liulin.territory.models import Area, Grid, Household
from liulin.territory.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    GridFactory,
    HouseholdFactory,
    square,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(community):
    return make_user(Role.COMMUNITY_STAFF, community)


def test_create_grid_writes_grid_and_audit_row(community, staff):
    grid = services.create_grid(actor=staff, community=community, code="ZN01", name="一网格", boundary=square(112.8, 28.3))
    assert Grid.objects.get(code="ZN01").community == community
    assert AuditLog.objects.filter(action="grid.create", target_id=str(grid.pk), actor=staff).exists()


def test_grid_overlapping_another_grid_is_refused_and_names_it(community, staff):
    GridFactory(code="OLD1", name="老网格", boundary=square(112.8, 28.3, 0.01))
    with pytest.raises(Invalid) as exc:
        services.create_grid(actor=staff, community=community, code="NEW1", name="新网格", boundary=square(112.805, 28.3, 0.01))
    assert "OLD1" in exc.value.detail and exc.value.code == "grid_overlap"
    assert not Grid.objects.filter(code="NEW1").exists()


def test_grid_touching_another_grid_is_allowed(community, staff):
    GridFactory(boundary=square(112.8, 28.3, 0.01))
    services.create_grid(actor=staff, community=community, code="T1", name="相邻", boundary=square(112.81, 28.3, 0.01))
    assert Grid.objects.filter(code="T1").exists()


def test_invalid_polygon_refused_with_explanation(community, staff):
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(Invalid, match="Self-intersection"):
        services.create_grid(actor=staff, community=community, code="B1", name="蝴蝶结", boundary=bow_tie)
    assert not Grid.objects.exists()


def test_grid_in_a_subdistrict_is_refused(staff, community):
    with pytest.raises(Invalid, match="社区"):
        services.create_grid(actor=None, community=community.parent, code="X", name="x", boundary=square(0, 0))


def test_duplicate_grid_code_is_a_conflict(community, staff):
    GridFactory(code="DUP", boundary=square(10, 10))
    with pytest.raises((Conflict, Invalid)):
        services.create_grid(actor=staff, community=community, code="DUP", name="重号", boundary=square(20, 20))
    assert Grid.objects.filter(code="DUP").count() == 1


def test_update_grid_boundary_may_not_overlap_a_neighbour(community, staff):
    GridFactory(community=community, boundary=square(112.8, 28.3, 0.01))
    mine = GridFactory(community=community, boundary=square(112.9, 28.3, 0.01))
    with pytest.raises(Invalid):
        services.update_grid(actor=staff, grid=mine, boundary=square(112.805, 28.3, 0.01))
    mine.refresh_from_db()
    assert mine.boundary == square(112.9, 28.3, 0.01)
    services.update_grid(actor=staff, grid=mine, boundary=square(112.95, 28.3, 0.01))  # its own old place is not an overlap
    mine.refresh_from_db()
    assert mine.boundary == square(112.95, 28.3, 0.01)


def test_staff_of_another_community_may_not_add_a_grid(community):
    outsider = make_user(Role.COMMUNITY_STAFF, CommunityFactory())
    with pytest.raises(NotFound):
        services.create_grid(actor=outsider, community=community, code="Z", name="z", boundary=square(0, 0))


def test_auditor_may_not_change_territory(community):
    auditor = make_user(Role.AUDITOR, community)
    with pytest.raises(NotPermitted):
        services.create_estate(actor=auditor, community=community, name="看看小区")


def test_building_grid_must_be_in_the_estate_community(staff, community):
    estate = EstateFactory(community=community)
    foreign_grid = GridFactory()
    with pytest.raises(Invalid) as exc:
        services.create_building(actor=staff, estate=estate, grid=foreign_grid, name="1栋")
    assert exc.value.code == "grid_not_in_community"


def test_building_without_grid_takes_the_grid_at_its_coordinates(staff, community):
    grid = GridFactory(community=community, boundary=square(112.8, 28.3, 0.01))
    estate = EstateFactory(community=community)
    building = services.create_building(actor=staff, estate=estate, name="2栋", lon=112.805, lat=28.305)
    assert building.grid == grid and building.community == community


def test_building_coordinates_outside_its_grid_are_refused(staff, community):
    grid = GridFactory(community=community, boundary=square(112.8, 28.3, 0.01))
    estate = EstateFactory(community=community)
    with pytest.raises(Invalid) as exc:
        services.create_building(actor=staff, estate=estate, grid=grid, name="3栋", lon=113.5, lat=28.305)
    assert exc.value.code == "point_outside_grid"


def test_moving_a_building_moves_its_households(staff, community):
    old_grid = GridFactory(community=community)
    new_grid = GridFactory(community=community)
    building = BuildingFactory(grid=old_grid, lon=None, lat=None)
    household = HouseholdFactory(building=building)
    services.update_building(actor=staff, building=building, grid=new_grid)
    household.refresh_from_db()
    assert household.grid == new_grid


def test_household_room_unique_in_building(staff, community):
    building = BuildingFactory(grid=GridFactory(community=community))
    services.create_household(actor=staff, building=building, room="101")
    with pytest.raises((Conflict, Invalid)):
        services.create_household(actor=staff, building=building, room="101")
    assert Household.objects.filter(building=building).count() == 1


def test_create_area_checks_parent_kind_and_scope(community, staff):
    with pytest.raises(Invalid, match="上级"):
        services.create_area(actor=None, kind=Area.Kind.COMMUNITY, code="BAD", name="错", parent=community)
    with pytest.raises(NotFound):
        services.create_area(actor=staff, kind=Area.Kind.COMMUNITY, code="SIB", name="旁边", parent=community.parent)
    secretary = make_user(Role.COMMUNITY_SECRETARY, community.parent)
    created = services.create_area(actor=secretary, kind=Area.Kind.COMMUNITY, code="SIB", name="旁边", parent=community.parent)
    assert created.path == f"{community.parent.path}SIB/"


def test_only_superuser_creates_a_top_level_area(staff):
    with pytest.raises(NotPermitted):
        services.create_area(actor=staff, kind=Area.Kind.DISTRICT, code="NEWD", name="新区")
    assert not Area.objects.filter(code="NEWD").exists()
