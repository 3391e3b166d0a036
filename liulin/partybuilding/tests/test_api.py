import pytest

from liulin.partybuilding.models import Evaluation, Need, Registration, Wish

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_need_claimed_by_a_unit_through_the_api(world, client):
    client.force_login(world.grid_worker)
    created = client.post("/api/v1/partybuilding/needs", {"community_id": world.community.pk, "title": "楼道灯不亮"}, content_type=JSON)
    assert created.status_code == 201
    need_id = created.json()["id"]
    client.force_login(world.contact)
    claim = {"owner_name": "王书记", "starts_on": "2026-03-01", "ends_on": "2026-03-10"}
    project = client.post(f"/api/v1/partybuilding/needs/{need_id}/claim", claim, content_type=JSON)
    assert project.status_code == 201 and project.json()["org_name"] == world.org.name
    client.force_login(world.other_contact)
    again = client.post(f"/api/v1/partybuilding/needs/{need_id}/claim", claim, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "already_claimed"
    assert Need.objects.get(pk=need_id).state == Need.State.MATCHED
    bad_dates = client.post(f"/api/v1/partybuilding/needs/{need_id}/claim", {**claim, "ends_on": "2026-02-01"}, content_type=JSON)
    assert bad_dates.status_code in (400, 409)


def test_wish_steps_and_errors(world, client):
    wish = world.wish(state=Wish.State.COLLECTED)
    client.force_login(world.staff)
    url = f"/api/v1/partybuilding/wishes/{wish.pk}/steps"
    assert client.post(url, {"action": "wish_publish"}, content_type=JSON).json()["state"] == "published"
    twice = client.post(url, {"action": "wish_publish"}, content_type=JSON)
    assert twice.status_code == 409 and twice.json()["code"] == "illegal_transition"
    client.force_login(world.member)
    claimed = client.post(f"/api/v1/partybuilding/wishes/{wish.pk}/claim", content_type=JSON)
    assert claimed.status_code == 200 and claimed.json()["claimed"] == 1
    client.force_login(world.other_contact)
    assert client.get(f"/api/v1/partybuilding/wishes/{wish.pk}").status_code == 200
    assert client.post(url, {"action": "wish_withdraw", "reason": "x"}, content_type=JSON).status_code == 403


def test_public_wishes_need_no_login_and_carry_no_name(world, client):
    world.wish()
    response = client.get(f"/api/v1/partybuilding/public/{world.community.pk}/wishes")
    assert response.status_code == 200
    body = str(response.json())
    assert "高龄老人" in body and world.beneficiary.resident.name not in body and "beneficiary_id" not in body


def test_partner_contact_lists_only_his_units_members(world, client):
    from .factories import member

    member(world.grid, world.other_org)
    client.force_login(world.contact)
    items = client.get("/api/v1/partybuilding/registrations").json()["items"]
    assert [i["id"] for i in items] == [world.registration.pk]
    figures = client.get("/api/v1/partybuilding/figures").json()
    assert [k["name"] for k in figures["activities_by_kind"]][:2] == ["组织联建", "活动联办"]
    assert client.get("/api/v1/partybuilding/figures?year=99999").status_code == 400


def test_a_work_order_becomes_a_need_once_through_the_api(client):
    from liulin.accounts.tests.factories import make_user
    from liulin.core.roles import Role
    from liulin.whistle.tests.factories import ticket_in_state

    ticket = ticket_in_state("submitted")
    client.force_login(make_user(Role.COMMUNITY_STAFF, ticket.community))
    url = f"/api/v1/partybuilding/needs/from-ticket/{ticket.pk}"
    first = client.post(url, content_type=JSON)
    assert first.status_code == 201 and first.json()["source_ticket_id"] == ticket.pk
    assert client.post(url, content_type=JSON).json()["code"] == "already_raised"
    assert client.post("/api/v1/partybuilding/needs/from-ticket/999999", content_type=JSON).status_code == 404


def test_the_community_evaluates_a_member_once_a_year_through_the_api(world, client):
    from .factories import member

    _other_user, other_registration = member(world.grid, world.other_org)
    _pending_user, pending = member(world.grid, world.org, confirmed=False)
    url = "/api/v1/partybuilding/evaluations"
    body = {"registration_id": world.registration.pk, "year": 2026, "grade": "excellent", "comment": "积极参加关爱帮扶"}
    client.force_login(world.staff)
    created = client.post(url, body, content_type=JSON)
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("registration_id", "year", "grade", "org_name", "name")} == {
        "registration_id": world.registration.pk, "year": 2026, "grade": "excellent", "org_name": world.org.name,
        "name": world.registration.name}
    again = client.post(url, {**body, "grade": "good"}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "already_evaluated"
    for wrong, status, code in [({"grade": "best"}, 400, "invalid_grade"),
                                ({"year": 2025}, 400, "invalid_year"),  # before he registered
                                ({"year": 2998}, 400, "invalid_year"),  # a year not yet over
                                ({"year": 1999}, 422, "invalid_input"),
                                ({"registration_id": pending.pk}, 409, "not_confirmed"),
                                ({"registration_id": 999999}, 404, "not_found")]:
        response = client.post(url, {**body, **wrong}, content_type=JSON)
        assert (response.status_code, response.json()["code"]) == (status, code), wrong
        assert set(response.json()) >= {"detail", "code"}
    assert client.post(url, {**body, "registration_id": other_registration.pk, "grade": "good"}, content_type=JSON).status_code == 201
    assert [i["registration_id"] for i in client.get(url, {"year": 2026}).json()["items"]] == sorted(
        [world.registration.pk, other_registration.pk], key=lambda pk: Registration.objects.get(pk=pk).name)
    assert client.get(url, {"year": 2025}).json()["items"] == []

    # A partner contact sees his own unit's members' evaluations only, and gives none.
    client.force_login(world.contact)
    assert [i["registration_id"] for i in client.get(url).json()["items"]] == [world.registration.pk]
    assert client.get(url, {"registration_id": other_registration.pk}).json()["items"] == []
    refused = client.post(url, {**body, "year": 2026}, content_type=JSON)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert client.post(url, {**body, "registration_id": other_registration.pk}, content_type=JSON).status_code == 404
    # The member reads his own.
    client.force_login(world.member)
    assert [i["grade"] for i in client.get(url).json()["items"]] == ["excellent"]
    assert Evaluation.objects.count() == 2


def test_one_evaluation_per_member_and_year_is_the_databases_rule(world):
    from django.db import IntegrityError, transaction

    Evaluation.objects.create(registration=world.registration, year=2026, grade="good")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(registration=world.registration, year=2026, grade="excellent")
    Evaluation.objects.create(registration=world.registration, year=2025, grade="excellent")
