"""The API walks the main story and answers refusals as {detail, code}."""

import datetime

import pytest
from django.test import Client

from liulin.core import clock
from liulin.deliberation.models import ItemState, Meeting
from liulin.whistle.tests.factories import CategoryFactory

from .factories import resident_user

JSON = "application/json"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(world):
    return client_for(world.staff)


def post(client, url, body=None):
    return client.post(f"/api/v1/deliberation{url}", body or {}, content_type=JSON)


def test_the_story_through_the_api(world, staff):
    start = clock.now() + datetime.timedelta(hours=1)
    r = post(staff, "/meetings", {"kind": "building", "title": "楼道灯坏了", "community_id": world.community.pk,
                                  "building_id": world.building.pk, "starts_at": start.isoformat(),
                                  "ends_at": (start + datetime.timedelta(hours=1)).isoformat(), "quorum": 1,
                                  "agenda": [{"title": "修灯", "owner": "王书记", "minutes": 20}],
                                  "invite_org_ids": [world.property_org.pk]})
    assert r.status_code == 201, r.content
    meeting_id = r.json()["id"]
    for action in ("notify", "open"):
        assert post(staff, f"/meetings/{meeting_id}/actions/{action}").status_code == 200
    resident = client_for(resident_user(world.building))
    token = Meeting.objects.get(pk=meeting_id).sign_in_token
    assert post(resident, f"/meetings/{meeting_id}/sign-in", {"token": token}).status_code == 201
    assert post(resident, f"/meetings/{meeting_id}/sign-in", {"token": token}).status_code == 200
    poll = post(staff, f"/meetings/{meeting_id}/polls", {"question": "由物业修灯？"}).json()
    assert post(resident, f"/polls/{poll['id']}/ballots", {"option_ids": [poll["options"][0]["id"]]}).status_code == 201
    hidden = resident.get(f"/api/v1/deliberation/polls/{poll['id']}/results")
    assert hidden.status_code == 409 and hidden.json()["code"] == "results_hidden"
    assert post(staff, f"/polls/{poll['id']}/close").status_code == 200
    assert resident.get(f"/api/v1/deliberation/polls/{poll['id']}/results").json() == {
        "options": [["赞成", 1], ["弃权", 0], ["反对", 0]], "ballots": 1}
    today = clock.today()
    r = post(staff, f"/meetings/{meeting_id}/decisions", {"text": "物业三日内修好", "poll_id": poll["id"], "item": {
        "title": "修灯", "owner_user_id": world.property_user.pk, "owner_org_id": world.property_org.pk,
        "due_date": str(today + datetime.timedelta(days=3)), "acceptance": "每层灯亮"}})
    assert r.status_code == 201, r.content
    item_id = r.json()["action_items"][0]["id"]
    r = post(staff, f"/action-items/{item_id}/actions/file_order", {"category": CategoryFactory().code})
    assert r.status_code == 200 and r.json()["state"] == ItemState.ORDERED and r.json()["work_order_number"]
    detail = resident.get(f"/api/v1/deliberation/meetings/{meeting_id}").json()
    assert detail["decisions"][0]["action_items"][0]["work_order_number"]
    assert detail["sign_in_sheet"] is None and detail["sign_in_code"] is None  # a resident sees counts, not names
    assert detail["voters_present"] == 1


def test_refusals_are_json(world, staff):
    start = clock.now()
    r = post(staff, "/meetings", {"kind": "building", "title": "x", "community_id": world.community.pk,
                                  "starts_at": start.isoformat(), "ends_at": start.isoformat()})
    assert r.status_code == 400 and r.json()["code"] == "ends_before_start"
    r = post(staff, "/meetings", {"kind": "residents", "title": "a\x00b", "community_id": world.community.pk,
                                  "starts_at": start.isoformat(), "ends_at": (start + datetime.timedelta(hours=1)).isoformat()})
    assert r.status_code == 400 and r.json()["code"] == "invalid_character"
    r = post(staff, "/meetings", {"kind": "residents", "title": "x", "community_id": world.community.pk,
                                  "starts_at": "9999-01-01T00:00:00+00:00", "ends_at": "9999-01-01T01:00:00+00:00"})
    assert r.status_code == 400 and r.json()["code"] == "out_of_range"
    assert not Meeting.objects.exists()
    r = post(staff, "/meetings", {"kind": "residents", "title": "x", "community_id": world.community.pk,
                                  "starts_at": start.isoformat(), "ends_at": (start + datetime.timedelta(hours=1)).isoformat()})
    meeting_id = r.json()["id"]
    r = post(staff, f"/meetings/{meeting_id}/actions/adjourn")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    stranger = client_for(resident_user(__import__("liulin.territory.tests.factories", fromlist=["x"]).BuildingFactory()))
    assert stranger.get(f"/api/v1/deliberation/meetings/{meeting_id}").status_code == 404
    assert post(stranger, f"/meetings/{meeting_id}/actions/notify").status_code == 404
