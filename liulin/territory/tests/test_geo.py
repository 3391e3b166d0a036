import pytest

from liulin.core.errors import Invalid
from liulin.territory import geo
from liulin.territory.tests.factories import GridFactory, square

pytestmark = pytest.mark.django_db


def test_point_inside_a_grid_finds_it():
    grid = GridFactory(boundary=square(112.8, 28.3, 0.01))
    assert geo.grid_for_point(112.805, 28.305) == grid


def test_point_outside_every_grid_finds_none():
    GridFactory(boundary=square(112.8, 28.3, 0.01))
    assert geo.grid_for_point(112.9, 28.305) is None


def test_point_on_outer_border_belongs_to_the_grid():
    grid = GridFactory(boundary=square(112.8, 28.3, 0.01))
    assert geo.grid_for_point(112.8, 28.305) == grid
    assert geo.grid_for_point(112.81, 28.31) == grid  # a corner


def test_point_on_shared_border_goes_to_the_first_code_every_time():
    west = GridFactory(code="A01", boundary=square(112.8, 28.3, 0.01))
    GridFactory(code="A02", boundary=square(112.81, 28.3, 0.01))
    assert geo.grid_for_point(112.81, 28.305) == west


def test_multipolygon_grid_found_in_either_part():
    grid = GridFactory(
        boundary={
            "type": "MultiPolygon",
            "coordinates": [square(112.8, 28.3, 0.01)["coordinates"], square(112.85, 28.3, 0.01)["coordinates"]],
        }
    )
    assert geo.grid_for_point(112.805, 28.305) == grid
    assert geo.grid_for_point(112.855, 28.305) == grid
    assert geo.grid_for_point(112.83, 28.305) is None


def test_cache_follows_a_moved_boundary_and_a_deleted_grid():
    grid = GridFactory(boundary=square(112.8, 28.3, 0.01))
    assert geo.grid_for_point(112.805, 28.305) == grid
    grid.boundary = square(113.0, 28.3, 0.01)
    grid.save()
    assert geo.grid_for_point(112.805, 28.305) is None
    assert geo.grid_for_point(113.005, 28.305) == grid
    grid.delete()
    assert geo.grid_for_point(113.005, 28.305) is None


def test_cache_notices_a_change_made_by_another_process():
    """Another process's write reaches us only through the database: simulate it by editing the
    row with a queryset update (no save hook) and stamping updated_at as save() would."""
    from liulin.core import clock
    from liulin.territory.models import Grid

    grid = GridFactory(boundary=square(112.8, 28.3, 0.01))
    assert geo.grid_for_point(112.805, 28.305) == grid
    Grid.objects.filter(pk=grid.pk).update(boundary=square(113.0, 28.3, 0.01), updated_at=clock.now())
    assert geo.grid_for_point(112.805, 28.305) is None


def test_lookup_reuses_the_cached_index_without_reparsing(django_assert_num_queries):
    GridFactory(boundary=square(112.8, 28.3, 0.01))
    geo.grid_for_point(112.805, 28.305)
    first = geo.grid_index()
    with django_assert_num_queries(2):  # the freshness key, then the grid row itself
        geo.grid_for_point(112.805, 28.305)
    assert geo.grid_index() is first


def test_bow_tie_polygon_is_rejected_with_shapely_explanation():
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(Invalid) as exc:
        geo.parse_boundary(bow_tie)
    assert "Self-intersection" in exc.value.detail
    assert exc.value.code == "invalid_polygon"


@pytest.mark.parametrize(
    "boundary, code",
    [
        ({"type": "Point", "coordinates": [112.8, 28.3]}, "invalid_geojson"),
        ("not geojson", "invalid_geojson"),
        ({"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]}, "coordinates_out_of_range"),
        ({"type": "Polygon", "coordinates": [[[0, 95], [1, 95], [1, 96], [0, 95]]]}, "coordinates_out_of_range"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]}, "invalid_geojson"),
        ({"type": "Polygon", "coordinates": [[["a", 0], [1, 0], [1, 1], [0, 0]]]}, "invalid_geojson"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]}, "invalid_polygon"),
    ],
)
def test_bad_boundaries_are_rejected(boundary, code):
    with pytest.raises(Invalid) as exc:
        geo.parse_boundary(boundary)
    assert exc.value.code == code


def test_touching_polygons_do_not_overlap_but_sharing_area_does():
    a = geo.parse_boundary(square(0, 0, 1))
    assert not geo.overlaps(a, geo.parse_boundary(square(1, 0, 1)))
    assert not geo.overlaps(a, geo.parse_boundary(square(1, 1, 1)))
    assert geo.overlaps(a, geo.parse_boundary(square(0.5, 0, 1)))
    assert geo.overlaps(a, geo.parse_boundary(square(0, 0, 1)))
    assert geo.overlaps(a, geo.parse_boundary(square(0.2, 0.2, 0.1)))
