"""address_string is located as every channel's free-text address is (whistle.routing.
locate_address): a landmark places the request at its grid, an unknown text is filed to the
community's dispatch queue as 待定位, and a place outside the key's scope is refused."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.territory.tests.factories import GridFactory
from liulin.whistle import selectors as whistle_selectors
from liulin.whistle.models import Landmark, Ticket, Tier

pytestmark = pytest.mark.django_db


def _post(client, form, text):
    del form["lat"], form["long"]
    return client.post("/open311/v2/requests.json", {**form, "address_string": text})


def test_landmark_in_the_text_places_the_request_at_its_grid(client, place, form):
    park_grid = GridFactory(community=place["community"])
    Landmark.objects.create(community=place["community"], name="同心公园", grid=park_grid)
    response = _post(client, form, "中南社区同心公园旁")
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(number=response.json()[0]["service_request_id"])
    assert (ticket.grid, ticket.community, ticket.building) == (park_grid, place["community"], None)
    assert not ticket.needs_location and ticket.address == "中南社区同心公园旁"
    assert ticket.handling_org == place["company"] and ticket.state == "dispatched"


def test_unknown_text_is_filed_to_the_community_queue_as_unlocated(client, place, form):
    response = _post(client, form, "火星基地门口")
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(number=response.json()[0]["service_request_id"])
    assert ticket.needs_location and ticket.state == "submitted" and ticket.tier == Tier.COMMUNITY
    assert ticket.community == place["community"] and ticket.handling_org is None
    dispatcher = make_user(Role.COMMUNITY_STAFF, place["community"])
    queue = whistle_selectors.dispatch_queue(dispatcher, whistle_selectors.QueueFilters(unlocated=True))
    assert [t.pk for t in queue] == [ticket.pk]


def test_landmark_outside_the_keys_scope_is_refused(client, place, form):
    elsewhere = GridFactory()
    Landmark.objects.create(community=elsewhere.community, name="望月湖公园", grid=elsewhere)
    response = _post(client, form, "望月湖公园北门")
    assert response.status_code == 403, response.content
    assert not Ticket.objects.exists()
