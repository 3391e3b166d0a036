"""POST requests: a real work order through intake, and every kind of bad input answered in
the spec's error format without writing anything."""

import io

import pytest
from django.core.management import call_command

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.open311.models import Open311Key, Open311Request
from liulin.whistle import selectors as whistle_selectors
from liulin.whistle.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_post_files_a_work_order_that_reaches_the_handlers_worklist(client, place, form):
    response = client.post("/open311/v2/requests.json", form)
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body[0]) == ["service_request_id", "token", "service_notice", "account_id"]
    ticket = Ticket.objects.get(number=body[0]["service_request_id"])
    assert ticket.channel == "open311"
    assert ticket.category == place["leaf"]
    assert ticket.grid == place["building"].grid and ticket.community == place["community"]
    assert ticket.filed_by == place["operator"]
    assert ticket.handling_org == place["company"] and ticket.state == "dispatched"
    assert ticket.resolve_due is not None and ticket.accept_due is not None
    assert ticket.contact_name == "张三" and ticket.contact_phone == "13812345678"
    assert "电梯停在几楼？：一楼" in ticket.description
    extra = Open311Request.objects.get(ticket=ticket)
    assert extra.attributes == {"FLOOR": "1", "TRAPPED": "0"} and extra.device_id == "dev-1"

    handler = make_user(Role.PROPERTY_STAFF, place["company"])
    rows, _ = whistle_selectors.worklist(handler)
    assert [t.pk for t in rows] == [ticket.pk]
    staff = make_user(Role.COMMUNITY_STAFF, place["community"])
    assert whistle_selectors.tickets_for(staff).filter(pk=ticket.pk).exists()


def test_address_id_and_address_string_place_the_request(client, place, form):
    del form["lat"], form["long"]
    by_id = client.post("/open311/v2/requests.json", {**form, "address_id": f"B{place['building'].pk}"})
    assert by_id.status_code == 200, by_id.content
    by_name = client.post("/open311/v2/requests.json", {**form, "address_string": "同心家园 8栋 2单元"})
    assert by_name.status_code == 200, by_name.content
    numbers = [by_id.json()[0]["service_request_id"], by_name.json()[0]["service_request_id"]]
    assert set(Ticket.objects.filter(number__in=numbers).values_list("building", flat=True)) == {place["building"].pk}


