"""Bad input that once ended in a server error (mostly on PostgreSQL, which refuses NUL in
text and out-of-range time zone offsets, and in Python's date arithmetic near year 1 and
9999). Each case must be refused with a 4xx in the caller's error format - `{"detail",
"code"}` for /api/v1, the GeoReport error list for Open311 - and must change nothing."""

import json

import pytest
from django.apps import apps
from django.core.cache import cache

from liulin.accounts.tests.factories import make_user
from liulin.apitokens import services as tokens
from liulin.core.roles import Role
from liulin.open311 import services as open311
from liulin.whistle.models import Ticket

from .world import make_town

NUL = "\x00"


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if not m._meta.proxy and m._meta.managed}


@pytest.fixture
def world(db, settings):
    cache.clear()
    settings.OPEN311_RATE_LIMIT = "100000/m"
    town = make_town()
    staff = make_user(Role.COMMUNITY_STAFF, town.community)
    _, raw = tokens.create_token(actor=None, user=staff, name="bad-input", scopes=["write"])
    _, api_key = open311.create_key(actor=None, name="bad-input", user=make_user(Role.HOTLINE_OPERATOR, town.community))
    return {"town": town, "auth": {"HTTP_AUTHORIZATION": f"Bearer {raw}"}, "api_key": api_key}


def _ticket(town, **changes):
    body = {"category": town.ticket.category.code, "description": "楼道灯坏了", "building_id": town.building.pk,
            "client_request_id": "bad-input-1"}
    return {**body, **changes}


# (name, method, url or url(town), JSON body or body(town))
API_CASES = [
    ("residents q", "get", lambda t: f"/api/v1/people/residents?q=a{NUL}b", None),
    ("tickets category", "get", lambda t: f"/api/v1/tickets?category={NUL}", None),
    ("tickets bad offset", "get", lambda t: "/api/v1/tickets?created_after=2026-03-01T00:00:00%2B20:00", None),
    ("tickets year 9999", "get", lambda t: "/api/v1/tickets?created_before=9999-12-31T23:00:00-05:00", None),
    ("file ticket", "post", lambda t: "/api/v1/tickets", lambda t: _ticket(t, description=f"灯{NUL}坏了")),
    ("file ticket category", "post", lambda t: "/api/v1/tickets", lambda t: _ticket(t, category=NUL)),
    ("intake", "post", lambda t: "/api/v1/tickets/intake", lambda t: _ticket(t, client_request_id=f"x{NUL}")),
    ("comment", "post", lambda t: f"/api/v1/tickets/{t.ticket.pk}/comments", lambda t: {"body": f"好{NUL}的"}),
    ("reveal", "post", lambda t: f"/api/v1/people/residents/{t.resident.pk}/reveal",
     lambda t: {"field": "mobile", "reason": f"回访{NUL}核实"}),
    ("org member", "post", lambda t: f"/api/v1/orgs/{t.org.pk}/members", lambda t: {"name": f"张{NUL}三", "title": "电工"}),
    ("property contract", "post", lambda t: "/api/v1/property/contracts",
     lambda t: {"estate_id": t.estate.pk, "company_id": t.org.pk, "starts_on": "2030-01-01", "ends_on": "2031-12-31",
                "fee_fen": 150, "signed_by": f"业主{NUL}委员会"}),
    ("property contract year 9999", "post", lambda t: "/api/v1/property/contracts",
     lambda t: {"estate_id": t.estate.pk, "company_id": t.org.pk, "starts_on": "2030-01-01", "ends_on": "9999-12-31",
                "fee_fen": 150}),
    ("property contract fee overflow", "post", lambda t: "/api/v1/property/contracts",
     lambda t: {"estate_id": t.estate.pk, "company_id": t.org.pk, "starts_on": "2030-01-01", "ends_on": "2031-12-31",
                "fee_fen": 2**40}),
    ("property survey year", "post", lambda t: "/api/v1/property/surveys", lambda t: {"estate_id": t.estate.pk, "year": 32768}),
    ("property supervisor", "post", lambda t: "/api/v1/property/supervisors",
     lambda t: {"estate_id": t.estate.pk, "mobile": f"138{NUL}"}),
    ("nul in a key", "post", lambda t: f"/api/v1/tickets/{t.ticket.pk}/comments", lambda t: {"body": "好", f"x{NUL}": 1}),
]


@pytest.mark.parametrize("name,method,url,body", API_CASES, ids=[c[0] for c in API_CASES])
def test_api_refuses_bad_input_and_changes_nothing(world, client, name, method, url, body):
    town = world["town"]
    before = row_counts()
    kwargs = {"content_type": "application/json", "data": json.dumps(body(town))} if body else {}
    response = getattr(client, method)(url(town), **world["auth"], **kwargs)
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert {"detail", "code"} <= set(response.json())
    assert row_counts() == before


