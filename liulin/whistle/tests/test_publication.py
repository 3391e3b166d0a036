"""The public outputs of work orders (the transparency page, Open311 GET requests): one
projection, the description only with the requester's consent and then redacted, a fixed
public text per state instead of anything staff wrote."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from liulin.people.tests.factories import ResidentFactory
from liulin.whistle import publication
from liulin.whistle.models import Channel, State, Ticket
from liulin.whistle.services import intake, queue, transitions

from .intake_fixtures import dispatched

pytestmark = pytest.mark.django_db

LEAK = "王小明家漏水，住中南小苑1栋301室，电话13812345678"
REDACTED = "某某家漏水，住中南小苑***，电话***"


def hotline(town, *, publish=None, description=LEAK, **kw):
    ticket, _ = intake.file_ticket(
        actor=town.operator, channel=Channel.HOTLINE, category="property-elevator", description=description,
        building=town.b1, contact_name="王小明", contact_phone="13812345678", publish_description=publish, **kw,
    )
    return ticket


def open311_doc(client, ticket, fmt="json"):
    response = client.get(f"/open311/v2/requests/{ticket.number}.{fmt}")
    assert response.status_code == 200
    return response.json()[0] if fmt == "json" else ET.fromstring(response.content).find("request")


def public_page(client):
    return client.get(reverse("whistle:public")).content.decode()


# --- consent --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "place", "expected"),
    [
        (Channel.HOTLINE, "building", False),
        (Channel.SELF_SERVICE, "household", False),
        (Channel.API, "building", False),
        (Channel.OPEN311, "building", False),
        (Channel.GRID_PATROL, "building", True),  # a public place found on patrol
        (Channel.GRID_PATROL, "household", False),  # about someone's home
    ],
)
def test_default_consent_by_channel(town, channel, place, expected):
    where = {"building": town.b1} if place == "building" else {"household": town.household}
    actor = town.resident_user if channel == Channel.SELF_SERVICE else town.grid_worker if channel == Channel.GRID_PATROL else town.operator
    ticket, _ = intake.file_ticket(actor=actor, channel=channel, category="property-elevator", description="电梯坏了", **where)
    assert ticket.publish_description is expected


def test_patrol_for_a_resident_is_not_published_by_default(town):
    ticket, _ = intake.file_ticket(actor=town.grid_worker, channel=Channel.GRID_PATROL, category="help-elderly-disabled",
                                   description="独居老人需要助餐", requester=town.resident, household=town.household)
    assert ticket.publish_description is False


def test_an_explicit_choice_overrides_the_default(town):
    assert hotline(town, publish=True).publish_description is True
    ticket, _ = intake.file_ticket(actor=town.grid_worker, channel=Channel.GRID_PATROL, category="safety",
                                   description="楼道飞线", building=town.b2, publish_description=False)
    assert ticket.publish_description is False


def test_the_pages_ask_for_consent(client, town):
    base = {"category": town.category("property-elevator").pk, "urgency": "normal", "description": LEAK}
    client.force_login(town.operator)
    assert 'name="publish_description"' in client.get(reverse("whistle:console")).content.decode()
    client.post(reverse("whistle:console"), {**base, "building": town.b1.pk, "client_request_id": "c-1", "publish_description": "on"})
    client.post(reverse("whistle:console"), {**base, "building": town.b1.pk, "client_request_id": "c-2"})
    client.force_login(town.resident_user)
    # The operator's two filings are likely the same problem: the resident files his own anyway.
    client.post(reverse("whistle:file"), {**base, "where": "home", "client_request_id": "r-1", "new_anyway": "1"})
    client.force_login(town.grid_worker)
    patrol = {**base, "kind": "found", "building": town.b2.pk, "client_request_id": "p-1"}
    client.post(reverse("whistle:patrol"), patrol)
    client.post(reverse("whistle:patrol"), {**patrol, "client_request_id": "p-2", "publish_description": "no"})
    client.post(reverse("whistle:patrol"), {**patrol, "kind": "resident", "resident": town.resident.pk, "client_request_id": "p-3"})
    consent = dict(Ticket.objects.values_list("client_request_id", "publish_description"))
    assert consent == {"c-1": True, "c-2": False, "r-1": False, "p-1": True, "p-2": False, "p-3": False}


def test_the_api_and_the_intake_queue_carry_the_choice(client, town):
    client.force_login(town.operator)
    body = {"category": "property-elevator", "description": LEAK, "building_id": town.b1.pk}
    assert client.post("/api/v1/tickets", {**body, "client_request_id": "a-1", "publish_description": True},
                       content_type="application/json").status_code == 201
    assert client.post("/api/v1/tickets", {**body, "client_request_id": "a-2"}, content_type="application/json").status_code == 201
    queue.enqueue(actor=town.operator, client_request_id="q-1", request={**body, "publish_description": True})
    queue.enqueue(actor=town.operator, client_request_id="q-2", request=body)
    queue.drain()
    consent = dict(Ticket.objects.values_list("client_request_id", "publish_description"))
    assert consent == {"a-1": True, "a-2": False, "q-1": True, "q-2": False}


def test_open311_post_takes_publish_description(client, town):
    from liulin.open311 import services as open311

    _, key = open311.create_key(actor=None, name="热线", user=town.operator)
    form = {"api_key": key, "service_code": "property-elevator", "address_id": f"B{town.b1.pk}", "description": LEAK}
    yes = client.post("/open311/v2/requests.json", {**form, "publish_description": "true"}).json()[0]["service_request_id"]
    no = client.post("/open311/v2/requests.json", form).json()[0]["service_request_id"]
    assert Ticket.objects.get(number=yes).publish_description and not Ticket.objects.get(number=no).publish_description
    bad = client.post("/open311/v2/requests.json", {**form, "publish_description": "maybe"})
    assert bad.status_code == 400 and "publish_description" in bad.json()[0]["description"]


# --- what is published ----------------------------------------------------------------


def test_the_leaking_example_is_redacted_in_every_output(client, town):
    ticket = hotline(town, publish=True)
    assert open311_doc(client, ticket)["description"] == REDACTED
    assert open311_doc(client, ticket, "xml").findtext("description") == REDACTED
    listed = {d["service_request_id"]: d for d in client.get("/open311/v2/requests.json").json()}
    assert listed[ticket.number]["description"] == REDACTED
    page = public_page(client)
    assert REDACTED in page
    for secret in ("王小明", "301", "13812345678"):
        assert secret not in page and secret not in str(listed)


def test_registered_residents_of_the_community_are_redacted(client, town):
    ResidentFactory(name="石榴", household=town.household)  # a name jieba does not know as one
    ticket = hotline(town, publish=True, description="石榴和张三说电梯又坏了")
    assert open311_doc(client, ticket)["description"] == "某某和某某说电梯又坏了"


def test_no_description_without_consent(client, town):
    ticket = hotline(town)
    doc = open311_doc(client, ticket)
    assert doc["description"] == "" and doc["media_url"] == ""
    assert open311_doc(client, ticket, "xml").findtext("description") == ""  # an empty element
    page = public_page(client)
    assert "漏水" not in page and "诉求人未同意公开" in page


def test_status_notes_never_carry_staff_text(client, town):
    ticket = dispatched(town, description="电梯坏了")
    ticket = transitions.act(actor=town.staff, ticket=ticket, action="reassign", org=town.property_company,
                             reason="派单规则#1 不适用，王经理说转物业张三处理")
    transitions.comment(actor=town.staff, ticket=ticket, body="内部：住户王小明脾气不好", internal=True)
    doc = open311_doc(client, ticket)
    assert doc["status_notes"] == "已派给承办单位，等待接单" == str(publication.STATUS_TEXT[State.DISPATCHED])
    outputs = str(doc) + str(client.get("/open311/v2/requests.xml").content.decode()) + public_page(client)
    for staff_text in ("派单规则", "王经理", "张三", "王小明", "内部"):
        assert staff_text not in outputs, staff_text


def test_every_state_has_a_public_text():
    assert set(publication.STATUS_TEXT) == set(State)


def test_the_place_is_given_down_to_the_estate_only(client, town):
    ticket = hotline(town, publish=True)
    doc = open311_doc(client, ticket)
    assert doc["address"] == f"中南社区 {town.grid1.name} 中南小苑"
    assert doc["address_id"] == ""
    assert "1栋" not in doc["address"]


def test_the_page_and_open311_show_the_same_projection(client, town):
    tickets = [hotline(town, publish=True), hotline(town), dispatched(town, description="电梯坏了")]
    page_rows = client.get(reverse("whistle:public")).context["recent"]
    projected = publication.public_tickets(publication.with_relations(Ticket.objects.order_by("-created_at", "-id")))
    assert page_rows == projected  # the page shows the projection itself
    docs = {d["service_request_id"]: d for d in client.get("/open311/v2/requests.json").json()}
    assert set(docs) == {t.number for t in tickets}
    for public in projected:
        doc = docs[public.number]
        assert (doc["description"], doc["status_notes"], doc["address"], doc["service_name"]) == (
            public.description, public.status_text, public.place, public.service_name,
        )
        assert doc["status"] == ("closed" if public.closed else "open")


def test_the_projection_holds_nothing_personal(town):
    ticket = hotline(town, publish=True, requester=town.resident)
    (public,) = publication.public_tickets(publication.with_relations(Ticket.objects.filter(pk=ticket.pk)))
    values = " ".join(str(v) for v in public.__dict__.values())
    for secret in ("王小明", "张三", "13812345678", "301", town.b1.name):
        assert secret not in values, secret


def test_the_public_list_reads_a_fixed_number_of_queries(client, town, settings, django_assert_max_num_queries):
    settings.OPEN311_RATE_LIMIT = "off"  # the limiter's own statements are not the list's
    for publish in (True, False, True):
        hotline(town, publish=publish)
    with django_assert_max_num_queries(3):  # tickets with their places, residents' names, photos
        assert client.get("/open311/v2/requests.json").status_code == 200