BAD = [
    ("unknown service_code", {"service_code": "no-such"}, 400, "service_code not found"),
    ("no service_code", {"service_code": ""}, 400, "service_code is required"),
    ("missing location", {"lat": "", "long": ""}, 400, "a location is required"),
    ("lat 999", {"lat": "999"}, 400, "lat must be within"),
    ("lat not a number", {"lat": "north"}, 400, "decimal degrees"),
    ("point outside every grid", {"lat": "10", "long": "10"}, 400, "不在任何网格"),
    ("5000-char description", {"description": "长" * 5000}, 400, "at most 4000"),
    ("wrong api_key", {"api_key": "o311_nope_nope"}, 403, "invalid api_key"),
    ("no api_key", {"api_key": ""}, 403, "invalid api_key"),
    ("required attribute missing", {"attribute[FLOOR]": ""}, 400, "attribute FLOOR is required"),
    ("value not in the list", {"attribute[FLOOR]": "9"}, 400, "unknown value"),
    ("number attribute not a number", {"attribute[TRAPPED]": "many"}, 400, "must be a number"),
    ("undefined attribute", {"attribute[COLOUR]": "red"}, 400, "not defined"),
    ("bad email", {"email": "not-an-email"}, 400, "email"),
    ("bad media_url", {"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ("unknown address_id", {"lat": "", "long": "", "address_id": "B999999999"}, 403, "not a place this api_key may file"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("label, change, status, text", BAD, ids=[b[0] for b in BAD])
def test_bad_post_is_refused_in_spec_format_and_changes_nothing(client, place, form, fmt, label, change, status, text):
    events = TicketEvent.objects.count()
    response = client.post(f"/open311/v2/requests.{fmt}", {**form, **change})
    assert response.status_code == status, response.content
    if fmt == "json":
        [error] = response.json()
        assert error["code"] == status and text in error["description"]
    else:
        assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?><errors><error><code>')
        assert text in response.content.decode()
    assert not Ticket.objects.exists() and TicketEvent.objects.count() == events
    assert not Open311Request.objects.exists()


@pytest.mark.parametrize(
    "body, content_type",
    [("{not json", "application/json"), ('{"service_code": "t-elevator"}', "application/json"),
     ("<request><service_code>", "text/xml"), ("<?xml version='1.0'?><request/>", "application/xml")],
)
def test_json_or_xml_bodies_are_refused(client, place, body, content_type):
    response = client.post("/open311/v2/requests.json", body, content_type=content_type)
    assert response.status_code == 400
    assert "form-encoded" in response.json()[0]["description"]
    assert not Ticket.objects.exists()


def test_oversized_body_is_413(client, place, form):
    response = client.post("/open311/v2/requests.xml", {**form, "description": "x" * 70_000})
    assert response.status_code == 413
    assert b"<code>413</code>" in response.content
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "params, text",
    [
        ({"start_date": "2025-01-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"}, "at most 90 days"),
        ({"start_date": "yesterday"}, "ISO 8601"),
        ({"start_date": "2026-02-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"}, "before start_date"),
        ({"status": "pending"}, "status must be"),
    ],
)
def test_bad_get_requests_query_is_400(client, place, params, text):
    response = client.get("/open311/v2/requests.json", params)
    assert response.status_code == 400
    assert text in response.json()[0]["description"]


def test_unknown_request_and_token_are_404(client, place):
    assert client.get("/open311/v2/requests/LF000.json").status_code == 404
    assert client.get("/open311/v2/tokens/abc.xml").status_code == 404
    assert client.get("/open311/v2/requests.csv").status_code == 404


def test_wrong_method_is_405_in_spec_format(client, place):
    response = client.post("/open311/v2/services.json")
    assert response.status_code == 405
    assert response.json()[0]["code"] == 405


def test_jurisdiction_id_is_checked_when_configured(client, place, form, settings):
    settings.OPEN311_JURISDICTION_ID = "changsha.wangcheng"
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": "changsha.wangcheng"}).status_code == 200
    wrong = client.post("/open311/v2/requests.json", {**form, "jurisdiction_id": "beijing"})
    assert wrong.status_code == 404
    assert not Ticket.objects.exists()


def test_rate_limit_per_address_and_per_key(client, place, form, settings, rate_window_held):
    settings.OPEN311_RATE_LIMIT = "3/m"
    codes = [client.get("/open311/v2/services.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/open311/v2/services.xml")
    assert b"<code>429</code>" in limited.content
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another address is counted apart; the key's own budget still runs out.
    other = [client.post("/open311/v2/requests.json", form, REMOTE_ADDR=f"10.0.0.{i}").status_code for i in range(4)]
    assert other == [200, 200, 200, 429]
    assert Ticket.objects.count() == 3


def test_key_command_creates_and_revokes(client, place, form):
    out = io.StringIO()
    call_command("open311_key", "create", "FixMyStreet", "--user", place["operator"].mobile, stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    key = Open311Key.objects.get(name="FixMyStreet")
    assert raw.startswith("o311_") and raw not in key.key_hash
    assert client.post("/open311/v2/requests.json", {**form, "api_key": raw}).status_code == 200
    call_command("open311_key", "revoke", "FixMyStreet", stdout=io.StringIO())
    refused = client.post("/open311/v2/requests.json", {**form, "api_key": raw})
    assert refused.status_code == 403


def test_key_without_a_filing_role_is_403(client, place, form):
    from liulin.open311 import services

    nobody = make_user(Role.TEACHER, place["company"])
    _, raw = services.create_key(actor=None, name="no role", user=nobody)
    response = client.post("/open311/v2/requests.json", {**form, "api_key": raw})
    assert response.status_code == 403
    assert not Ticket.objects.exists()
