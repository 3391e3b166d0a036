"""Every territory read a user triggers, narrowed to what that user may see (`territory.view`)."""

from django.db.models import Q

from liulin.core.permissions import active_assignments, get_or_404, scoped

from . import geo
from .models import Area, Building, Estate, Grid, Household

VIEW = "territory.view"


def areas_for(user):
    return scoped(user, Area.objects.all(), VIEW).order_by("path")


def area_tree(user):
    """The visible areas as nested dicts. Roots are the areas whose parent the user cannot see,
    so a community worker's tree starts at his community and a district's at the district."""
    areas = list(areas_for(user))
    nodes = {
        a.pk: {"id": a.pk, "kind": a.kind, "code": a.code, "name": a.name, "children": []}
        for a in areas
    }
    roots = []
    for area in areas:  # ordered by path, so a parent always comes before its children
        parent = nodes.get(area.parent_id)
        (parent["children"] if parent else roots).append(nodes[area.pk])
    return roots


def area_for(user, area_id):
    return get_or_404(user, Area.objects.all(), VIEW, pk=area_id)


def grids_for(user, *, community_id=None):
    qs = scoped(user, Grid.objects.select_related("community"), VIEW)
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    return qs.order_by("code")


def grid_for(user, grid_id):
    return get_or_404(user, Grid.objects.select_related("community"), VIEW, pk=grid_id)


def grid_at_point(user, *, lon, lat):
    """The grid at (lon, lat) if the user may see it; otherwise None, so a lookup cannot be
    used to discover grids outside the user's scope."""
    grid = geo.grid_for_point(lon, lat)
    if grid is None:
        return None
    return grids_for(user).filter(pk=grid.pk).first()


def estates_for(user, *, community_id=None):
    qs = scoped(user, Estate.objects.select_related("community"), VIEW)
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    return qs.order_by("name", "id")


def estate_for(user, estate_id):
    return get_or_404(user, Estate.objects.select_related("community"), VIEW, pk=estate_id)


def buildings_for(user, *, estate_id=None, grid_id=None):
    qs = scoped(user, Building.objects.select_related("estate", "grid"), VIEW)
    if estate_id is not None:
        qs = qs.filter(estate_id=estate_id)
    if grid_id is not None:
        qs = qs.filter(grid_id=grid_id)
    return qs.order_by("estate__name", "name", "id")


def households_for(user, *, building_id=None, grid_id=None):
    qs = scoped(user, Household.objects.select_related("building__estate"), VIEW)
    if building_id is not None:
        qs = qs.filter(building_id=building_id)
    if grid_id is not None:
        qs = qs.filter(grid_id=grid_id)
    return qs.order_by("building_id", "room", "id")


def household_for(user, household_id):
    return get_or_404(user, Household.objects.select_related("building__estate"), VIEW, pk=household_id)


def map_community_ids(user):
    """The communities whose map the user may draw: those under his areas, of his grids, of his
    organisations and, for a resident, of his home."""
    if user.is_superuser:
        return set(Area.objects.filter(kind=Area.Kind.COMMUNITY).values_list("pk", flat=True))
    ids, paths = set(), []
    for assignment in active_assignments(user):
        if assignment.area_id:
            paths.append(assignment.area.path)
        elif assignment.grid_id:
            ids.add(assignment.grid.community_id)
        elif assignment.org_id and assignment.org.community_id:
            ids.add(assignment.org.community_id)
    resident = getattr(user, "resident", None)
    if resident is not None and resident.household_id:
        ids.add(Household.objects.filter(pk=resident.household_id).values_list("community_id", flat=True).first())
    if paths:
        under = Q()
        for path in paths:
            under |= Q(path__startswith=path)
        ids |= set(Area.objects.filter(under, kind=Area.Kind.COMMUNITY).values_list("pk", flat=True))
    ids.discard(None)
    return ids


def map_features(user, *, community_id=None):
    """What a map of the user's communities shows: grid boundaries and buildings, public
    geometry only (names and coordinates; no household, resident or phone)."""
    ids = map_community_ids(user)
    if community_id is not None:
        ids &= {community_id}
    grids = Grid.objects.filter(community_id__in=ids).order_by("code").values("code", "name", "boundary")
    buildings = (
        Building.objects.filter(community_id__in=ids, lon__isnull=False, lat__isnull=False)
        .order_by("estate__name", "name", "pk")
        .values("estate__name", "name", "lon", "lat")
    )
    return {
        "grids": [{"code": g["code"], "name": g["name"], "boundary": g["boundary"]} for g in grids],
        "buildings": [{"name": f"{b['estate__name']}{b['name']}", "lon": b["lon"], "lat": b["lat"]} for b in buildings],
    }
