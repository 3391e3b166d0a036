"""/healthz answers for the process's dependencies, and machine clients get their own
error format (Open311: the spec's error document, XML for .xml)."""

import json
import xml.etree.ElementTree as ET

import pytest

from . import scratch

ASK = (
    "from django.test import Client\n"
    "r = Client().get('/healthz')\n"
    "print(r.status_code, r.content.decode())\n"
)


def _health(url, env=None):
    last = scratch.manage(url, "shell", "-c", ASK, env=env).stdout.strip().splitlines()[-1]
    status, body = last.split(" ", 1)
    return int(status), json.loads(body)


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_healthz_is_503_naming_the_database_when_it_is_down():
    """A real process whose database does not answer (nothing listens on port 9)."""
    status, body = _health("postgres://postgres@127.0.0.1:9/nowhere")
    assert status == 503
    assert body["status"] == "unavailable"
    assert "database" in body["failing"]
    assert body["checks"]["database"].startswith("error:")


def test_healthz_is_503_naming_the_cache_when_redis_is_down(scratch_database):
    status, body = _health(scratch_database, env={"REDIS_URL": "redis://127.0.0.1:9/0"})
    assert status == 503
    assert body["failing"] == ["cache"]
    assert body["checks"]["database"] == "ok"


# -- Open311 errors in the format asked for ------------------------------------------------


def _error_document(response):
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    return [(e.findtext("code"), e.findtext("description")) for e in root.iter("error")]


@pytest.mark.django_db
def test_open311_unknown_path_answers_in_the_format_asked_for(client):
    as_xml = client.get("/open311/v2/nothing.xml")
    assert as_xml.status_code == 404 and as_xml["Content-Type"].startswith("text/xml")
    assert _error_document(as_xml) == [("404", "not found")]
    as_json = client.get("/open311/v2/nothing.json")
    assert as_json.status_code == 404 and as_json.json() == [{"code": 404, "description": "not found"}]


@pytest.mark.django_db
def test_open311_crash_answers_the_spec_error_document(client, monkeypatch):
    from liulin.open311 import selectors

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "service_list", broken)
    client.raise_request_exception = False
    as_xml = client.get("/open311/v2/services.xml")
    assert as_xml.status_code == 500
    assert _error_document(as_xml) == [("500", "server error")]
    assert client.get("/open311/v2/services.json").json() == [{"code": 500, "description": "server error"}]


@pytest.mark.django_db
def test_open311_domain_error_answers_the_spec_error_document(client, monkeypatch):
    from liulin.core.errors import Conflict
    from liulin.open311 import selectors

    def refuse():
        raise Conflict("busy elsewhere")

    monkeypatch.setattr(selectors, "service_list", refuse)
    response = client.get("/open311/v2/services.xml")
    assert response.status_code == 409
    assert _error_document(response) == [("409", "busy elsewhere")]
