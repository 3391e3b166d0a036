"""The OpenAPI document is a contract with integrators: it may only change on purpose.

When this fails, look at the diff; if the change is intended, rewrite the snapshot with
    UPDATE_API_SNAPSHOT=1 .venv/bin/python -m pytest tests/api/test_schema_snapshot.py
and commit tests/api/openapi.snapshot.json with the change that caused it."""

import json
import os
from pathlib import Path

import pytest

from liulin.api import api

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")


def current():
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), ensure_ascii=False, sort_keys=True))


def test_openapi_matches_the_committed_snapshot():
    schema = current()
    if os.environ.get("UPDATE_API_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(schema, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("snapshot rewritten")
    assert SNAPSHOT.exists(), "no snapshot yet: run UPDATE_API_SNAPSHOT=1 pytest tests/api/test_schema_snapshot.py"
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    added = sorted(set(schema["paths"]) - set(committed["paths"]))
    removed = sorted(set(committed["paths"]) - set(schema["paths"]))
    changed = sorted(p for p in set(schema["paths"]) & set(committed["paths"]) if schema["paths"][p] != committed["paths"][p])
    components = sorted(
        n for n in set(schema["components"]["schemas"]) | set(committed["components"]["schemas"])
        if schema["components"]["schemas"].get(n) != committed["components"]["schemas"].get(n)
    )
    assert schema == committed, (
        "The API's OpenAPI schema differs from tests/api/openapi.snapshot.json.\n"
        f"  paths added: {added}\n  paths removed: {removed}\n  paths changed: {changed}\n"
        f"  schemas changed: {components}\n"
        "If the change is intended: UPDATE_API_SNAPSHOT=1 .venv/bin/python -m pytest tests/api/test_schema_snapshot.py "
        "and commit the snapshot (tell integrators in docs/api.md when it breaks them)."
    )


def test_openapi_is_served_and_documents_the_error_shape(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    accept = schema["paths"]["/api/v1/tickets/{ticket_id}/accept"]["post"]
    assert set(accept["responses"]) >= {"200", "403", "404", "409"}
    assert set(schema["components"]["securitySchemes"]) == {"ApiTokenAuth", "SessionAuth"}


@pytest.mark.django_db
def test_docs_page_works_under_the_strict_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # Swagger UI comes from the ninja package's static files, not from a CDN, and the page
    # runs no inline script (its settings are a JSON data block).
    assert "cdn.jsdelivr.net" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui-init.js" in html
    for chunk in html.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head
