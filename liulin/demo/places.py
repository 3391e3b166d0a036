"""The demo community's territory and facilities, created by natural key so a re-run finds
every row already there and writes nothing."""

from liulin.territory.models import Area, Building, Estate, Facility, Grid, Household

from . import facts


def seed_areas():
    """长沙市 > 望城区 > 高塘岭街道 > 中南社区; returns the areas by code."""
    areas, parent = {}, None
    for kind, code, name in facts.AREAS:
        parent, _ = Area.objects.get_or_create(code=code, defaults={"kind": kind, "name": name, "parent": parent, "is_demo": True})
        areas[code] = parent
    return areas


def grid_cell(index):
    """South-west corner of grid `index` (0-based) in a three-column layout."""
    lon0, lat0 = facts.GRID_ORIGIN
    width, height = facts.GRID_CELL
    return lon0 + width * (index % facts.GRID_COLUMNS), lat0 + height * (index // facts.GRID_COLUMNS)


def grid_polygon(index):
    lon, lat = grid_cell(index)
    width, height = facts.GRID_CELL
    ring = [[lon, lat], [lon + width, lat], [lon + width, lat + height], [lon, lat + height], [lon, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


GRID_NUMERALS = "一二三四五六七八九十"


def seed_grids(community):
    grids = []
    for index, (estate, *_rest) in enumerate(facts.ESTATES):
        grid, _ = Grid.objects.get_or_create(
            code=f"{community.code}G{index + 1:02d}",
            defaults={
                "community": community,
                "name": f"第{GRID_NUMERALS[index]}网格（{estate}）",
                "boundary": grid_polygon(index),
                "is_demo": True,
            },
        )
        grids.append(grid)
    return grids


def building_point(grid_index, number):
    """Buildings stand in two rows of three well inside their grid's cell."""
    lon, lat = grid_cell(grid_index)
    width, height = facts.GRID_CELL
    column, row = (number - 1) % 3, (number - 1) // 3
    return round(lon + width * (0.2 + 0.3 * column), 6), round(lat + height * (0.3 + 0.4 * row), 6)


def seed_estates(community, grids):
    """Estates and their buildings; returns {(estate, building name): Building}."""
    buildings = {}
    for index, (name, address, count, _floors) in enumerate(facts.ESTATES):
        estate, _ = Estate.objects.get_or_create(
            community=community, name=name, defaults={"address": f"高塘岭街道{address}", "is_demo": True}
        )
        for number in range(1, count + 1):
            lon, lat = building_point(index, number)
            building, _ = Building.objects.get_or_create(
                estate=estate, name=f"{number}栋", defaults={"grid": grids[index], "lon": lon, "lat": lat, "is_demo": True}
            )
            buildings[(name, building.name)] = building
    return buildings


def seed_households(buildings, keys):
    """Every flat in `keys` (estate, building, room); bulk-created, so grid and community are copied here."""
    existing = {
        (h.building_id, h.room): h for h in Household.objects.filter(building__in=list(buildings.values()))
    }
    missing = []
    for estate, building_name, room in keys:
        building = buildings[(estate, building_name)]
        if (building.pk, room) not in existing:
            missing.append(
                Household(
                    building=building, room=room, grid_id=building.grid_id, community_id=building.community_id, is_demo=True
                )
            )
    Household.objects.bulk_create(missing, batch_size=500)
    by_pk = {b.pk: key for key, b in buildings.items()}
    return {
        (*by_pk[h.building_id], h.room): h
        for h in Household.objects.filter(building__in=list(buildings.values()))
    }


def seed_facilities(community):
    for name, kind, fields, parts in facts.FACILITIES:
        parent = _facility(community, name, kind, fields, parent=None)
        for part_name, part_kind, part_fields in parts:
            _facility(community, part_name, part_kind, part_fields, parent=parent)


def _facility(community, name, kind, fields, *, parent):
    facility, _ = Facility.objects.get_or_create(
        community=community, name=name, defaults={"kind": kind, "parent": parent, "is_demo": True, **fields}
    )
    return facility