def test_an_oversize_json_body_is_a_json_413(world, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = row_counts()
    body = json.dumps(_ticket(world["town"], description="长" * 2000))
    response = client.post("/api/v1/tickets", data=body, content_type="application/json", **world["auth"])
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert row_counts() == before


def _open311_form(world, **changes):
    town = world["town"]
    form = {"api_key": world["api_key"], "service_code": town.ticket.category.code, "lat": str(town.building.lat),
            "long": str(town.building.lon), "description": "楼道灯坏了"}
    return {**form, **changes}


OPEN311_POSTS = [
    ("description", {"description": f"灯{NUL}坏了"}),
    ("api_key", {"api_key": f"o311_{NUL}_x"}),
    ("service_code", {"service_code": f"x{NUL}"}),
    ("address_string", {"lat": "", "long": "", "address_string": f"8栋{NUL}"}),
    ("device_id", {"device_id": NUL}),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("changes", [c[1] for c in OPEN311_POSTS], ids=[c[0] for c in OPEN311_POSTS])
def test_open311_post_refuses_nul_and_changes_nothing(world, client, changes, fmt):
    before = row_counts()
    response = client.post(f"/open311/v2/requests.{fmt}", data=_open311_form(world, **changes))
    assert response.status_code == 400, response.content[:300]
    _assert_open311_error(response, fmt)
    assert row_counts() == before


OPEN311_GETS = [
    ("service_request_id", f"service_request_id={NUL}"),
    ("service_code", f"service_code={NUL}"),
    ("start_date far future", "start_date=9999-12-31T23:00:00Z"),
    ("end_date year 1", "end_date=0001-01-02T00:00:00Z"),
    ("start_date bad offset", "start_date=2026-03-01T00:00:00%2B20:00"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("query", [c[1] for c in OPEN311_GETS], ids=[c[0] for c in OPEN311_GETS])
def test_open311_get_refuses_bad_parameters(world, client, query, fmt):
    before = row_counts()
    response = client.get(f"/open311/v2/requests.{fmt}?{query}")
    assert response.status_code == 400, response.content[:300]
    _assert_open311_error(response, fmt)
    assert row_counts() == before


def _assert_open311_error(response, fmt):
    if fmt == "json" or response["Content-Type"].startswith("application/json"):
        [error] = response.json()
        assert error["code"] == response.status_code and error["description"]
    else:
        import xml.etree.ElementTree as ET

        root = ET.fromstring(response.content)
        assert root.tag == "errors" and root.find("error/code").text == str(response.status_code)


@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=0001-01-01", f"date_to=2026-01-01{NUL}"])
def test_queue_page_refuses_dates_it_cannot_use(world, client, query):
    client.force_login(make_user(Role.COMMUNITY_STAFF, world["town"].community))
    response = client.get(f"/whistle/queue/?{query}")
    assert response.status_code in (200, 400)  # the form shows its error, or the request is refused
    if response.status_code == 200:
        assert response.context["filter_form"].errors


# Control characters other than tab, newline and CR are dropped on every way in.


def test_api_json_drops_control_characters(world, client):
    body = json.dumps(_ticket(world["town"], description="楼道\x01灯\x1b坏了\n第二行", contact_name="张\x0b三"))
    response = client.post("/api/v1/tickets", data=body, content_type="application/json", **world["auth"])
    assert response.status_code == 201, response.content[:300]
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.description, ticket.contact_name) == ("楼道灯坏了\n第二行", "张三")


def test_open311_form_drops_control_characters(world, client):
    response = client.post("/open311/v2/requests.json", data=_open311_form(world, description="灯\x01坏了\x0c"))
    assert response.status_code == 200, response.content[:300]
    assert Ticket.objects.get(number=response.json()[0]["service_request_id"]).description == "灯坏了"


def test_page_forms_drop_control_characters_and_refuse_nul(world, client):
    ticket = world["town"].ticket
    client.force_login(make_user(Role.COMMUNITY_STAFF, world["town"].community))
    response = client.post(f"/whistle/t/{ticket.pk}/comment/", {"body": "已\x07联系\r\n物业"})
    assert response.status_code == 302
    assert ticket.events.order_by("-seq").first().reason == "已联系\r\n物业"
    before = row_counts()
    response = client.post(f"/whistle/t/{ticket.pk}/comment/", {"body": "已\x00联系"})
    assert response.status_code == 400
    assert row_counts() == before
