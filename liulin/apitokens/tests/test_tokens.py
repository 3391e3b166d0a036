import io

import pytest
import time_machine
from django.core.management import call_command

from liulin.accounts.tests.factories import make_user
from liulin.apitokens import services
from liulin.apitokens.models import ApiToken
from liulin.core.models import AuditLog
from liulin.core.roles import Role
from liulin.territory.tests.factories import GridFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    grid = GridFactory()
    return make_user(Role.COMMUNITY_STAFF, grid.community)


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_is_stored_hashed_and_shown_once(staff):
    token, raw = services.create_token(actor=staff, user=staff, name="hotline", scopes=["read"])
    assert raw.startswith(f"ll_{token.prefix}_")
    assert raw not in token.key_hash and len(token.key_hash) == 64
    assert not ApiToken.objects.filter(key_hash__contains=raw.split("_", 2)[2]).exists()
    assert AuditLog.objects.filter(action="apitoken.create", target_id=str(token.pk)).exists()


def test_token_authenticates_as_its_user_with_the_same_scope(client, staff):
    _, raw = services.create_token(actor=staff, user=staff, name="t", scopes=["read"])
    other = GridFactory()  # another community
    mine = client.get("/api/v1/territory/grids", **bearer(raw))
    assert mine.status_code == 200
    ids = {g["id"] for g in mine.json()["items"]}
    assert other.pk not in ids and ids
    assert client.get(f"/api/v1/territory/grids/{other.pk}", **bearer(raw)).status_code == 404


def test_revoked_token_gets_401_json(client, staff):
    token, raw = services.create_token(actor=staff, user=staff, name="t", scopes=["read"])
    assert client.get("/api/v1/territory/grids", **bearer(raw)).status_code == 200
    services.revoke_token(actor=staff, token=token)
    response = client.get("/api/v1/territory/grids", **bearer(raw))
    assert response.status_code == 401
    assert response.json() == {"detail": "接口令牌无效、已过期或已吊销。", "code": "invalid_token"}


@pytest.mark.parametrize("raw", ["nonsense", "ll_abc_def", "ll__x", ""])
def test_malformed_or_unknown_token_is_401(client, staff, raw):
    response = client.get("/api/v1/territory/grids", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response.json()["code"] in {"invalid_token", "not_authenticated"}


def test_tampered_secret_with_right_prefix_is_refused(client, staff):
    _, raw = services.create_token(actor=staff, user=staff, name="t", scopes=["read"])
    response = client.get("/api/v1/territory/grids", **bearer(raw[:-2] + ("AA" if not raw.endswith("AA") else "BB")))
    assert response.status_code == 401


def test_read_only_token_cannot_post(client, staff):
    _, raw = services.create_token(actor=staff, user=staff, name="t", scopes=["read"])
    response = client.post("/api/v1/people/residents/1/reveal", {"field": "mobile", "reason": "x"},
                           content_type="application/json", **bearer(raw))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_resource_scope_limits_writes_to_that_resource(client, staff):
    _, raw = services.create_token(actor=staff, user=staff, name="t", scopes=["tickets:write"])
    response = client.post("/api/v1/people/residents/1/reveal", {"field": "mobile", "reason": "x"},
                           content_type="application/json", **bearer(raw))
    assert response.json()["code"] == "insufficient_scope"
    # ... and a resource-scoped token reads nothing outside its resource either.
    assert client.get("/api/v1/territory/grids", **bearer(raw)).json()["code"] == "insufficient_scope"


def test_write_token_posts_without_csrf(staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    _, raw = services.create_token(actor=staff, user=staff, name="t", scopes=["write"])
    response = client.post("/api/v1/people/residents/999999/reveal", {"field": "mobile", "reason": "核实"},
                           content_type="application/json", **bearer(raw))
    # Past authentication and scope: the resident simply is not in this user's scope.
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_expired_token_is_refused(client, staff):
    with time_machine.travel("2026-03-01 10:00 +08:00", tick=False):
        token, raw = services.create_token(actor=staff, user=staff, name="t", scopes=["read"])
        token.expires_at = token.created_at.replace(day=2)
        token.save()
        assert client.get("/api/v1/territory/grids", **bearer(raw)).status_code == 200
    with time_machine.travel("2026-03-03 10:00 +08:00", tick=False):
        assert client.get("/api/v1/territory/grids", **bearer(raw)).status_code == 401


def test_last_used_is_stamped(client, staff):
    token, raw = services.create_token(actor=staff, user=staff, name="t", scopes=["read"])
    assert token.last_used_at is None
    client.get("/api/v1/territory/grids", **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_unknown_scope_is_refused(staff):
    from liulin.core.errors import Invalid

    with pytest.raises(Invalid):
        services.create_token(actor=staff, user=staff, name="t", scopes=["admin"])
    assert not ApiToken.objects.exists()


def test_command_creates_and_revokes(client, staff):
    out = io.StringIO()
    call_command("api_token", "create", staff.mobile, "--scope", "read", "--name", "网格App", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    assert client.get("/api/v1/territory/grids", **bearer(raw)).status_code == 200
    prefix = raw.split("_")[1]
    call_command("api_token", "revoke", prefix, stdout=io.StringIO())
    assert ApiToken.objects.get(prefix=prefix).revoked_at is not None
    assert client.get("/api/v1/territory/grids", **bearer(raw)).status_code == 401


def test_lookup_loads_the_token_and_its_user_in_one_query(staff, django_assert_num_queries):
    """Every API request makes this lookup: the token and its user come in one statement,
    the JSON scopes as a list and the datetimes aware."""
    token, raw = services.create_token(actor=staff, user=staff, name="t", scopes=["tickets:write", "read"])
    ApiToken.objects.filter(pk=token.pk).update(last_used_at="2026-11-30T08:00:00+08:00")
    with django_assert_num_queries(1):
        found = services.find_active(raw)
        assert found.user.pk == staff.pk
    expected = ApiToken.objects.select_related("user").get(pk=token.pk)

    def columns(row):
        return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}

    assert columns(found) == columns(expected)
    assert columns(found.user) == columns(expected.user)
    assert found.scopes == ["read", "tickets:write"] and found.last_used_at.utcoffset() is not None
    assert not found._state.adding and not found.user._state.adding
    assert services.find_active(raw[:-1] + ("x" if raw[-1] != "x" else "y")) is None
    assert services.find_active(f"ll_{'0' * 12}_secret") is None
