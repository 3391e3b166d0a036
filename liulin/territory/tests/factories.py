import factory
from factory.django import DjangoModelFactory

from liulin.territory.models import Area, Building, Estate, Grid, Household


def square(lon, lat, size=0.002):
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = Area

    kind = Area.Kind.DISTRICT
    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"测试区{n}")


class SubdistrictFactory(DistrictFactory):
    kind = Area.Kind.SUBDISTRICT
    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"测试街道{n}")
    parent = factory.SubFactory(DistrictFactory)


class CommunityFactory(DistrictFactory):
    kind = Area.Kind.COMMUNITY
    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"测试社区{n}")
    parent = factory.SubFactory(SubdistrictFactory)


class GridFactory(DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    code = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}网格")
    # Grids laid side by side so they never overlap.
    boundary = factory.Sequence(lambda n: square(112.8 + 0.01 * n, 28.3))


class EstateFactory(DjangoModelFactory):
    class Meta:
        model = Estate

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"测试小区{n}")


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    grid = factory.SubFactory(GridFactory)
    estate = factory.SubFactory(EstateFactory, community=factory.SelfAttribute("..grid.community"))
    name = factory.Sequence(lambda n: f"{n}栋")
    lon = factory.LazyAttribute(lambda b: b.grid.boundary["coordinates"][0][0][0] + 0.001)
    lat = factory.LazyAttribute(lambda b: b.grid.boundary["coordinates"][0][0][1] + 0.001)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    room = factory.Sequence(lambda n: f"{100 + n}")
