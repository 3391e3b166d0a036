import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
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
def two_grids(community):
    g1 = GridFactory(community=community, boundary=square(112.8, 28.3, 0.01))
    g2 = GridFactory(community=community, boundary=square(112.81, 28.3, 0.01))
    return g1, g2


def api(client, user, url):
    client.force_login(user)
    return client.get(f"/api/v1/territory{url}")


def test_area_tree_starts_at_the_users_area(client, community):
    district = community.parent.parent
    CommunityFactory(parent=community.parent)
    body = api(client, make_user(Role.COMMUNITY_STAFF, district), "/areas").json()
    assert [n["code"] for n in body] == [district.code]
    assert len(body[0]["children"][0]["children"]) == 2
    body = api(client, make_user(Role.COMMUNITY_STAFF, community), "/areas").json()
    assert [(n["code"], n["children"]) for n in body] == [(community.code, [])]


def test_grid_list_is_paginated_and_carries_geojson(client, community, two_grids):
    staff = make_user(Role.COMMUNITY_STAFF, community)
    body = api(client, staff, "/grids?limit=1").json()
    assert body["count"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["boundary"]["type"] == "Polygon"


def test_grid_worker_sees_only_his_grid(client, two_grids):
    g1, g2 = two_grids
    worker = make_user(Role.GRID_WORKER, g1)
    body = api(client, worker, "/grids").json()
    assert [g["id"] for g in body["items"]] == [g1.pk]
    assert api(client, worker, f"/grids/{g2.pk}").status_code == 404
    assert api(client, worker, f"/grids/{g2.pk}").json()["code"] == "not_found"


def test_grid_at_point_hides_grids_out_of_scope(client, two_grids):
    g1, g2 = two_grids
    worker = make_user(Role.GRID_WORKER, g1)
    assert api(client, worker, "/grids/at?lon=112.805&lat=28.305").json()["id"] == g1.pk
    assert api(client, worker, "/grids/at?lon=112.815&lat=28.305").status_code == 404
    assert api(client, worker, "/grids/at?lon=500&lat=28.3").status_code == 422


def test_geojson_feature_collection_for_maps(client, community, two_grids):
    body = api(client, make_user(Role.COMMUNITY_STAFF, community), "/grids/geojson").json()
    assert body["type"] == "FeatureCollection"
    assert {f["properties"]["code"] for f in body["features"]} == {g.code for g in two_grids}


def test_buildings_and_households_scoped_to_grid(client, two_grids):
    g1, g2 = two_grids
    h1 = HouseholdFactory(building=BuildingFactory(grid=g1))
    HouseholdFactory(building=BuildingFactory(grid=g2))
    worker = make_user(Role.GRID_WORKER, g1)
    assert [b["grid_id"] for b in api(client, worker, "/buildings").json()["items"]] == [g1.pk]
    households = api(client, worker, "/households").json()["items"]
    assert [h["id"] for h in households] == [h1.pk]
    assert households[0]["address"].endswith(f"{h1.room}室")


def test_estates_of_other_community_are_hidden(client, community):
    mine = EstateFactory(community=community)
    other = EstateFactory()
    staff = make_user(Role.COMMUNITY_STAFF, community)
    assert [e["id"] for e in api(client, staff, "/estates").json()["items"]] == [mine.pk]
    assert api(client, staff, f"/estates/{other.pk}").status_code == 404


def test_resident_sees_only_his_household(client):
    from liulin.people.tests.factories import ResidentFactory

    resident = ResidentFactory()
    HouseholdFactory(building=resident.household.building)
    user = make_user(Role.RESIDENT, resident=resident)
    body = api(client, user, "/households").json()
    assert [h["id"] for h in body["items"]] == [resident.household_id]


def test_anonymous_gets_401_json(client):
    response = client.get("/api/v1/territory/grids")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("query", ["offset=9223372036854775809", "limit=100000000000000000000", "offset=-1", "limit=0"])
def test_absurd_pagination_is_a_422_not_a_crash(client, community, two_grids, query):
    response = api(client, make_user(Role.COMMUNITY_STAFF, community), f"/grids?{query}")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
