"""The API's writes of 物业监督 against its pages: contracts, surveys, supervisors and
inspections, each allowed for the role the page allows and refused as the page refuses
(another community's record is 404), bad input refused with {detail, code} and nothing
written, and the same request through the page and the API leaving the same records."""

import base64
import io

import pytest
from django.apps import apps
from django.urls import reverse
from PIL import Image

from liulin.core.attachments.models import Attachment
from liulin.core.roles import Role
from liulin.property import services
from liulin.property.models import Inspection, InspectionItem, ScopeItem, ServiceContract, Supervisor, Survey
from liulin.whistle.tests.factories import CategoryFactory

from .factories import Estate

pytestmark = pytest.mark.django_db

NUL = "\x00"
CONTRACT = {"starts_on": "2030-01-01", "ends_on": "2032-12-31", "fee_fen": 180, "signed_by": "业主委员会",
            "scope_items": [{"dimension": "cleaning", "name": "楼道保洁", "standard": "每日清扫"},
                            {"dimension": "security", "name": "门岗", "standard": "24 小时值守"}]}


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def counts():
    return {m._meta.label: m.objects.count() for m in apps.get_app_config("property").get_models()} | {
        "attachments": Attachment.objects.count()}


def refused(response, status, code=None):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert {"detail", "code"} <= set(body)
    if code:
        assert body["code"] == code, body
    return body


def png():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def place():
    return Estate()


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                         "OPTIONS": {"location": str(tmp_path)}}}


# --- contracts ---------------------------------------------------------------------------------


def test_staff_register_a_contract_and_others_are_refused(client, place):
    body = CONTRACT | {"estate_id": place.estate.pk, "company_id": place.company.pk}
    for role, status in ((Role.GRID_WORKER, 403), (Role.AUDITOR, 403), (Role.PROPERTY_STAFF, 403),
                         (Role.RESIDENT, 404)):
        client.force_login(place.users[role])
        refused(post(client, "/api/v1/property/contracts", body), status)
    client.force_login(Estate().staff)
    refused(post(client, "/api/v1/property/contracts", body), 404, "not_found")
    assert ServiceContract.objects.filter(estate=place.estate).count() == 1
    client.force_login(place.users[Role.COMMUNITY_SECRETARY])
    made = post(client, "/api/v1/property/contracts", body)
    assert made.status_code == 201, made.content
    assert made.json()["fee_fen"] == 180 and [i["name"] for i in made.json()["scope_items"]] == ["楼道保洁", "门岗"]
    again = post(client, "/api/v1/property/contracts", body | {"starts_on": "2031-01-01"})
    refused(again, 409, "overlapping_contract")


def test_a_contract_with_another_communitys_company_is_refused(client, place):
    client.force_login(place.staff)
    other = Estate()
    body = CONTRACT | {"estate_id": place.estate.pk, "company_id": other.company.pk}
    refused(post(client, "/api/v1/property/contracts", body), 400, "not_property_company")
    refused(post(client, "/api/v1/property/contracts", body | {"company_id": 10**9}), 400, "not_property_company")
    refused(post(client, "/api/v1/property/contracts", body | {"estate_id": 10**9}), 404, "not_found")


@pytest.mark.parametrize("change, status", [
    ({"signed_by": f"业主{NUL}委员会"}, 400),
    ({"signed_by": "长" * 61}, 400),
    ({"starts_on": "2030-02-30"}, 422),
    ({"ends_on": "9999-12-31"}, 400),
    ({"ends_on": "2029-12-31"}, 400),
    ({"fee_fen": -1}, 400),
    ({"fee_fen": 10**12}, 400),
    ({"scope_items": []}, 400),
    ({"scope_items": [{"name": "保洁"}, {"name": "保洁"}]}, 400),
    ({"scope_items": [{"name": "长" * 61}]}, 400),
    ({"scope_items": [{"name": "保洁", "standard": "长" * 201}]}, 400),
    ({"scope_items": [{"name": "保洁", "dimension": "x" * 17}]}, 422),
])
def test_bad_contract_input_is_refused_and_nothing_written(client, place, change, status):
    client.force_login(place.staff)
    before = counts()
    refused(post(client, "/api/v1/property/contracts", CONTRACT | {"estate_id": place.estate.pk,
                                                                   "company_id": place.company.pk} | change), status)
    assert counts() == before


