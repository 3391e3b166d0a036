"""Every GET detail endpoint under /api/v1 × every role: an object of another community is
"not found" (404 JSON), exactly as the pages answer. The endpoints are read from the OpenAPI
document, so a new detail endpoint is covered - or fails here until its path parameter is
mapped to an object in `world.Town.object_for`."""

import pytest

from liulin.api import api
from liulin.core.roles import Role

from .world import make_town

pytestmark = pytest.mark.django_db


def detail_endpoints():
    found = []
    for path, operations in api.get_openapi_schema(path_prefix="/api/v1/")["paths"].items():
        get = operations.get("get")
        if get is None or not get.get("security"):  # no login: public by design (a public wish list)
            continue
        params = [p["name"] for p in get.get("parameters", []) if p["in"] == "path"]
        if len(params) == 1:
            found.append((path, params[0]))
    return found


ENDPOINTS = detail_endpoints()


def test_the_matrix_covers_every_app():
    prefixes = {path.split("/")[3] for path, _ in ENDPOINTS}
    assert {"territory", "people", "orgs", "tickets", "votes"} <= prefixes


@pytest.fixture
def towns():
    return make_town(with_users=True), make_town()


@pytest.mark.parametrize("path, param", ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_other_scope_is_404_for_every_role(client, towns, path, param):
    here, there = towns
    target = there.object_for(param)
    assert target is not None, f"map the path parameter {param!r} of {path} to an object in tests/api/world.py"
    url = path.replace("{" + param + "}", str(target.pk))
    leaks = []
    for role in Role:
        client.force_login(here.users[role])
        response = client.get(url)
        if response.status_code != 404 or response.json().get("code") != "not_found":
            leaks.append((role.value, response.status_code))
    assert leaks == [], f"{url} answered other than 404 to: {leaks}"


@pytest.mark.parametrize("path, param", [e for e in ENDPOINTS if "/tickets/" in e[0] or "/people/" in e[0]])
def test_own_scope_is_visible_to_community_staff(client, towns, path, param):
    """The same endpoints do answer inside the scope, so the 404s above are about scope."""
    here, _ = towns
    client.force_login(here.users[Role.COMMUNITY_STAFF])
    response = client.get(path.replace("{" + param + "}", str(here.object_for(param).pk)))
    assert response.status_code == 200, response.content[:200]
