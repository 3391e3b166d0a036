"""Territory API (/api/v1/territory): every list is scoped to the caller and paginated."""

from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from liulin.core.errors import NotFound

from . import selectors
from .schemas import AreaNodeOut, AreaOut, BuildingOut, EstateOut, GridOut, HouseholdOut

router = Router(tags=["territory"])


@router.get("/areas", response=list[AreaNodeOut], summary="可见区域树（区 > 街道 > 社区）")
def area_tree(request):
    return selectors.area_tree(request.user)


@router.get("/areas/{int:area_id}", response=AreaOut)
def area_detail(request, area_id: int):
    return selectors.area_for(request.user, area_id)


@router.get("/grids", response=list[GridOut], summary="网格及其 GeoJSON 边界")
@paginate
def grid_list(request, community: int | None = None):
    return selectors.grids_for(request.user, community_id=community)


@router.get("/grids/geojson", summary="可见网格的 GeoJSON FeatureCollection（供地图使用）")
def grid_feature_collection(request, community: int | None = None):
    grids = selectors.grids_for(request.user, community_id=community)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": g.pk,
                "geometry": g.boundary,
                "properties": {"code": g.code, "name": g.name, "community": g.community.name},
            }
            for g in grids
        ],
    }


@router.get("/grids/at", response=GridOut, summary="某经纬度所在的网格")
def grid_at(request, lon: float = Query(..., ge=-180, le=180), lat: float = Query(..., ge=-90, le=90)):
    grid = selectors.grid_at_point(request.user, lon=lon, lat=lat)
    if grid is None:
        raise NotFound(_("该位置不在您可见的任何网格内。"))
    return grid


@router.get("/grids/{int:grid_id}", response=GridOut)
def grid_detail(request, grid_id: int):
    return selectors.grid_for(request.user, grid_id)


@router.get("/estates", response=list[EstateOut])
@paginate
def estate_list(request, community: int | None = None):
    return selectors.estates_for(request.user, community_id=community)


@router.get("/estates/{int:estate_id}", response=EstateOut)
def estate_detail(request, estate_id: int):
    return selectors.estate_for(request.user, estate_id)


@router.get("/buildings", response=list[BuildingOut])
@paginate
def building_list(request, estate: int | None = None, grid: int | None = None):
    return selectors.buildings_for(request.user, estate_id=estate, grid_id=grid)


@router.get("/households", response=list[HouseholdOut])
@paginate
def household_list(request, building: int | None = None, grid: int | None = None):
    return selectors.households_for(request.user, building_id=building, grid_id=grid)


@router.get("/households/{int:household_id}", response=HouseholdOut)
def household_detail(request, household_id: int):
    return selectors.household_for(request.user, household_id)