def test_page_and_api_register_the_same_contract(client, place):
    client.force_login(place.staff)
    page = client.post(reverse("property:contract_new"), {
        "estate": place.estate.pk, "company": place.company.pk, "starts_on": "2030-01-01", "ends_on": "2032-12-31",
        "fee": "1.80", "signed_by": "业主委员会", "scope": "cleaning|楼道保洁|每日清扫\nsecurity|门岗|24 小时值守"})
    assert page.status_code == 302
    other = Estate()
    client.force_login(other.staff)
    made = post(client, "/api/v1/property/contracts", CONTRACT | {"estate_id": other.estate.pk,
                                                                  "company_id": other.company.pk})
    assert made.status_code == 201

    def shape(estate):
        contract = ServiceContract.objects.get(estate=estate, starts_on="2030-01-01")
        return ((contract.starts_on, contract.ends_on, contract.fee_fen, contract.signed_by, contract.created_by_id is not None),
                list(ScopeItem.objects.filter(contract=contract).values_list("dimension", "name", "standard", "order")))

    assert shape(place.estate) == shape(other.estate)


# --- surveys -----------------------------------------------------------------------------------


def test_staff_create_a_survey_and_others_are_refused(client, place):
    body = {"estate_id": place.estate.pk, "year": 2027, "scale": "yes_no", "target_pct": 85}
    for role, status in ((Role.GRID_WORKER, 403), (Role.PROPERTY_STAFF, 403), (Role.RESIDENT, 404)):
        client.force_login(place.users[role])
        refused(post(client, "/api/v1/property/surveys", body), status)
    client.force_login(Estate().staff)
    refused(post(client, "/api/v1/property/surveys", body), 404, "not_found")
    assert not Survey.objects.exists()
    client.force_login(place.staff)
    made = post(client, "/api/v1/property/surveys", body)
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "draft" and made.json()["scale"] == "yes_no" and len(made.json()["dimensions"]) == 5
    refused(post(client, "/api/v1/property/surveys", body), 409, "survey_exists")
    refused(post(client, "/api/v1/property/surveys", body | {"year": 2040}), 409, "no_contract")


@pytest.mark.parametrize("change, status", [
    ({"year": 1999}, 400), ({"year": "二〇二七"}, 422), ({"target_pct": 0}, 400), ({"target_pct": 101}, 400),
    ({"scale": f"five{NUL}"}, 400), ({"scale": "ten"}, 400),
])
def test_bad_survey_input_is_refused_and_nothing_written(client, place, change, status):
    client.force_login(place.staff)
    before = counts()
    refused(post(client, "/api/v1/property/surveys", {"estate_id": place.estate.pk, "year": 2027} | change), status)
    assert counts() == before


def test_page_and_api_create_the_same_survey(client, place):
    client.force_login(place.staff)
    page = client.post(reverse("property:survey_new"), {"estate": place.estate.pk, "year": 2027, "scale": "five",
                                                        "target_pct": 85})
    assert page.status_code == 302
    made = post(client, "/api/v1/property/surveys", {"estate_id": place.estate.pk, "year": 2028, "target_pct": 85})
    assert made.status_code == 201
    a, b = Survey.objects.get(year=2027), Survey.objects.get(year=2028)
    fields = ("estate_id", "company_id", "contract_id", "scale", "target_pct", "state", "created_by_id")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    assert list(a.dimensions.values_list("code", "label", "order")) == list(b.dimensions.values_list("code", "label", "order"))
    assert list(a.events.values_list("action", "actor_id")) == list(b.events.values_list("action", "actor_id"))


# --- supervisors -------------------------------------------------------------------------------


