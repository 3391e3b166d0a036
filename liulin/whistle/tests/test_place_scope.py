"""Staff file only at places inside their scope, by whatever channel: a grid worker in his
grid, a community role anywhere in the community. A point outside is 403
`place_out_of_scope`; a household or building outside is "not found" in the API (as one
that does not exist) and 403 in Open311 (as the GeoReport docs promise)."""

import pytest

from liulin.open311 import services as open311_services
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, square
from liulin.whistle.models import Intake, Ticket
from liulin.whistle.services import queue
from liulin.whistle.tests.intake_fixtures import BASE_LAT, BASE_LON

pytestmark = pytest.mark.django_db
JSON = "application/json"
IN_GRID1 = (BASE_LON + 0.005, BASE_LAT + 0.005)
IN_GRID2 = (BASE_LON + 0.015, BASE_LAT + 0.005)
ELSEWHERE = (BASE_LON + 0.055, BASE_LAT + 0.005)  # a grid of another community


@pytest.fixture
def elsewhere(town):
    community = CommunityFactory(name="别的社区")
    grid = GridFactory(community=community, boundary=square(BASE_LON + 0.05, BASE_LAT, 0.01))
    return BuildingFactory(grid=grid, name="远处1栋", lon=ELSEWHERE[0], lat=ELSEWHERE[1])


def _api_file(client, user, **place):
    client.force_login(user)
    body = {"category": "property-elevator", "description": "电梯停了", **place}
    return client.post("/api/v1/tickets", body, content_type=JSON)


def _point(lon_lat):
    return {"lon": lon_lat[0], "lat": lon_lat[1]}


# --- API --------------------------------------------------------------------------------


def test_grid_worker_files_by_point_in_his_grid_only(client, town):
    inside = _api_file(client, town.grid_worker, **_point(IN_GRID1))
    assert inside.status_code == 201, inside.json()
    assert inside.json()["grid"]["id"] == town.grid1.pk
    outside = _api_file(client, town.grid_worker, **_point(IN_GRID2))
    assert outside.status_code == 403, outside.json()
    assert outside.json() == {"detail": "该位置不在您的服务范围内。", "code": "place_out_of_scope", "field": "location"}
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("role", ["operator", "staff", "secretary"])
def test_community_wide_roles_file_by_point_in_every_grid_of_their_community(client, town, elsewhere, role):
    user = getattr(town, role)
    for lon_lat, grid in ((IN_GRID1, town.grid1), (IN_GRID2, town.grid2)):
        response = _api_file(client, user, **_point(lon_lat))
        assert response.status_code == 201, response.json()
        assert response.json()["grid"]["id"] == grid.pk
    other = _api_file(client, user, **_point(ELSEWHERE))
    assert other.status_code == 403 and other.json()["code"] == "place_out_of_scope"
    assert not Ticket.objects.filter(grid=elsewhere.grid).exists()


def test_household_or_building_outside_the_scope_reads_as_missing(client, town, elsewhere):
    for place in ({"building_id": town.b3.pk}, {"household_id": town.other_household.pk}, {"building_id": 10**9}):
        response = _api_file(client, town.grid_worker, **place)
        assert response.status_code == 404, (place, response.json())
        assert response.json()["code"] == "not_found"
    assert _api_file(client, town.grid_worker, building_id=town.b1.pk).status_code == 201
    assert _api_file(client, town.staff, building_id=town.b3.pk).status_code == 201
    assert _api_file(client, town.staff, building_id=elsewhere.pk).status_code == 404
    assert Ticket.objects.count() == 2


def test_a_household_in_scope_locates_the_ticket_whatever_point_is_sent(client, town):
    # The household decides the grid; the point is kept as a detail and not checked.
    response = _api_file(client, town.grid_worker, building_id=town.b1.pk, **_point(IN_GRID2))
    assert response.status_code == 201 and response.json()["grid"]["id"] == town.grid1.pk


def test_intake_queue_rejects_a_point_outside_the_scope(town):
    fields = {"category": "property-elevator", "description": "电梯停了"}
    queue.enqueue(actor=town.grid_worker, client_request_id="q-in", request={**fields, **_point(IN_GRID1)})
    queue.enqueue(actor=town.grid_worker, client_request_id="q-out", request={**fields, **_point(IN_GRID2)})
    queue.drain()
    assert Intake.objects.get(client_request_id="q-in").status == Intake.Status.FILED
    out = Intake.objects.get(client_request_id="q-out")
    assert (out.status, out.error_code) == (Intake.Status.REJECTED, "place_out_of_scope")


# --- Open311 ----------------------------------------------------------------------------


def _open311(client, user, **place):
    if not hasattr(user, "raw_key"):
        _, user.raw_key = open311_services.create_key(actor=None, name=f"key of {user.pk}", user=user)
    form = {"api_key": user.raw_key, "service_code": "property-elevator", "description": "电梯停了", **place}
    return client.post("/open311/v2/requests.json", form)


def _o311_point(lon_lat):
    return {"long": str(lon_lat[0]), "lat": str(lon_lat[1])}


def test_open311_point_outside_the_keys_scope_is_403(client, town):
    assert _open311(client, town.grid_worker, **_o311_point(IN_GRID1)).status_code == 200
    response = _open311(client, town.grid_worker, **_o311_point(IN_GRID2))
    assert response.status_code == 403
    assert "该位置不在您的服务范围内" in response.json()[0]["description"]
    assert Ticket.objects.count() == 1


def test_open311_address_id_outside_the_keys_scope_is_403_like_an_unknown_one(client, town):
    assert _open311(client, town.grid_worker, address_id=f"B{town.b1.pk}").status_code == 200
    answers = [
        _open311(client, town.grid_worker, address_id=address_id)
        for address_id in (f"B{town.b3.pk}", f"H{town.other_household.pk}", "B999999999")
    ]
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert len({a.content for a in answers}) == 1  # an unknown id reads as one out of scope
    assert answers[0].json()[0]["description"] == open311_services.PLACE_REFUSED
    assert Ticket.objects.count() == 1


def test_open311_key_of_a_community_role_files_anywhere_in_its_community(client, town, elsewhere):
    operator = town.operator
    assert _open311(client, operator, **_o311_point(IN_GRID2)).status_code == 200
    assert _open311(client, operator, address_id=f"B{town.b3.pk}").status_code == 200
    assert _open311(client, operator, **_o311_point(ELSEWHERE)).status_code == 403
    assert _open311(client, operator, address_id=f"B{elsewhere.pk}").status_code == 403
    assert Ticket.objects.count() == 2
