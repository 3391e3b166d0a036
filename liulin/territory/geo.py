"""Grid geometry: GeoJSON validation, overlap checks and point-in-grid lookup with shapely.

The lookup keeps every grid polygon parsed, prepared and in an STRtree once per process.
Reparsing GeoJSON on each call would cost milliseconds per grid; a city has thousands.

When is the cache stale? Each call first asks the database one cheap aggregate,
(count of grids, latest `updated_at`), and rebuilds when it differs from the cached key.
`Grid.save()` stamps `updated_at` and a delete lowers the count, so a change made by any
process (another web worker, a management command) is noticed on the next lookup without
a shared cache server. A stamp alone could miss a delete and a count alone could miss an
edit; together they catch both. `Grid.save()`/`delete()` also drop this process's cache at
once, so a change is seen immediately inside the transaction that made it.

shapely is imported where it is used (about 25 MB): a web worker that never meets a map
point or a grid boundary does not carry it.
"""

import math
import threading
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from liulin.core.errors import Invalid

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class GridIndex:
    key: tuple
    ids: tuple
    geometries: tuple
    prepared: tuple
    tree: "shapely.STRtree"  # noqa: F821 - shapely is imported on first use

    def containing(self, point):
        """Ids of grids whose polygon covers the point (the border counts), in grid-code order."""
        hits = sorted(int(i) for i in self.tree.query(point))
        return [self.ids[i] for i in hits if self.prepared[i].covers(point)]

    def overlapping(self, geometry, *, exclude_id=None):
        """Ids of grids whose interior meets `geometry`'s interior; touching edges do not count."""
        hits = sorted(int(i) for i in self.tree.query(geometry))
        return [self.ids[i] for i in hits if self.ids[i] != exclude_id and overlaps(self.geometries[i], geometry)]


_index: GridIndex | None = None
_lock = threading.Lock()


def invalidate():
    """Forget this process's polygons; the next lookup rebuilds them."""
    global _index
    _index = None


def _current_key():
    from .models import Grid

    agg = Grid.objects.aggregate(n=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return (agg["n"], agg["latest"], agg["top"])


def _build(key):
    from shapely import STRtree
    from shapely.geometry import shape
    from shapely.prepared import prep

    from .models import Grid

    ids, geometries = [], []
    for grid_id, boundary in Grid.objects.order_by("code").values_list("id", "boundary"):
        ids.append(grid_id)
        geometries.append(shape(boundary))
    return GridIndex(
        key=key,
        ids=tuple(ids),
        geometries=tuple(geometries),
        prepared=tuple(prep(g) for g in geometries),
        tree=STRtree(geometries),
    )


def grid_index():
    global _index
    key = _current_key()
    index = _index
    if index is None or index.key != key:
        with _lock:
            index = _index
            if index is None or index.key != key:
                index = _index = _build(key)
    return index


def grid_for_point(lon, lat):
    """The grid containing the point (lon, lat), or None. A point on a border shared by two
    grids belongs to the one whose code sorts first, so the answer is always the same."""
    from .models import Grid

    ids = grid_index().containing(point(lon, lat))
    return Grid.objects.select_related("community").get(pk=ids[0]) if ids else None


def point(lon, lat):
    from shapely.geometry import Point

    return Point(float(lon), float(lat))


def overlaps(a, b):
    """True when two polygons share area; polygons that only touch along an edge or at a
    corner do not overlap."""
    return a.intersects(b) and not a.touches(b)


def _check_coordinates(coordinates, depth):
    """Walk nested GeoJSON coordinate arrays down to [lon, lat] pairs and check each."""
    if not isinstance(coordinates, list | tuple):
        raise Invalid(_("GeoJSON 坐标格式不正确。"), code="invalid_geojson", field="boundary")
    if depth == 0:
        if len(coordinates) < 2 or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates[:2]):
            raise Invalid(_("每个坐标点应为 [经度, 纬度] 两个数字。"), code="invalid_geojson", field="boundary")
        lon, lat = coordinates[0], coordinates[1]
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise Invalid(
                f"坐标 [{lon}, {lat}] 超出范围：经度应在 -180 到 180 之间，纬度应在 -90 到 90 之间。",
                code="coordinates_out_of_range",
                field="boundary",
            )
        return
    for item in coordinates:
        _check_coordinates(item, depth - 1)


def parse_boundary(boundary):
    """Check a GeoJSON Polygon or MultiPolygon and return its shapely geometry.

    Raises Invalid with a message a community worker can act on: the wrong type, a
    coordinate out of range, or shapely's explanation of an invalid ring (e.g. a bow tie
    crossing itself)."""
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    if not isinstance(boundary, dict) or boundary.get("type") not in GEOMETRY_TYPES:
        found = boundary.get("type") if isinstance(boundary, dict) else type(boundary).__name__
        raise Invalid(f"网格边界应为 GeoJSON Polygon 或 MultiPolygon，收到的是 {found}。", code="invalid_geojson", field="boundary")
    coordinates = boundary.get("coordinates")
    _check_coordinates(coordinates, 2 if boundary["type"] == "Polygon" else 3)
    try:
        geometry = shape(boundary)
    except (ValueError, TypeError, IndexError, AttributeError) as e:
        raise Invalid(f"GeoJSON 无法解析为多边形：{e}", code="invalid_geojson", field="boundary") from None
    if geometry.is_empty:
        raise Invalid(_("网格边界为空。"), code="invalid_geojson", field="boundary")
    if not geometry.is_valid:
        raise Invalid(f"网格边界不是有效的多边形：{explain_validity(geometry)}", code="invalid_polygon", field="boundary")
    if geometry.area == 0:
        raise Invalid(_("网格边界面积为零。"), code="invalid_polygon", field="boundary")
    return geometry
