"""Open311 GeoReport v2 documents, element by element against the spec's examples
(wiki.open311.org/GeoReport_v2): names, order, datatypes and ISO 8601 times with offsets."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine

from liulin.whistle.models import Ticket

pytestmark = pytest.mark.django_db

# Child elements in the order the spec's examples show them.
SERVICE = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE = ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"]
REQUEST = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def tags(element):
    return [child.tag for child in element]


def post(client, form, fmt="json"):
    return client.post(f"/open311/v2/requests.{fmt}", form)


def test_discovery(client, place):
    root = xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert tags(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert tags(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    doc = client.get("/open311/v2/discovery.json").json()
    assert list(doc) == ["changeset", "contact", "key_service", "endpoints"]
    assert doc["endpoints"][0]["formats"] == ["text/xml", "application/json"]


def test_service_list_maps_leaf_categories(client, place):
    root = xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    services = {s.findtext("service_code"): s for s in root.findall("service")}
    elevator = services["t-elevator"]
    assert tags(elevator) == SERVICE
    assert elevator.findtext("service_name") == "电梯故障"
    assert elevator.findtext("group") == "测试物业"
    assert elevator.findtext("metadata") == "true"
    assert elevator.findtext("type") == "realtime"
    assert elevator.findtext("keywords") == "电梯, 困人"
    assert "t-property" not in services  # a parent with children is a group, not a service
    doc = {s["service_code"]: s for s in client.get("/open311/v2/services.json").json()}
    assert list(doc["t-elevator"]) == SERVICE
    assert doc["t-elevator"]["metadata"] is True
    assert all(s["metadata"] is False for code, s in doc.items() if code != "t-elevator")


def test_service_definition(client, place):
    root = xml(client.get("/open311/v2/services/t-elevator.xml"))
    assert root.tag == "service_definition"
    assert tags(root) == ["service_code", "attributes"]
    first, second = root.findall("attributes/attribute")
    assert tags(first) == ATTRIBUTE
    assert first.findtext("code") == "FLOOR" and first.findtext("datatype") == "singlevaluelist"
    assert first.findtext("required") == "true" and first.findtext("variable") == "true"
    assert first.findtext("order") == "1"
    assert [(v.findtext("key"), v.findtext("name")) for v in first.findall("values/value")] == [("1", "一楼"), ("2", "二楼")]
    assert second.findtext("datatype") == "number" and second.find("values") is not None
    doc = client.get("/open311/v2/services/t-elevator.json").json()
    assert doc["service_code"] == "t-elevator"
    assert list(doc["attributes"][0]) == ATTRIBUTE
    assert doc["attributes"][0]["values"] == [{"key": "1", "name": "一楼"}, {"key": "2", "name": "二楼"}]
    assert doc["attributes"][1]["datatype_description"] is None


def test_post_then_get_request(client, place, form):
    with time_machine.travel("2026-03-02 09:30 +08:00", tick=False):
        created = post(client, form, "xml")
        assert created.status_code == 200, created.content
        root = xml(created)
        assert root.tag == "service_requests"
        request = root.find("request")
        assert tags(request)[0] == "service_request_id"
        assert [t for t in tags(request) if t in ("service_request_id", "service_notice", "account_id")] == [
            "service_request_id", "service_notice", "account_id",
        ]
        number = request.findtext("service_request_id")
        assert request.findtext("account_id") == "acc-9"
        ticket = Ticket.objects.get(number=number)

        one = xml(client.get(f"/open311/v2/requests/{number}.xml")).find("request")
    assert tags(one) == REQUEST
    assert one.findtext("status") == "open"
    assert one.findtext("service_code") == "t-elevator" and one.findtext("service_name") == "电梯故障"
    assert one.findtext("agency_responsible") == "中南物业"
    assert ISO_WITH_OFFSET.match(one.findtext("requested_datetime"))
    assert one.findtext("requested_datetime") == "2026-03-02T09:30:00+08:00"
    assert ISO_WITH_OFFSET.match(one.findtext("expected_datetime"))
    assert one.findtext("expected_datetime") == ticket.resolve_due.astimezone().strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert one.findtext("media_url") == "https://example.com/p/1.jpg"
    assert one.findtext("address_id") == ""  # filed by a point, not at a building
    assert float(one.findtext("lat")) == round(place["building"].lat, 3)

    doc = client.get(f"/open311/v2/requests/{number}.json").json()
    assert isinstance(doc, list) and len(doc) == 1
    assert list(doc[0]) == REQUEST
    assert isinstance(doc[0]["lat"], float) and isinstance(doc[0]["long"], float)

    token = created_token = ET.fromstring(created.content).findtext("request/token")
    resolved = client.get(f"/open311/v2/tokens/{token}.json").json()
    assert resolved == [{"service_request_id": number, "token": created_token}]
    token_xml = xml(client.get(f"/open311/v2/tokens/{token}.xml"))
    assert tags(token_xml.find("request")) == ["service_request_id", "token"]


def test_public_documents_carry_no_personal_data(client, place, form):
    form = {**form, "address_id": f"B{place['building'].pk}"}
    del form["lat"], form["long"]
    number = post(client, form).json()[0]["service_request_id"]
    for url in (f"/open311/v2/requests/{number}.json", f"/open311/v2/requests/{number}.xml", "/open311/v2/requests.json"):
        text = client.get(url).content.decode()
        for secret in ("13812345678", "zhang@example.com", "张三", "dev-1", "acc-9"):
            assert secret not in text, (url, secret)
    doc = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert "***********" in doc["description"]  # the phone number written into the text is masked
    assert doc["address"] == f"{place['community'].name} {place['building'].grid.name} 同心家园"  # no building, no room
    assert doc["address_id"] == f"B{place['building'].pk}"


def test_error_documents(client, place):
    response = client.get("/open311/v2/services/nope.xml")
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "errors" and tags(root) == ["error"]
    assert tags(root.find("error")) == ["code", "description"]
    assert root.findtext("error/code") == "404"
    body = client.get("/open311/v2/services/nope.json")
    assert body.status_code == 404
    assert body.json() == [{"code": 404, "description": "service_code nope not found"}]


def test_status_is_mapped_from_the_workflow(client, place, form):
    from liulin.whistle.services import transitions

    number = post(client, form).json()[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    transitions.act(actor=place["operator"], ticket=ticket, action="withdraw", reason="居民来电撤销")
    doc = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert doc["status"] == "closed"
    assert doc["status_notes"] == "居民来电撤销"
    assert [d["service_request_id"] for d in client.get("/open311/v2/requests.json", {"status": "closed"}).json()] == [number]
    assert client.get("/open311/v2/requests.json", {"status": "open"}).json() == []


def test_get_requests_filters(client, place, form):
    with time_machine.travel("2026-01-10 10:00 +08:00", tick=False):
        old = post(client, form).json()[0]["service_request_id"]
    with time_machine.travel("2026-05-10 10:00 +08:00", tick=False):
        new = post(client, form).json()[0]["service_request_id"]
        default = [d["service_request_id"] for d in client.get("/open311/v2/requests.json").json()]
        assert default == [new]  # the last 90 days by default
        window = {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-02-01T00:00:00+08:00"}
        assert [d["service_request_id"] for d in client.get("/open311/v2/requests.json", window).json()] == [old]
        # An id list overrides every other filter.
        listed = client.get("/open311/v2/requests.json", {"service_request_id": f"{old},{new}", "service_code": "x"}).json()
        assert {d["service_request_id"] for d in listed} == {old, new}
        assert client.get("/open311/v2/requests.json", {"service_code": "t-elevator"}).json()[0]["service_request_id"] == new
        assert client.get("/open311/v2/requests.json", {"service_code": "other"}).json() == []


def test_json_and_xml_say_the_same(client, place, form):
    number = post(client, form).json()[0]["service_request_id"]
    doc = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    element = xml(client.get(f"/open311/v2/requests/{number}.xml")).find("request")
    for name in REQUEST:
        value = doc[name]
        assert (element.findtext(name) or "") == ("" if value is None else str(value)), name


def test_xml_escapes_markup(client, place, form):
    form = {**form, "description": "</description><status>closed</status>&amp; <script>"}
    number = post(client, form).json()[0]["service_request_id"]
    element = xml(client.get(f"/open311/v2/requests/{number}.xml")).find("request")
    assert element.findtext("status") == "open"
    assert element.findtext("description").startswith("</description><status>closed</status>&amp; <script>")
    assert json.loads(client.get(f"/open311/v2/requests/{number}.json").content)[0]["status"] == "open"


def test_control_characters_never_reach_or_break_the_xml(client, place, form):
    """A control character sent in a POST is dropped on the way in; one already stored (a
    row from before the rule, a staff reason with a vertical tab) is dropped on the way out,
    so requests.xml stays parseable."""
    from liulin.whistle.services import transitions

    form = {**form, "description": "电梯\x01停了\x1f", "publish_description": "1"}
    number = post(client, form).json()[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    assert ticket.description.startswith("电梯停了")
    # Written past the input rule, as rows from before it were.
    transitions.act(actor=place["operator"], ticket=ticket, action="withdraw", reason="撤销\x0b原因")
    Ticket.objects.filter(pk=ticket.pk).update(description="旧数据\x01含控制字符\ufffe")
    for path in (f"/open311/v2/requests/{number}.xml", "/open311/v2/requests.xml"):
        element = xml(client.get(path)).find("request")
        assert element.findtext("description") == "旧数据含控制字符"
        assert "\x0b" not in (element.findtext("status_notes") or "")
