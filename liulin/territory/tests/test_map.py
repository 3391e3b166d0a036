"""The maps' data (territory:map) and the tile setting: each user gets the geometry of his own
communities, public fields only, and no page asks a tile server unless one is configured."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core.maps import tile_csp_sources
from liulin.core.roles import Role
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communities():
    here, there = CommunityFactory(), CommunityFactory()
    home = HouseholdFactory(building=BuildingFactory(grid=GridFactory(community=here)), room="三单元702")
    BuildingFactory(grid=GridFactory(community=there))
    return here, there, home


def features(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("territory:map"), params)
    assert response.status_code == 200
    return response.json()


def test_a_resident_gets_his_own_communitys_grids_and_buildings_only(client, two_communities):
    here, there, home = two_communities
    user = make_user(Role.RESIDENT, resident=ResidentFactory(household=home))
    data = features(client, user)
    assert [g["code"] for g in data["grids"]] == [home.grid.code]
    assert data["grids"][0]["boundary"]["type"] == "Polygon"
    assert data["buildings"] == [
        {"name": f"{home.building.estate.name}{home.building.name}", "lon": home.building.lon, "lat": home.building.lat}
    ]
    # Public geometry only: no households, rooms or people.
    assert set(data) == {"grids", "buildings"}
    assert home.room not in json.dumps(data, ensure_ascii=False)


def test_staff_get_every_community_under_their_area_and_may_narrow_it(client, two_communities):
    here, there, home = two_communities
    district_staff = make_user(Role.COMMUNITY_STAFF, here.parent.parent)
    CommunityFactory(parent=here.parent)
    assert len(features(client, district_staff)["grids"]) == 1  # `there` is in another district
    community_staff = make_user(Role.COMMUNITY_STAFF, there)
    assert len(features(client, community_staff)["grids"]) == 1
    assert features(client, community_staff, community=here.pk) == {"grids": [], "buildings": []}  # not his


def test_a_grid_worker_sees_his_community(client, two_communities):
    here, there, home = two_communities
    GridFactory(community=here)
    worker = make_user(Role.GRID_WORKER, home.grid)
    assert len(features(client, worker)["grids"]) == 2


def test_bad_input_and_anonymous_users(client):
    assert reverse("accounts:login") in client.get(reverse("territory:map")).url
    client.force_login(make_user(Role.COMMUNITY_STAFF, CommunityFactory()))
    response = client.get(reverse("territory:map"), {"community": "1 or 1=1"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_tile_sources():
    assert tile_csp_sources("") == []
    assert tile_csp_sources("https://{s}.tile.example.org/{z}/{x}/{y}.png") == ["https://*.tile.example.org"]
    assert tile_csp_sources("https://tiles.example.org:8443/{z}/{x}/{y}.png") == ["https://tiles.example.org:8443"]
    for bad in ("javascript:alert(1)", "tiles.example.org/{z}", "https://a.{s}.example.org/{z}"):
        with pytest.raises(ValueError):
            tile_csp_sources(bad)


def _img_src(**env):
    code = "import django, os; from django.conf import settings; django.setup(); print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "liulin.settings", **env},
        capture_output=True, text=True, check=True, cwd=settings.BASE_DIR,
    )
    return result.stdout.split()


def test_the_csp_names_a_tile_host_only_when_one_is_configured(client, two_communities):
    here, there, home = two_communities
    assert _img_src(LIULIN_MAP_TILE_URL="") == ["'self'", "data:", "blob:"]
    assert _img_src(LIULIN_MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png") == [
        "'self'", "data:", "blob:", "https://*.tile.example.org"
    ]
    # The running server's header and pages: no tile host, no tile URL by default.
    client.force_login(make_user(Role.RESIDENT, resident=ResidentFactory(household=home)))
    response = client.get(reverse("whistle:file"))
    assert "tile" not in response["Content-Security-Policy"] and "data-tiles" not in response.content.decode()
    assert 'data-map-url="/territory/map.json"' in response.content.decode()


def test_a_configured_tile_server_reaches_the_map_pages(client, two_communities, settings):
    here, there, home = two_communities
    settings.LIULIN_MAP_TILE_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    settings.LIULIN_MAP_TILE_ATTRIBUTION = "© Example"
    client.force_login(make_user(Role.RESIDENT, resident=ResidentFactory(household=home)))
    html = client.get(reverse("whistle:file")).content.decode()
    assert 'data-tiles="https://{s}.tile.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-tiles-attribution="© Example"' in html
