import json

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core import crypto
from liulin.core.models import AccessLog
from liulin.core.roles import Role

pytestmark = pytest.mark.django_db

BASE = "/api/v1/people/residents"


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_list_is_masked_paginated_and_searchable(staff_client, town):
    body = staff_client.get(BASE, {"q": "zs"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == "张三"
    assert item["mobile_masked"] == "138****5678"
    assert item["id_masked"] == town["zhang"].id_masked
    assert item["address"] == "中南小苑3栋301室"
    raw = json.dumps(body, ensure_ascii=False)
    assert "13812345678" not in raw
    assert crypto.decrypt(town["zhang"].id_cipher) not in raw
    assert staff_client.get(BASE, {"limit": 1}).json()["count"] == 2


def test_detail_is_masked(staff_client, town):
    zhang = town["zhang"]
    response = staff_client.get(f"{BASE}/{zhang.pk}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "138****5678" in text and "13812345678" not in text
    assert crypto.decrypt(zhang.id_cipher) not in text


def test_grid_worker_gets_404_json_for_another_grid(client, town):
    client.force_login(make_user(Role.GRID_WORKER, town["grid1"]))
    assert client.get(f"{BASE}/{town['zhang'].pk}").status_code == 200
    response = client.get(f"{BASE}/{town['li'].pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    reveal = post_json(client, f"{BASE}/{town['li'].pk}/reveal", {"field": "mobile", "reason": "走访"})
    assert reveal.status_code == 404
    assert [r["name"] for r in client.get(BASE).json()["items"]] == ["张三"]


def test_reveal_returns_plain_value_and_logs(staff_client, staff, town):
    zhang = town["zhang"]
    response = post_json(staff_client, f"{BASE}/{zhang.pk}/reveal", {"field": "id_number", "reason": "办理高龄补贴"})
    assert response.status_code == 200
    assert response.json() == {"value": crypto.decrypt(zhang.id_cipher)}
    assert AccessLog.objects.filter(actor=staff, field="id_number", target_id=str(zhang.pk)).count() == 1


def test_reveal_requires_a_reason(staff_client, town):
    response = post_json(staff_client, f"{BASE}/{town['zhang'].pk}/reveal", {"field": "mobile", "reason": ""})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not AccessLog.objects.exists()


def test_reveal_requires_permission(client, town):
    client.force_login(make_user(Role.AUDITOR, town["community"]))
    response = post_json(client, f"{BASE}/{town['zhang'].pk}/reveal", {"field": "mobile", "reason": "抽查"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not AccessLog.objects.exists()


def test_anonymous_gets_401(client, town):
    assert client.get(BASE).status_code == 401


def test_responses_are_never_cached(staff_client, town):
    zhang = town["zhang"]
    for response in (
        staff_client.get(BASE),
        staff_client.get(f"{BASE}/{zhang.pk}"),
        post_json(staff_client, f"{BASE}/{zhang.pk}/reveal", {"field": "mobile", "reason": "回访"}),
    ):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_reveals_are_limited_per_user_per_hour(staff_client, settings, town, rate_window_held):
    settings.LIULIN_REVEAL_RATE_LIMIT = "2/h"
    url = f"{BASE}/{town['zhang'].pk}/reveal"
    statuses = [post_json(staff_client, url, {"field": "mobile", "reason": "回访"}).status_code for _ in range(2)]
    assert statuses == [200, 200]
    limited = post_json(staff_client, url, {"field": "mobile", "reason": "回访"})
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited" and "频繁" in limited.json()["detail"]
    assert 1 <= int(limited["Retry-After"]) <= 3600
    assert AccessLog.objects.count() == 2  # the refused reveal read nothing and logged nothing
