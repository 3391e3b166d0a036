"""Every write to the territory tree. Keyword-only, acting user first, one transaction, an
audit row per change.

`actor=None` means the system itself (a management command or the demo seed run by an
operator at the console); every page and endpoint passes the logged-in user, whose scope is
checked with `territory.change`.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import audit
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.permissions import authorise

from . import geo
from .models import Area, Building, Estate, Grid, Household

CHANGE = "territory.change"


def _require_change(actor, obj):
    """Out of the actor's sight is 'not found' (no scope leaks); in sight but read-only is 403."""
    if actor is None:
        return
    authorise(actor, CHANGE, obj, not_found=N_("找不到该辖区，或您无权查看。"), message="您的角色不能修改该辖区的信息。")


def _clean(obj, *, exclude=None):
    """Run model validation and turn its first message into a domain error on that field."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as e:
        field, messages = next(iter(e.message_dict.items()))
        raise Invalid(messages[0], field=None if field == "__all__" else field) from None


def _save(obj, message):
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(message) from None


# Areas: city > district > subdistrict > community


@transaction.atomic
def create_area(*, actor, kind, code, name, parent=None):
    if parent is not None:
        _require_change(actor, parent)
    elif actor is not None and not actor.is_superuser:
        raise NotPermitted(_("只有系统管理员可以新建顶级区域。"))
    area = Area(kind=kind, code=(code or "").strip(), name=(name or "").strip(), parent=parent)
    _clean(area, exclude=["path"])
    area.save()
    audit.record(actor=actor, action="area.create", target=area, code=area.code, kind=area.kind)
    return area


# Grids


def _check_no_overlap(geometry, *, exclude_id=None):
    overlapping = geo.grid_index().overlapping(geometry, exclude_id=exclude_id)
    if overlapping:
        names = "、".join(f"{g.code} {g.name}" for g in Grid.objects.filter(pk__in=overlapping).order_by("code"))
        raise Invalid(f"网格边界与已有网格重叠：{names}。相邻网格只能共用边界。", code="grid_overlap", field="boundary")


@transaction.atomic
def create_grid(*, actor, community, code, name, boundary, is_demo=False):
    _require_change(actor, community)
    if community.kind != Area.Kind.COMMUNITY:
        raise Invalid(_("网格必须属于一个社区。"), field="community")
    geometry = geo.parse_boundary(boundary)
    _check_no_overlap(geometry)
    grid = Grid(community=community, code=(code or "").strip(), name=(name or "").strip(), boundary=boundary, is_demo=is_demo)
    _clean(grid, exclude=["community", "updated_at"])
    _save(grid, f"网格编号 {grid.code} 已存在。")
    audit.record(actor=actor, action="grid.create", target=grid, code=grid.code)
    return grid


@transaction.atomic
def update_grid(*, actor, grid, name=None, boundary=None):
    _require_change(actor, grid)
    changed = []
    if name is not None:
        grid.name = name.strip()
        changed.append("name")
    if boundary is not None:
        _check_no_overlap(geo.parse_boundary(boundary), exclude_id=grid.pk)
        grid.boundary = boundary
        changed.append("boundary")
    _clean(grid, exclude=["community", "updated_at", "code"])
    grid.save()
    audit.record(actor=actor, action="grid.update", target=grid, fields=changed)
    return grid


# Estates, buildings, households


@transaction.atomic
def create_estate(*, actor, community, name, address="", is_demo=False):
    _require_change(actor, community)
    if community.kind != Area.Kind.COMMUNITY:
        raise Invalid(_("小区必须属于一个社区。"), field="community")
    estate = Estate(community=community, name=(name or "").strip(), address=(address or "").strip(), is_demo=is_demo)
    _clean(estate, exclude=["community"])
    _save(estate, f"本社区已有名为“{estate.name}”的小区。")
    audit.record(actor=actor, action="estate.create", target=estate)
    return estate


def _check_building_place(*, estate, grid, lon, lat):
    """The grid must be in the estate's community, and a building with coordinates must stand
    inside its grid; without a grid, the coordinates choose it."""
    if (lon is None) != (lat is None):
        raise Invalid(_("经度和纬度须同时填写。"), field="lon")
    if grid is None:
        if lon is None:
            raise Invalid(_("请选择网格，或填写楼栋的经纬度以自动确定网格。"), field="grid")
        grid = geo.grid_for_point(lon, lat)
        if grid is None:
            raise Invalid(f"坐标 ({lon}, {lat}) 不在任何网格内。", field="grid")
    if grid.community_id != estate.community_id:
        raise Invalid(f"网格“{grid.name}”不属于小区“{estate.name}”所在的社区。", code="grid_not_in_community", field="grid")
    if lon is not None and not geo.parse_boundary(grid.boundary).covers(geo.point(lon, lat)):
        raise Invalid(f"楼栋坐标 ({lon}, {lat}) 不在网格“{grid.name}”内。", code="point_outside_grid", field="lon")
    return grid


@transaction.atomic
def create_building(*, actor, estate, name, grid=None, lon=None, lat=None, is_demo=False):
    _require_change(actor, estate)
    grid = _check_building_place(estate=estate, grid=grid, lon=lon, lat=lat)
    building = Building(estate=estate, grid=grid, name=(name or "").strip(), lon=lon, lat=lat, is_demo=is_demo)
    _clean(building, exclude=["estate", "grid", "community"])
    _save(building, f"小区“{estate.name}”已有楼栋“{building.name}”。")
    audit.record(actor=actor, action="building.create", target=building)
    return building


@transaction.atomic
def update_building(*, actor, building, name=None, grid=None, lon=None, lat=None):
    """Rename or move a building to another grid; its households follow it, since scoped reads
    use the grid copied onto each household."""
    _require_change(actor, building)
    if name is not None:
        building.name = name.strip()
    if lon is not None or lat is not None:
        building.lon, building.lat = lon, lat
    building.grid = _check_building_place(
        estate=building.estate, grid=grid or building.grid, lon=building.lon, lat=building.lat
    )
    _clean(building, exclude=["estate", "grid", "community"])
    _save(building, f"小区“{building.estate.name}”已有楼栋“{building.name}”。")
    moved = Household.objects.filter(building=building).exclude(grid=building.grid).update(grid=building.grid)
    audit.record(actor=actor, action="building.update", target=building, grid=building.grid.code, households_moved=moved)
    return building


@transaction.atomic
def create_household(*, actor, building, room, is_demo=False):
    _require_change(actor, building)
    household = Household(building=building, room=(room or "").strip(), is_demo=is_demo)
    _clean(household, exclude=["building", "grid", "community"])
    _save(household, f"{building}已有房号 {household.room}。")
    audit.record(actor=actor, action="household.create", target=household)
    return household