def test_staff_appoint_list_and_end_supervisors(client, place):
    owner = place.users[Role.RESIDENT]
    body = {"estate_id": place.estate.pk, "mobile": owner.mobile}
    for role, status in ((Role.GRID_WORKER, 403), (Role.PROPERTY_STAFF, 403), (Role.RESIDENT, 404)):
        client.force_login(place.users[role])
        refused(post(client, "/api/v1/property/supervisors", body), status)
        refused(client.get("/api/v1/property/supervisors"), 403)
    other = Estate()
    client.force_login(other.staff)
    refused(post(client, "/api/v1/property/supervisors", body), 404, "not_found")
    assert not Supervisor.objects.exists()
    client.force_login(place.staff)
    made = post(client, "/api/v1/property/supervisors", body)
    assert made.status_code == 201, made.content
    assert made.json()["user_id"] == owner.pk and made.json()["ended_at"] is None
    refused(post(client, "/api/v1/property/supervisors", body), 409, "already_supervisor")
    assert [s["id"] for s in client.get("/api/v1/property/supervisors").json()] == [made.json()["id"]]
    client.force_login(other.staff)
    assert client.get("/api/v1/property/supervisors").json() == []
    refused(client.post(f"/api/v1/property/supervisors/{made.json()['id']}/end"), 404, "not_found")
    client.force_login(place.users[Role.GRID_WORKER])
    refused(client.post(f"/api/v1/property/supervisors/{made.json()['id']}/end"), 404, "not_found")
    client.force_login(place.staff)
    ended = client.post(f"/api/v1/property/supervisors/{made.json()['id']}/end")
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert client.get("/api/v1/property/supervisors").json() == []
    refused(client.post(f"/api/v1/property/supervisors/{made.json()['id']}/end"), 404, "not_found")


@pytest.mark.parametrize("mobile, status, code", [
    ("13000000000", 400, "unknown_mobile"), (f"1380{NUL}", 400, "invalid_character"), ("1" * 12, 400, "too_long"),
    ("", 400, "required"),
])
def test_bad_supervisor_input_is_refused(client, place, mobile, status, code):
    client.force_login(place.staff)
    refused(post(client, "/api/v1/property/supervisors", {"estate_id": place.estate.pk, "mobile": mobile}), status, code)
    assert not Supervisor.objects.exists()


def test_a_non_resident_cannot_be_appointed(client, place):
    client.force_login(place.staff)
    stranger = Estate().users[Role.RESIDENT]
    refused(post(client, "/api/v1/property/supervisors", {"estate_id": place.estate.pk, "mobile": stranger.mobile}),
            400, "not_resident")


def test_page_and_api_appoint_alike(client, place):
    first, second = place.owner(), place.owner()
    client.force_login(place.staff)
    assert client.post(reverse("property:supervisors"), {"estate": place.estate.pk, "mobile": first.mobile}).status_code == 302
    assert post(client, "/api/v1/property/supervisors", {"estate_id": place.estate.pk, "mobile": second.mobile}).status_code == 201
    rows = list(Supervisor.objects.order_by("pk").values("estate_id", "community_id", "appointed_by_id", "ended_at"))
    assert len(rows) == 2 and rows[0] == rows[1]
    page = client.post(reverse("property:supervisors"), {"estate": place.estate.pk, "mobile": "13000000000"})
    assert page.status_code == 200 and "没有这个手机号的居民账号" in page.content.decode()


# --- inspections -------------------------------------------------------------------------------


def _checks(place, failed=None, **failed_fields):
    items = list(place.contract.scope_items.all())
    out = [{"scope_item_id": i.pk, "passed": True} for i in items]
    if failed is not None:
        out[failed] = {"scope_item_id": items[failed].pk, "passed": False, "note": "夜间无人巡逻"} | failed_fields
    return out


