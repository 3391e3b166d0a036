"""The API: scoped lists, enrol, the person's own steps, check-in, errors as {detail, code}."""

import datetime
import json

import pytest
import time_machine
from django.test import Client

from liulin.accounts.tests.factories import make_user
from liulin.activities import services
from liulin.activities.models import Enrolment, FamilyLink
from liulin.core import clock
from liulin.core.roles import Role

from .factories import Town

pytestmark = pytest.mark.django_db
JSON = "application/json"


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_resident_sees_his_communitys_announced_activities_only():
    town = Town()
    open_event, draft = town.event(title="运动会"), town.event(title="筹备中的讲座", state="draft")
    Town().event(title="别的社区的活动")
    person = town.resident()
    body = client_for(person.user).get("/api/v1/activities/").json()
    assert [a["title"] for a in body["items"]] == ["运动会"]
    assert client_for(person.user).get(f"/api/v1/activities/{draft.pk}").status_code == 404
    assert client_for(town.staff).get(f"/api/v1/activities/{draft.pk}").status_code == 200
    assert open_event.pk in [a["id"] for a in client_for(town.staff).get("/api/v1/activities/").json()["items"]]


def test_enrol_wait_and_see_the_position_then_the_offer():
    town = Town()
    event = town.event(capacity=1)
    first, second = town.resident(), town.resident()
    r = client_for(first.user).post(f"/api/v1/activities/{event.pk}/enrol", {"resident_id": first.pk}, content_type=JSON)
    assert r.status_code == 201 and r.json()["state"] == "confirmed" and r.json()["checkin_code"]
    r = client_for(second.user).post(f"/api/v1/activities/{event.pk}/enrol", {"resident_id": second.pk}, content_type=JSON)
    assert r.json()["state"] == "waiting" and r.json()["position"] == 1
    again = client_for(second.user).post(f"/api/v1/activities/{event.pk}/enrol", {"resident_id": second.pk}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "already_enrolled"
    mine = client_for(first.user).get("/api/v1/activities/enrolments/mine").json()
    r = client_for(first.user).post(f"/api/v1/activities/enrolments/{mine[0]['id']}/actions/cancel", {}, content_type=JSON)
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    offered = client_for(second.user).get("/api/v1/activities/enrolments/mine").json()[0]
    assert offered["state"] == "offered" and offered["offer_expires_at"]
    r = client_for(second.user).post(f"/api/v1/activities/enrolments/{offered['id']}/actions/accept", {}, content_type=JSON)
    assert r.json()["state"] == "confirmed"
    r = client_for(second.user).post(f"/api/v1/activities/enrolments/{offered['id']}/actions/accept", {}, content_type=JSON)
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"


def test_a_stranger_can_neither_enrol_nor_act_for_someone_else():
    town = Town()
    event = town.event()
    person, stranger = town.resident(), town.resident()
    r = client_for(stranger.user).post(f"/api/v1/activities/{event.pk}/enrol", {"resident_id": person.pk}, content_type=JSON)
    assert r.status_code == 404
    enrolment = services.enrol(actor=person.user, activity=event, resident=person)
    r = client_for(stranger.user).post(f"/api/v1/activities/enrolments/{enrolment.pk}/actions/cancel", {}, content_type=JSON)
    assert r.status_code == 404
    assert Enrolment.objects.get(pk=enrolment.pk).state == "confirmed"


def test_check_in_by_code_and_a_repeat_scan():
    town = Town()
    event, person = town.event(), town.resident()
    enrolment = services.enrol(actor=person.user, activity=event, resident=person)
    staff = client_for(town.staff)
    first = staff.post(f"/api/v1/activities/{event.pk}/check-in", {"code": services.checkin_code(enrolment)}, content_type=JSON)
    assert first.status_code == 200 and first.json()["repeat"] is False
    second = staff.post(f"/api/v1/activities/{event.pk}/check-in", {"code": services.checkin_code(enrolment)}, content_type=JSON)
    assert second.json()["repeat"] is True and second.json()["at"] == first.json()["at"] and second.json()["by"] == town.staff.name
    bad = staff.post(f"/api/v1/activities/{event.pk}/check-in", {"code": "1:bad\x00"}, content_type=JSON)
    assert bad.status_code in (400, 422) and "code" in bad.json()
    resident_try = client_for(person.user).post(f"/api/v1/activities/{event.pk}/check-in",
                                                {"code": services.checkin_code(enrolment)}, content_type=JSON)
    assert resident_try.status_code == 404


def test_staff_create_open_and_a_class_needs_course_and_term():
    town = Town()
    staff = client_for(town.staff)
    start = clock.now() + datetime.timedelta(days=3)
    body = {"kind": "event", "title": "好家风评比颁奖", "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=2)).isoformat(), "capacity": 100, "reserved": 10}
    r = staff.post("/api/v1/activities/", body, content_type=JSON)
    assert r.status_code == 201 and r.json()["state"] == "draft" and r.json()["open_places"] == 90
    r = staff.post(f"/api/v1/activities/{r.json()['id']}/actions/open", {}, content_type=JSON)
    assert r.json()["state"] == "open"
    r = staff.post("/api/v1/activities/", {**body, "kind": "class"}, content_type=JSON)
    assert r.status_code == 400
    r = staff.post("/api/v1/activities/", {**body, "reserved": 101}, content_type=JSON)
    assert r.status_code == 400
    r = staff.post("/api/v1/activities/", {**body, "starts_at": "9999-01-01T00:00:00+00:00"}, content_type=JSON)
    assert r.status_code == 400 and r.json()["code"] == "out_of_range"
    person = town.resident()
    assert client_for(person.user).post("/api/v1/activities/", body, content_type=JSON).status_code in (403, 404)


def test_guardian_link_by_staff_then_the_child_is_enrolled():
    town = Town()
    camp = town.event(min_age=6, max_age=14)
    child, parent = town.resident(age=8, with_user=False), town.resident(age=35)
    r = client_for(town.staff).post("/api/v1/activities/family-links",
                                    {"resident_id": child.pk, "relative_id": parent.pk, "kind": "guardian"}, content_type=JSON)
    assert r.status_code == 201
    assert client_for(parent.user).post("/api/v1/activities/family-links",
                                        {"resident_id": child.pk, "relative_id": parent.pk, "kind": "guardian"},
                                        content_type=JSON).status_code in (403, 404)
    r = client_for(parent.user).post(f"/api/v1/activities/{camp.pk}/enrol", {"resident_id": child.pk}, content_type=JSON)
    assert r.status_code == 201, r.json()
    assert FamilyLink.objects.count() == 1


def test_selection_by_api_nominate_review_vote_and_the_published_list_has_no_names():
    from liulin.activities import selection as sel

    town = Town()
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风评比", choices_per_ballot=1)
    family = town.resident(name="赵大妈")
    r = client_for(family.user).post(f"/api/v1/activities/selections/{selection.pk}/nominations",
                                     {"family_name": "赵家", "story": "三代同堂，孝老爱亲，热心邻里事务。"}, content_type=JSON)
    assert r.status_code == 201
    nomination_id = r.json()["id"]
    staff = client_for(town.staff)
    assert staff.post(f"/api/v1/activities/selections/{selection.pk}/actions/start_review", {}, content_type=JSON).status_code == 200
    assert client_for(family.user).post(f"/api/v1/activities/selections/nominations/{nomination_id}/review", {"accept": True},
                                        content_type=JSON).status_code == 404
    assert staff.post(f"/api/v1/activities/selections/nominations/{nomination_id}/review", {"accept": True},
                      content_type=JSON).status_code == 200
    staff.post(f"/api/v1/activities/selections/{selection.pk}/actions/start_voting", {}, content_type=JSON)
    voter = client_for(town.resident().user)
    assert voter.post(f"/api/v1/activities/selections/{selection.pk}/vote", {"nomination_ids": [nomination_id]},
                      content_type=JSON).status_code == 201
    again = voter.post(f"/api/v1/activities/selections/{selection.pk}/vote", {"nomination_ids": [nomination_id]}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "voted_today"
    notice_id = staff.post(f"/api/v1/activities/selections/{selection.pk}/actions/start_publicity", {},
                           content_type=JSON).json()["notice_id"]
    notice = client_for(family.user).get(f"/api/v1/notices/{notice_id}").json()  # objections are filed and answered there
    assert "赵家" in json.dumps(notice, ensure_ascii=False) and "赵大妈" not in json.dumps(notice, ensure_ascii=False)
    secretary = make_user(Role.COMMUNITY_SECRETARY, town.community)
    early = client_for(secretary).post(f"/api/v1/activities/selections/{selection.pk}/actions/publish", {}, content_type=JSON)
    assert early.status_code == 409 and early.json()["code"] == "window_open"
    with time_machine.travel(clock.now() + datetime.timedelta(days=30)):  # past the period (signed in afresh then)
        body = client_for(secretary).post(f"/api/v1/activities/selections/{selection.pk}/actions/publish", {}, content_type=JSON).json()
    assert body["state"] == "published" and body["result"][0]["family_name"] == "赵家" and body["result"][0]["votes"] == 1
    assert "赵大妈" not in json.dumps(body, ensure_ascii=False)
