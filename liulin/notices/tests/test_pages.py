"""The pages and the API: staff create, publish and answer from the pages; a resident reads
(his household's receipt records it) and objects; the public page shows no names or rooms;
bad input is a form error or JSON {detail, code}; list pages read a fixed number of queries."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liulin.notices import services
from liulin.notices.models import Channel, Notice, Receipt, State

from .factories import draft, kind, notice_in_state


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_staff_create_publish_and_answer_from_the_pages(world):
    staff = client_for(world.staff)
    r = staff.post(reverse("notices:create"), {"kind": kind().pk, "title": "低保审核确认公示", "body": "拟新增 1 户。"})
    notice = Notice.objects.get()
    assert r.status_code == 302
    r = staff.post(reverse("notices:create"), {"kind": kind().pk, "title": "", "body": "x"})
    assert r.status_code == 200 and Notice.objects.count() == 1
    staff.post(reverse("notices:act", args=[notice.pk, "publish"]))
    notice.refresh_from_db()
    assert notice.state == State.PUBLISHED
    r = staff.post(reverse("notices:act", args=[notice.pk, "finalise"]), follow=True)
    assert "期满前不能办结" in r.content.decode()
    resident = client_for(world.residents[0])
    page = resident.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "低保审核确认公示" in page and "公示期自次日起算" in page
    assert Receipt.objects.get(notice=notice, household=world.households[0], channel=Channel.IN_APP).read_at is not None
    resident.post(reverse("notices:object", args=[notice.pk]), {"text": "有一户收入不符。"})
    objection = notice.objections.get()
    assert resident.post(reverse("notices:answer", args=[objection.pk]), {"answer": "x"}).status_code == 404
    staff.post(reverse("notices:answer", args=[objection.pk]), {"answer": "已核实。"})
    objection.refresh_from_db()
    assert objection.answered_at is not None
    receipts = staff.get(reverse("notices:receipts", args=[notice.pk])).content.decode()
    assert "已送达 2 户，已读 1 户" in receipts
    assert resident.get(reverse("notices:receipts", args=[notice.pk])).status_code == 403


def test_public_page_masks_names_and_rooms(world):
    notice = draft(world, body="张三丰家庭（3栋2单元501室）拟纳入低保，联系电话13812345678。")
    services.act(actor=world.staff, notice=notice, action="publish")
    page = Client().get(reverse("notices:public", args=[notice.pk])).content.decode()
    assert "张三丰" not in page and "501" not in page and "13812345678" not in page
    assert Client().get(reverse("notices:public", args=[draft(world).pk])).status_code == 404


def test_resident_cannot_see_a_draft_or_create(world):
    notice = draft(world)
    resident = client_for(world.residents[0])
    assert resident.get(reverse("notices:detail", args=[notice.pk])).status_code == 404
    assert resident.get(reverse("notices:create")).status_code == 403
    assert resident.get(reverse("notices:catalogue")).status_code == 403


def test_list_pages_read_a_fixed_number_of_queries(world):
    staff = client_for(world.staff)
    notice_in_state(world, State.PUBLISHED)
    staff.get(reverse("notices:home"))
    with CaptureQueriesContext(connection) as few:
        staff.get(reverse("notices:home"))
    for _ in range(4):
        notice_in_state(world, State.PUBLISHED)
    with CaptureQueriesContext(connection) as many:
        staff.get(reverse("notices:home"))
    assert len(many) == len(few)
    assert staff.get(reverse("notices:catalogue")).status_code == 200


def test_api(world):
    staff = client_for(world.staff)
    r = staff.post("/api/v1/notices/", {"community_id": world.community.pk, "kind": "dibao", "title": "公示", "body": "内容"},
                   content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert staff.post(f"/api/v1/notices/{pk}/actions/publish", {}, content_type="application/json").json()["state"] == "published"
    r = staff.post(f"/api/v1/notices/{pk}/actions/finalise", {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "window_open"
    r = staff.post(f"/api/v1/notices/{pk}/actions/discard", {"reason": "撤"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = staff.post(f"/api/v1/notices/{pk}/corrections", {"title": "更正", "body": "新内容", "reason": "笔误"},
                   content_type="application/json")
    assert r.status_code == 201 and [v["number"] for v in r.json()["versions"]] == [2, 1]
    resident = client_for(world.residents[0])
    r = resident.post(f"/api/v1/notices/{pk}/objections", {"text": "异议"}, content_type="application/json")
    assert r.status_code == 201
    r = resident.get(f"/api/v1/notices/{pk}/receipts")
    assert [row["household_id"] for row in r.json()["items"]] == [world.households[0].pk]
    r = resident.post(f"/api/v1/notices/{pk}/objections", {"text": " "}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "required"
