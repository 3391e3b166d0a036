"""The work-order REST API: scoped reads, keyset pages, idempotent intake, one POST per action."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import BuildingFactory
from liulin.whistle.models import State, Ticket, TicketEvent
from liulin.whistle.services import transitions
from liulin.whistle.tests.factories import CategoryFactory, TicketFactory, actor_for, ticket_in_state

pytestmark = pytest.mark.django_db
JSON = "application/json"


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def building():
    return BuildingFactory()


@pytest.fixture
def operator(building):
    return make_user(Role.HOTLINE_OPERATOR, building.community)


def test_list_is_scoped_and_pages_by_cursor(client, building):
    mine = [TicketFactory(building=building) for _ in range(5)]
    TicketFactory()  # another community
    staff = make_user(Role.COMMUNITY_STAFF, building.community)
    login(client, staff)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/tickets", params).json()
        seen += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted((t.pk for t in mine), reverse=True)  # newest first, none twice, none missing


def test_list_filters(client, building):
    t1 = TicketFactory(building=building)
    t2 = ticket_in_state(State.DISPATCHED, building=building)
    staff = make_user(Role.COMMUNITY_STAFF, building.community)
    login(client, staff)
    assert [t["id"] for t in client.get("/api/v1/tickets", {"state": "dispatched"}).json()["items"]] == [t2.pk]
    assert [t["id"] for t in client.get("/api/v1/tickets", {"category": t1.category.code}).json()["items"]] == [t1.pk]
    org_items = client.get("/api/v1/tickets", {"handling_org": t2.handling_org_id}).json()["items"]
    assert [t["id"] for t in org_items] == [t2.pk]
    assert client.get("/api/v1/tickets", {"state": "nonsense"}).json()["code"] == "invalid_state"


@pytest.mark.parametrize("cursor", ["%%%", "bm90LWEtY3Vyc29y", "MjAyNi0wMS0wMXx4"])
def test_bad_cursor_is_400(client, building, cursor):
    login(client, make_user(Role.COMMUNITY_STAFF, building.community))
    response = client.get("/api/v1/tickets", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_detail_masks_phone_and_hides_internal_notes_from_the_resident(client, building):
    ticket = TicketFactory(building=building, contact_phone="13812345678", contact_name="张三丰")
    staff = actor_for(ticket, Role.COMMUNITY_STAFF)
    transitions.comment(actor=staff, ticket=ticket, body="住户情绪激动，注意沟通", internal=True)
    transitions.comment(actor=staff, ticket=ticket, body="已联系物业")

    staff_view = login(client, staff).get(f"/api/v1/tickets/{ticket.pk}").json()
    assert staff_view["contact_phone_masked"] == "138****5678"
    assert "13812345678" not in str(staff_view)
    assert [e["reason"] for e in staff_view["timeline"] if e["action"] in ("comment", "internal_note")] == [
        "住户情绪激动，注意沟通", "已联系物业",
    ]
    assert staff.name in {e["actor"] for e in staff_view["timeline"]}

    resident_view = login(client, ticket.requester_user).get(f"/api/v1/tickets/{ticket.pk}").json()
    reasons = [e["reason"] for e in resident_view["timeline"]]
    assert "已联系物业" in reasons and "住户情绪激动，注意沟通" not in reasons
    assert staff.name not in str(resident_view)


def test_other_resident_and_other_scope_get_404(client, building):
    ticket = TicketFactory(building=building)
    for user in (make_user(Role.RESIDENT), make_user(Role.COMMUNITY_STAFF, TicketFactory().community)):
        response = login(client, user).get(f"/api/v1/tickets/{ticket.pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_file_is_idempotent_on_client_request_id(client, operator, building):
    category = CategoryFactory()
    login(client, operator)
    body = {"category": category.code, "description": "3栋电梯困人", "building_id": building.pk,
            "contact_phone": "13900001111", "client_request_id": "hotline-2026-0001"}
    first = client.post("/api/v1/tickets", body, content_type=JSON)
    assert first.status_code == 201, first.json()
    again = client.post("/api/v1/tickets", body, content_type=JSON)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Ticket.objects.filter(client_request_id="hotline-2026-0001").count() == 1
    created = first.json()
    assert created["channel"] == "api" and created["grid"]["id"] == building.grid_id
    assert created["contact_phone_masked"] == "139****1111"


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"category": "no-such-category"}, 400, "unknown_category"),
        ({"description": ""}, 422, "invalid_input"),
        ({"description": "长" * 4001}, 422, "invalid_input"),
        ({"building_id": None, "lat": 999, "lon": 1}, 422, "invalid_input"),
        ({"building_id": None}, 400, "place_required"),
        ({"building_id": 10**9}, 404, "not_found"),
    ],
)
def test_bad_intake_changes_nothing(client, operator, building, change, status, code):
    category = CategoryFactory()
    login(client, operator)
    body = {"category": category.code, "description": "路灯不亮", "building_id": building.pk, **change}
    response = client.post("/api/v1/tickets", body, content_type=JSON)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not Ticket.objects.exists()


def test_malformed_json_is_a_json_error(client, operator):
    login(client, operator)
    response = client.post("/api/v1/tickets", "{not json", content_type=JSON)
    assert 400 <= response.status_code < 500
    assert set(response.json()) >= {"detail", "code"}


def test_actions_follow_the_state_table(client, building):
    ticket = ticket_in_state(State.DISPATCHED, building=building)
    handler = actor_for(ticket, Role.PROPERTY_STAFF, org=ticket.handling_org)
    login(client, handler)
    accepted = client.post(f"/api/v1/tickets/{ticket.pk}/accept", {}, content_type=JSON)
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["state"] == "accepted"
    assert "resolve" in accepted.json()["allowed_actions"]
    # Accepting twice: the table refuses, and nothing is written.
    events = TicketEvent.objects.filter(ticket=ticket).count()
    again = client.post(f"/api/v1/tickets/{ticket.pk}/accept", {}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    # Resolving needs a reason.
    missing = client.post(f"/api/v1/tickets/{ticket.pk}/resolve", {}, content_type=JSON)
    assert missing.status_code == 400 and missing.json()["code"] == "reason_required"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events
    done = client.post(f"/api/v1/tickets/{ticket.pk}/resolve", {"reason": "已更换灯泡"}, content_type=JSON)
    assert done.json()["state"] == "resolved"


def test_role_that_may_not_act_gets_403(client, building):
    ticket = ticket_in_state(State.DISPATCHED, building=building)
    grid_worker = make_user(Role.GRID_WORKER, ticket.grid)
    committee = make_user(Role.COMMITTEE_MEMBER, ticket.handling_org)
    response = login(client, committee).post(f"/api/v1/tickets/{ticket.pk}/dispatch", {"org_id": 1}, content_type=JSON)
    assert response.status_code in (403, 400)
    response = login(client, grid_worker).post(f"/api/v1/tickets/{ticket.pk}/verify", {}, content_type=JSON)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED


def test_dispatch_to_a_unit_of_the_community(client, building):
    ticket = TicketFactory(building=building)
    org = OrganisationFactory(community=building.community, kind=Organisation.Kind.PROPERTY_COMPANY)
    elsewhere = OrganisationFactory(kind=Organisation.Kind.PROPERTY_COMPANY)
    login(client, actor_for(ticket, Role.COMMUNITY_STAFF))
    refused = client.post(f"/api/v1/tickets/{ticket.pk}/dispatch", {"org_id": elsewhere.pk}, content_type=JSON)
    assert refused.status_code == 400 and refused.json()["code"] == "org_invalid"
    done = client.post(f"/api/v1/tickets/{ticket.pk}/dispatch", {"org_id": org.pk}, content_type=JSON)
    assert done.status_code == 200
    assert done.json()["handling_org"] == {"id": org.pk, "name": org.name}
    assert done.json()["resolve_due"] is not None


def test_urge_comment_and_callback(client, building):
    ticket = ticket_in_state(State.DISPATCHED, building=building)
    secretary = actor_for(ticket, Role.COMMUNITY_SECRETARY)
    login(client, secretary)
    urged = client.post(f"/api/v1/tickets/{ticket.pk}/urge", {"reason": "已超过一天"}, content_type=JSON)
    assert urged.status_code == 200 and urged.json()["urge_count"] == 1
    note = client.post(f"/api/v1/tickets/{ticket.pk}/comments", {"body": "请尽快"}, content_type=JSON)
    assert note.status_code == 201

    verified = ticket_in_state(State.VERIFIED, building=building)
    login(client, verified.requester_user)
    rated = client.post(f"/api/v1/tickets/{verified.pk}/callback", {"solved": True, "satisfaction": "satisfied"},
                        content_type=JSON)
    assert rated.status_code == 200, rated.json()
    assert rated.json()["state"] == "closed" and rated.json()["satisfaction"] == "satisfied"


def test_categories_list(client, operator):
    parent = CategoryFactory(code="zz-parent")
    CategoryFactory(code="zz-child", parent=parent)
    body = login(client, operator).get("/api/v1/tickets/categories").json()
    by_code = {c["code"]: c for c in body}
    assert by_code["zz-parent"]["is_leaf"] is False
    assert by_code["zz-child"]["parent_id"] == parent.pk and by_code["zz-child"]["is_leaf"] is True


def test_anonymous_gets_401_json(client):
    response = client.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
