"""Maps in the browser: the resident taps the place on a map of his community's grids and
buildings (the latitude/longitude boxes fill and the ticket is filed there); his ticket page
shows that place; the dispatcher's queue shows its tickets on the same map. No tile server is
configured, so no page asks a third party for anything."""

import re

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.whistle.models import Category, Ticket
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults, submitted

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def outside_requests(page, live_server):
    """Every request the page makes that is not to our own server."""
    seen = []
    page.on("request", lambda request: seen.append(request.url) if not request.url.startswith(live_server.url) else None)
    return seen


def test_resident_taps_the_place_on_the_map(page, live_server, screenshot):
    seed_whistle_defaults()
    town = make_town()
    foreign = outside_requests(page, live_server)
    switch_user(page, town.resident_user, PASSWORD)
    page.goto("/whistle/new/")
    page.locator("#id_category").select_option(str(Category.objects.get(code="municipal-streetlight").pk))
    page.locator("#id_description").fill("小区北边的路灯整晚不亮。")
    page.get_by_label("地图上的位置").check()

    box = page.locator("form .map")
    expect(box).to_be_visible()
    expect(box.locator("svg path").first).to_be_attached()  # the grids are drawn
    assert page.locator("#id_lat").input_value() == ""
    size = box.bounding_box()
    box.click(position={"x": size["width"] * 0.3, "y": size["height"] * 0.5})
    expect(page.locator("#id_lat")).not_to_have_value("")
    lat, lon = float(page.locator("#id_lat").input_value()), float(page.locator("#id_lon").input_value())
    assert 28.29 < lat < 28.32 and 112.89 < lon < 112.93, (lat, lon)  # inside the town's grids
    assert_accessible(page)
    screenshot(page, "map-1-pick")
    page.get_by_role("button", name="提交").click()

    number = page.get_by_test_id("ticket-number").inner_text().strip()
    ticket = Ticket.objects.get(number=number)
    assert (round(ticket.lat, 6), round(ticket.lon, 6)) == (lat, lon)
    assert ticket.grid in (town.grid1, town.grid2) and not ticket.needs_location

    page.get_by_role("link", name="查看工单").click()
    shown = page.get_by_test_id("ticket-map")
    expect(shown).to_have_class(re.compile(r"\bleaflet-container\b"))
    expect(shown.locator("svg path").first).to_be_attached()
    assert float(shown.get_attribute("data-lat")) == pytest.approx(lat)
    assert_accessible(page)
    screenshot(page, "map-2-ticket")
    assert not foreign, f"the maps asked outside servers: {foreign[:3]}"


def test_the_dispatch_queue_shows_its_tickets_on_the_map(page, live_server, screenshot):
    seed_whistle_defaults()
    town = make_town()
    submitted(town)  # at building b1, which has coordinates
    submitted(town, building=town.b3)
    foreign = outside_requests(page, live_server)
    switch_user(page, town.staff, PASSWORD)
    page.goto("/whistle/queue/")
    box = page.get_by_test_id("queue-map")
    expect(box).to_have_attribute("data-count", "2")
    expect(box.locator("path.leaflet-interactive")).to_have_count(2)
    assert_accessible(page)
    # A filter swaps the rows in (htmx); the map follows the list.
    page.locator("#id_grid").select_option(str(town.grid2.pk))
    expect(box).to_have_attribute("data-count", "1")
    expect(box.locator("path.leaflet-interactive")).to_have_count(1)
    screenshot(page, "map-3-queue")
    assert not foreign, f"the maps asked outside servers: {foreign[:3]}"
