"""The API end to end: set up, notice, open, vote, count, publish, check a receipt, download
and re-add the record; refusals as {detail, code}."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from liulin.votes.models import Vote
from liulin.votes.publication import verify_document

from .factories import AFTER, CLOSES, OPENS, T0, make_world

pytestmark = pytest.mark.django_db
JSON = "application/json"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type=JSON)


def test_the_main_story_through_the_api():
    world = make_world()
    chair, owner = client_for(world.chair), client_for(world.owners[0].user)
    with time_machine.travel(T0, tick=False):
        made = post(chair, "/api/v1/votes", {"committee_id": world.committee.pk, "title": "选聘物业服务企业", "matter": 4,
                                             "opens_at": OPENS.isoformat(), "closes_at": CLOSES.isoformat()})
        assert made.status_code == 201, made.content
        vote_id = made.json()["id"]
        assert made.json()["actions"] == ["publish_notice", "cancel"]
        assert owner.get(f"/api/v1/votes/{vote_id}").status_code == 404  # a draft is the committee's
        assert post(chair, f"/api/v1/votes/{vote_id}/actions/publish_notice").status_code == 200
        early = post(owner, f"/api/v1/votes/{vote_id}/ballot", {"choice": "yes"})
        assert (early.status_code, early.json()["code"]) == (409, "not_open")
    with time_machine.travel(OPENS + timedelta(hours=1), tick=False):
        assert post(chair, f"/api/v1/votes/{vote_id}/actions/open").json()["state"] == "open"
        cast = post(owner, f"/api/v1/votes/{vote_id}/ballot", {"choice": "yes"})
        assert cast.status_code == 201
        code = cast.json()["receipt_code"]
        mine = owner.get(f"/api/v1/votes/{vote_id}").json()["my_units"]
        assert mine == [{"label": "1栋101", "area_cm2": 9000, "choice": "yes", "channel": "online"}]
        for other in world.owners[1:3]:
            assert post(client_for(other.user), f"/api/v1/votes/{vote_id}/ballot", {"choice": "no"}).status_code == 201
        live = chair.get(f"/api/v1/votes/{vote_id}/participation").json()
        assert (live["voted_area_cm2"], live["voted_owners"], live["quorate"]) == (28000, 3, True)
        assert owner.get(f"/api/v1/votes/{vote_id}/participation").status_code == 403
        assert owner.get(f"/api/v1/votes/{vote_id}/result").json()["code"] == "not_counted"
    with time_machine.travel(AFTER, tick=False):
        for action in ("close", "count", "publish_result"):
            assert post(chair, f"/api/v1/votes/{vote_id}/actions/{action}").status_code == 200, action
        result = owner.get(f"/api/v1/votes/{vote_id}/result").json()
        assert (result["strict"]["yes_area_cm2"], result["strict"]["passed"]) == (9000, False)
        checked = post(owner, f"/api/v1/votes/{vote_id}/receipt", {"code": code}).json()
        assert checked["counted"] and checked["in_published_log"] and checked["units"][0]["choice"] == "yes"
        assert not post(owner, f"/api/v1/votes/{vote_id}/receipt", {"code": "XXXX-XXXX-XXXX"}).json()["found"]
        record = owner.get(f"/api/v1/votes/{vote_id}/record")
        assert record.status_code == 200
        assert verify_document(record.json())[0] == []
        assert "业主" not in record.content.decode()  # units and areas, never names
    assert Vote.objects.get(pk=vote_id).passed is False


def test_refusals_are_json_and_change_nothing():
    world = make_world()
    chair = client_for(world.chair)
    bad = post(chair, "/api/v1/votes", {"committee_id": world.committee.pk, "title": "x", "matter": 4,
                                        "opens_at": CLOSES.isoformat(), "closes_at": OPENS.isoformat()})
    assert (bad.status_code, bad.json()["code"]) == (400, "closes_before_opens")
    huge = post(chair, "/api/v1/votes", {"committee_id": world.committee.pk, "title": "x", "matter": 4,
                                         "opens_at": "9999-01-01T00:00:00Z", "closes_at": "9999-02-01T00:00:00Z"})
    assert (huge.status_code, huge.json()["code"]) == (400, "out_of_range")
    nul = post(chair, "/api/v1/votes", {"committee_id": world.committee.pk, "title": "a\u0000b", "matter": 4,
                                        "opens_at": OPENS.isoformat(), "closes_at": CLOSES.isoformat()})
    assert nul.status_code == 400
    assert post(chair, "/api/v1/votes", {"committee_id": world.committee.pk, "title": "x", "matter": 10,
                                         "opens_at": OPENS.isoformat(), "closes_at": CLOSES.isoformat()}).status_code == 422
    assert not Vote.objects.exists()
    stranger = client_for(world.owners[0].user)
    assert post(stranger, "/api/v1/votes", {"committee_id": world.committee.pk, "title": "x", "matter": 4,
                                            "opens_at": OPENS.isoformat(), "closes_at": CLOSES.isoformat()}).status_code == 404
