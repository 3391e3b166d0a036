"""Property-based fuzzing of the two public contracts, in-process (WSGI, no network):
/api/v1 from its own OpenAPI document, once per role, authenticated with that role's API
token; and Open311 from docs/open311.openapi.json with a working api_key. Checks: no
server error, every documented response conforms to its schema and content type.

Each role's test sets up its database once and runs Hypothesis once per operation.

A few examples seldom draw the strings that break a server - on SQLite, which stores NUL,
they would pass anyway. So each suite also sends a fixed set of hostile strings
(`HOSTILE`), one string field at a time, through every operation; on PostgreSQL (the
production database, `make test-postgres`) that is where NUL in text, a UTC offset of
+20:00 and dates at the ends of the calendar once made 500s."""

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from liulin.accounts.tests.factories import make_user
from liulin.api import api
from liulin.apitokens import services as tokens
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.open311 import services as open311
from liulin.wsgi import application

from .world import make_town

pytestmark = pytest.mark.schemathesis

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Each once made a 500: NUL (PostgreSQL refuses it in text), control characters (they broke
# the XML feed), dates whose day or 90-day span overflows, an offset PostgreSQL refuses.
HOSTILE = ["a\x00b", "\x00", "\x01\x0b\x1f", "9999-12-31T23:00:00Z", "0001-01-02T00:00:00Z",
           "2026-03-01T00:00:00+20:00", "9999-12-31", "0001-01-01"]
# No shrinking: the failing request is reported as a curl line as it is.
# Three examples for the roles that may call the most (or are the public's), one for the rest.
BROAD_ROLES = {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.RESIDENT, Role.GRID_WORKER, Role.PROPERTY_STAFF}


def fuzz(examples):
    return fuzz_settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck),
                         derandomize=True, phases=[Phase.explicit, Phase.reuse, Phase.generate])


def fuzz_operation(operation, *, examples, headers):
    """`examples` cases of one operation (the first the simplest it allows), each answered
    without a server error and as documented. One Hypothesis run per operation: a single run
    drawing every operation kept Hypothesis's per-draw bookkeeping growing with each draw."""

    @given(case=operation.as_strategy())
    @fuzz(examples)
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def send_hostile_strings_to(operation, **kwargs):
    """One case of `operation`, then each HOSTILE string in each of its string fields."""

    @given(case=operation.as_strategy())
    @fuzz(1)
    def run(case):
        send_hostile_strings(case, operation, **kwargs)

    run()


def load(schema_dict):
    schema = schemathesis.openapi.from_dict(schema_dict)
    schema.app = application
    return [result.ok() for result in schema.get_all_operations()]


API_OPERATIONS = load(json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"))))
OPEN311_OPERATIONS = load(
    json.loads((Path(__file__).resolve().parents[2] / "docs" / "open311.openapi.json").read_text(encoding="utf-8"))
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI app directly fires request_started/finished, whose handler closes the
    database connection - and with it the test's transaction on PostgreSQL. Django's test
    client disconnects that handler for the same reason; so do we."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _takes_string(schema):
    return schema.get("type") == "string" or any(_takes_string(s) for s in schema.get("anyOf", []))


def send_hostile_strings(case, operation, **kwargs):
    """`case` again with each string field (query parameters by definition, body fields as
    drawn) replaced by each HOSTILE value in turn; no 5xx, documented answers conform."""
    targets = []
    if case.query is None:
        case.query = {}
    targets += [(case.query, p.name) for p in operation.query if _takes_string(p.definition.get("schema", p.definition))]
    if isinstance(case.body, dict):
        targets += [(case.body, name) for name, value in case.body.items() if isinstance(value, str)]
    for container, name in targets:
        missing = object()
        kept = container.get(name, missing)
        for value in HOSTILE:
            container[name] = value
            case.call_and_validate(checks=CHECKS, **kwargs)
        if kept is missing:
            del container[name]
        else:
            container[name] = kept


def _user(role, town):
    if role == Role.RESIDENT:
        return make_user(role, resident=town.resident)
    if role in GRID_ROLES:
        return make_user(role, town.grid)
    if role in ORG_ROLES:
        return make_user(role, town.org)
    return make_user(role, town.community)


def test_every_operation_is_fuzzed():
    assert len(API_OPERATIONS) >= 40 and len(OPEN311_OPERATIONS) == 7


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_api_v1_per_role(role, db, settings):
    from django.db import connection

    if connection.vendor != "sqlite" and role not in BROAD_ROLES:
        # What differs per role is permission and scope, which no database changes; what a
        # database refuses (NUL, overflowing dates) is the hostile-strings test's, run on both.
        pytest.skip("the narrower roles are fuzzed on SQLite")
    settings.ALLOWED_HOSTS = ["*"]
    town = make_town()
    _, raw = tokens.create_token(actor=None, user=_user(role, town), name="fuzz", scopes=["write"])
    headers = {"Authorization": f"Bearer {raw}"}

    for operation in API_OPERATIONS:
        fuzz_operation(operation, examples=3 if role in BROAD_ROLES else 1, headers=headers)


def test_api_v1_hostile_strings(db, settings):
    """As the community staff, who may call nearly every operation."""
    settings.ALLOWED_HOSTS = ["*"]
    town = make_town()
    _, raw = tokens.create_token(actor=None, user=_user(Role.COMMUNITY_STAFF, town), name="fuzz", scopes=["write"])
    headers = {"Authorization": f"Bearer {raw}"}

    for operation in API_OPERATIONS:
        send_hostile_strings_to(operation, headers=headers)


@pytest.fixture
def open311_api_key(db, settings):
    """An Open311 key of a hotline operator, with the limit out of the fuzzer's way."""
    from django.core.cache import cache

    settings.ALLOWED_HOSTS = ["*"]
    settings.OPEN311_RATE_LIMIT = "100000/m"
    cache.clear()
    town = make_town()
    return open311.create_key(actor=None, name="fuzz", user=make_user(Role.HOTLINE_OPERATOR, town.community))[1]


def test_open311(open311_api_key):
    api_key = open311_api_key

    @given(data=st.data())
    @fuzz_settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(data):
        for operation in OPEN311_OPERATIONS:
            case = data.draw(operation.as_strategy(), label=f"{operation.method.upper()} {operation.path}")
            if isinstance(case.body, dict) and data.draw(st.booleans(), label="valid api_key"):
                case.body["api_key"] = api_key  # past the key check, into validation and intake
            case.call_and_validate(checks=CHECKS)

    run()


def test_open311_hostile_strings(open311_api_key):
    api_key = open311_api_key

    @given(data=st.data())
    @fuzz_settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                   phases=[Phase.explicit, Phase.reuse, Phase.generate])
    def run(data):
        for operation in OPEN311_OPERATIONS:
            case = data.draw(operation.as_strategy(), label=f"{operation.method.upper()} {operation.path}")
            if isinstance(case.body, dict):
                case.body["api_key"] = api_key
            send_hostile_strings(case, operation)

    run()
