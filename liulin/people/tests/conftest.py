import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.core.validators import id_check_char
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, GridFactory, HouseholdFactory


def id_ending_in_x(birth=datetime.date(1958, 3, 9), region="430112"):
    """A valid ID number whose check character is X (the case people mistype most)."""
    for seq in range(1000):
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        if id_check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check character in range")


@pytest.fixture
def town(db):
    """One community with two grids, a building in each, and a resident in each grid."""
    grid1 = GridFactory()
    grid2 = GridFactory(community=grid1.community)
    building1 = BuildingFactory(grid=grid1, estate__name="中南小苑", name="3栋")
    building2 = BuildingFactory(grid=grid2, estate__community=grid1.community, estate__name="同心家园", name="8栋")
    zhang = ResidentFactory(
        name="张三", mobile="13812345678", id_number=id_ending_in_x(), birth_date=datetime.date(1958, 3, 9),
        household=HouseholdFactory(building=building1, room="301"),
    )
    li = ResidentFactory(name="李四", mobile="13987654321", household=HouseholdFactory(building=building2, room="502"))
    return {"community": grid1.community, "grid1": grid1, "grid2": grid2, "b1": building1, "b2": building2,
            "zhang": zhang, "li": li}


@pytest.fixture
def staff(town):
    return make_user(Role.COMMUNITY_STAFF, town["community"])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