def test_a_supervisor_records_an_inspection_with_a_photo_and_a_work_order(client, place, media):
    owner = place.users[Role.RESIDENT]
    services.appoint_supervisor(actor=place.staff, estate=place.estate, user=owner)
    category = CategoryFactory()
    body = {"estate_id": place.estate.pk, "checks": _checks(place, 2, photos=[png()]), "category": category.code,
            "notes": "例行巡查"}
    for user in (place.staff, place.users[Role.PROPERTY_STAFF], place.owner(), Estate().users[Role.RESIDENT]):
        client.force_login(user)
        refused(post(client, "/api/v1/property/inspections", body), 404, "not_found")
    assert not Inspection.objects.exists()
    client.force_login(owner)
    made = post(client, "/api/v1/property/inspections", body)
    assert made.status_code == 201, made.content
    failed = [i for i in made.json()["items"] if not i["passed"]]
    assert len(failed) == 1 and failed[0]["work_order_number"] and len(failed[0]["photos"]) == 1
    assert client.get(failed[0]["photos"][0]["url"]).status_code == 200
    listed = client.get("/api/v1/property/inspections").json()
    assert [(i["id"], i["failed"]) for i in listed] == [(made.json()["id"], 1)]
    for user, seen in ((place.staff, 1), (place.users[Role.PROPERTY_STAFF], 1), (Estate().staff, 0)):
        client.force_login(user)
        assert len(client.get("/api/v1/property/inspections").json()) == seen


@pytest.mark.parametrize("change, status, code", [
    ({"checks": "partial"}, 400, "incomplete"),
    ({"checks": "duplicate"}, 400, "duplicate_item"),
    ({"checks": "unknown"}, 400, "unknown_item"),
    ({"checks": "no note"}, 400, "note_required"),
    ({"checks": "bad photo"}, 400, "not_an_image"),
    ({"checks": "html photo"}, 400, "not_an_image"),
    ({"checks": "long note"}, 400, "too_long"),
    ({"notes": f"例行{NUL}巡查"}, 400, "invalid_character"),
    ({"notes": "长" * 301}, 400, "too_long"),
    ({"category": None}, 400, "category_required"),
])
def test_bad_inspection_input_is_refused_and_nothing_written(client, place, media, change, status, code):
    owner = place.users[Role.RESIDENT]
    services.appoint_supervisor(actor=place.staff, estate=place.estate, user=owner)
    category = CategoryFactory()
    checks = _checks(place, 2)
    kind = change.pop("checks", None)
    if kind == "partial":
        checks = checks[:-1]
    elif kind == "duplicate":
        checks = [*checks, checks[0]]
    elif kind == "unknown":
        checks[0]["scope_item_id"] = Estate().contract.scope_items.first().pk  # another estate's item
    elif kind == "no note":
        checks[2]["note"] = ""
    elif kind == "bad photo":
        checks[2]["photos"] = [png(), "不是照片"]
    elif kind == "html photo":
        checks[2]["photos"] = [base64.b64encode(b"<html><script>x</script></html>").decode()]
    elif kind == "long note":
        checks[2]["note"] = "长" * 301
    client.force_login(owner)
    before = counts()
    body = {"estate_id": place.estate.pk, "checks": checks, "category": category.code} | change
    refused(post(client, "/api/v1/property/inspections", body), status, code)
    assert counts() == before


def test_page_and_api_record_the_same_inspection(client, place, media):
    owner = place.users[Role.RESIDENT]
    services.appoint_supervisor(actor=place.staff, estate=place.estate, user=owner)
    category = CategoryFactory()
    items = list(place.contract.scope_items.all())
    client.force_login(owner)
    data = {f"passed_{i.pk}": "1" for i in items} | {f"passed_{items[2].pk}": "0", f"note_{items[2].pk}": "夜间无人巡逻",
                                                   "category": category.code, "notes": "例行巡查"}
    assert client.post(reverse("property:inspect", args=[place.estate.pk]), data).status_code == 302
    made = post(client, "/api/v1/property/inspections", {"estate_id": place.estate.pk, "checks": _checks(place, 2),
                                                         "category": category.code, "notes": "例行巡查"})
    assert made.status_code == 201
    by_page, by_api = Inspection.objects.order_by("pk")

    def shape(inspection):
        lines = InspectionItem.objects.filter(inspection=inspection).order_by("scope_item_id")
        return ((inspection.contract_id, inspection.estate_id, inspection.community_id, inspection.inspector_id,
                 inspection.notes),
                [(i.scope_item_id, i.passed, i.note, bool(i.work_order_number), i.work_order_state) for i in lines])

    assert shape(by_page) == shape(by_api)
