"""Idempotency-Key on POST (core.idempotency), through the API and Open311: a retry replays
the first answer, another request under the same key is 422, a key still in use is 409, and
two concurrent requests with one key file one ticket."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from liulin.core import clock, idempotency
from liulin.core.models import IdempotencyKey
from liulin.core.testing.concurrency import database_for_threads as threads_database
from liulin.core.testing.concurrency import run_at_once
from liulin.open311 import services as open311_services
from liulin.whistle.models import Ticket
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults

JSON = "application/json"
TICKET = {"category": "property-elevator", "description": "3栋电梯困人"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def town(db):
    return make_town()


def _post(client, key, body=None, path="/api/v1/tickets"):
    body = body or {**TICKET, "building_id": client.town.b1.pk}
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(path, body, content_type=JSON, headers=headers)


@pytest.fixture
def api(client, town):
    client.force_login(town.operator)
    client.town = town
    return client


# --- the API --------------------------------------------------------------------------


def test_a_retry_with_the_same_key_replays_the_first_answer_and_files_once(api):
    first = _post(api, "7f8e-retry-1")
    assert first.status_code == 201, first.json()
    again = _post(api, "7f8e-retry-1")
    assert (again.status_code, again.content) == (201, first.content)
    assert again["Content-Type"] == first["Content-Type"] and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Ticket.objects.count() == 1


def test_the_key_may_be_sent_as_a_structured_field_string(api):
    assert _post(api, '"abc-1"').status_code == 201
    assert _post(api, "abc-1")["Idempotent-Replayed"] == "true"  # the same key, quoted or not
    assert Ticket.objects.count() == 1


def test_without_a_key_each_post_files_a_ticket(api):
    assert [_post(api, None).status_code for _ in range(2)] == [201, 201]
    assert Ticket.objects.count() == 2 and not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_is_422(api):
    assert _post(api, "k-1").status_code == 201
    other = _post(api, "k-1", {**TICKET, "description": "别的事", "building_id": api.town.b1.pk})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused" and other.json()["detail"]
    assert Ticket.objects.count() == 1


def test_the_same_key_on_another_path_is_422(api):
    ticket = Ticket.objects.get(pk=_post(api, "k-2").json()["id"])
    response = api.post(f"/api/v1/tickets/{ticket.pk}/comments", {"body": "hi"}, content_type=JSON,
                        headers={"Idempotency-Key": "k-2"})
    assert response.status_code == 422


def test_a_key_whose_first_request_still_runs_is_409(api):
    body = {**TICKET, "building_id": api.town.b1.pk}
    IdempotencyKey.objects.create(owner=f"user:{api.town.operator.pk}", key="busy", fingerprint=_fingerprint(body),
                                  created_at=clock.now())
    response = _post(api, "busy", body)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_flight"
    assert not Ticket.objects.exists()


def test_a_claim_that_never_answered_is_taken_over_after_the_timeout(api):
    body = {**TICKET, "building_id": api.town.b1.pk}
    IdempotencyKey.objects.create(owner=f"user:{api.town.operator.pk}", key="dead", fingerprint=_fingerprint(body),
                                  created_at=clock.now() - idempotency.in_flight_timeout() - datetime.timedelta(seconds=1))
    assert _post(api, "dead", body).status_code == 201


def _fingerprint(body):
    import json

    from django.test import RequestFactory

    return idempotency.fingerprint_of(RequestFactory().post("/api/v1/tickets", json.dumps(body), content_type=JSON))


def test_keys_belong_to_their_owner(api, town):
    assert _post(api, "shared").status_code == 201
    other = Client()
    other.force_login(town.staff)
    other.town = town
    assert _post(other, "shared").status_code == 201  # the staff member's own key "shared"
    assert Ticket.objects.count() == 2


def test_a_bearer_token_and_the_session_of_one_user_share_his_keys(api, town):
    from liulin.apitokens import services as tokens

    _, raw = tokens.create_token(actor=None, user=town.operator, name="app", scopes=["write"])
    assert _post(api, "mine").status_code == 201
    bearer = Client()
    bearer.town = town
    response = bearer.post("/api/v1/tickets", {**TICKET, "building_id": town.b1.pk}, content_type=JSON,
                           headers={"Idempotency-Key": "mine", "Authorization": f"Bearer {raw}"})
    assert response.status_code == 201 and response["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "ключ", '"unterminated'])
def test_a_malformed_key_is_400(api, key):
    response = _post(api, key)
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert not Ticket.objects.exists()


def test_error_answers_are_replayed_too(api):
    first = _post(api, "bad-1", {**TICKET, "category": "no-such", "building_id": api.town.b1.pk})
    assert first.status_code == 400
    again = _post(api, "bad-1", {**TICKET, "category": "no-such", "building_id": api.town.b1.pk})
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (400, first.content, "true")


def test_refusals_of_who_asks_are_not_kept(api, town):
    """A 403 (here a point outside the grid worker's grid) releases the key: nothing was done."""
    api.force_login(town.grid_worker)
    outside = {**TICKET, "lon": 112.915, "lat": 28.305}
    assert _post(api, "g-1", outside).status_code == 403
    assert not IdempotencyKey.objects.exists()


def test_personal_data_answers_are_never_stored(api, town):
    response = api.post(f"/api/v1/people/residents/{town.resident.pk}/reveal", {"field": "mobile", "reason": "回访核实"},
                        content_type=JSON, headers={"Idempotency-Key": "reveal-1"})
    assert response.status_code == 200 and response.json()["value"] == "13812345678"
    assert "no-store" in response["Cache-Control"]
    assert not IdempotencyKey.objects.exists()  # a no-store answer is not kept: the number is not stored here


def test_a_key_expires_after_its_ttl_and_purge_deletes_it(api, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    assert _post(api, "old").status_code == 201
    time_machine.move_to(datetime.datetime(2026, 3, 3, 9, 1, tzinfo=datetime.UTC), tick=False)
    assert _post(api, "old").status_code == 201  # 24 h later the key is free again
    assert Ticket.objects.count() == 2
    IdempotencyKey.objects.update(created_at=clock.now() - datetime.timedelta(hours=25))
    call_command("purge_idempotency_keys", stdout=__import__("io").StringIO())
    assert not IdempotencyKey.objects.exists()


def test_the_openapi_document_names_the_header_on_every_post(client):
    schema = client.get("/api/v1/openapi.json").json()
    posts = [op for ops in schema["paths"].values() for method, op in ops.items() if method == "post"]
    assert posts and all(any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op["parameters"]) for op in posts)


# --- Open311 ----------------------------------------------------------------------------


@pytest.fixture
def o311(client, town):
    _, raw = open311_services.create_key(actor=None, name="12345 热线", user=town.operator)
    client.form = {"api_key": raw, "service_code": "property-elevator", "description": "电梯停了",
                   "address_id": f"B{town.b1.pk}"}
    return client


def test_open311_retry_replays_and_other_body_is_422_in_the_spec_format(o311):
    first = o311.post("/open311/v2/requests.json", o311.form, headers={"Idempotency-Key": "o-1"})
    assert first.status_code == 200, first.content
    again = o311.post("/open311/v2/requests.json", o311.form, headers={"Idempotency-Key": "o-1"})
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (200, first.content, "true")
    other = o311.post("/open311/v2/requests.json", {**o311.form, "description": "别的"}, headers={"Idempotency-Key": "o-1"})
    assert other.status_code == 422
    [error] = other.json()
    assert error["code"] == 422 and "Idempotency-Key" in error["description"]
    xml = o311.post("/open311/v2/requests.xml", o311.form, headers={"Idempotency-Key": "o-1"})  # another path
    assert xml.status_code == 422 and b"<code>422</code>" in xml.content
    assert Ticket.objects.count() == 1


def test_open311_key_in_flight_is_409(o311):
    body = "&".join(f"{k}={v}" for k, v in o311.form.items())
    from django.test import RequestFactory

    request = RequestFactory().post("/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded")
    key = open311_services.key_for(o311.form["api_key"])
    IdempotencyKey.objects.create(owner=f"open311:{key.pk}", key="o-busy", fingerprint=idempotency.fingerprint_of(request),
                                  created_at=clock.now())
    response = o311.post("/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded",
                         headers={"Idempotency-Key": "o-busy"})
    assert response.status_code == 409 and response.json()[0]["code"] == 409
    assert not Ticket.objects.exists()


# --- concurrency: real threads, SQLite and PostgreSQL ------------------------------------------


@pytest.fixture
def database_for_threads(tmp_path):
    """A connection factory for the threads (core.testing.concurrency.database_for_threads)."""
    return threads_database(tmp_path)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("channel", ["api", "open311"])
def test_two_concurrent_requests_with_one_key_file_one_ticket(channel, request):
    seed_whistle_defaults()
    town = make_town()
    _, raw = open311_services.create_key(actor=None, name="race", user=town.operator)
    use_database = request.getfixturevalue("database_for_threads")  # after the data is in

    def send():
        client = Client()
        if channel == "api":
            client.force_login(town.operator)
            return client.post("/api/v1/tickets", {**TICKET, "building_id": town.b1.pk}, content_type=JSON,
                               headers={"Idempotency-Key": "race-1"})
        form = {"api_key": raw, "service_code": "property-elevator", "description": "电梯停了", "address_id": f"B{town.b1.pk}"}
        return client.post("/open311/v2/requests.json", form, headers={"Idempotency-Key": "race-1"})

    results, errors = run_at_once([send, send, send], before=use_database)
    assert errors == []
    statuses = sorted(r.status_code for r in results)
    done = 201 if channel == "api" else 200
    assert statuses.count(done) >= 1 and set(statuses) <= {done, 409}, statuses
    [(tickets, keys)], errors = run_at_once([lambda: (Ticket.objects.count(), IdempotencyKey.objects.count())], before=use_database)
    assert errors == [] and (tickets, keys) == (1, 1)
    winners = {r.content for r in results if r.status_code == done}
    assert len(winners) == 1  # a later one replayed the first answer, byte for byte
