"""A body the API's schema refuses answers 422 {detail, code, field, errors} in the request's
language: Chinese by default, English for Accept-Language: en; pydantic's English never."""

import pytest
from django.utils import translation

from liulin.core import validation

from .intake_fixtures import make_town

pytestmark = pytest.mark.django_db
JSON = "application/json"


def post(client, body, **headers):
    return client.post("/api/v1/tickets", body, content_type=JSON, **headers)


@pytest.fixture
def operator_client(client):
    town = make_town()
    client.force_login(town.operator)
    client.town = town
    return client


def test_an_over_long_description_is_told_in_chinese(operator_client):
    body = {"category": "noise", "description": "长" * 4001, "building_id": operator_client.town.b1.pk}
    response = post(operator_client, body)
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "invalid_input"
    assert error["detail"] == "description：最多 4000 个字。"
    assert error["field"] == "description"
    assert error["errors"] == [{"field": "description", "code": "string_too_long", "message": "最多 4000 个字。"}]
    assert "String should" not in response.content.decode()


def test_several_problems_in_one_sentence_each(operator_client):
    response = post(operator_client, {"description": "", "lat": 999, "lon": 1})
    detail = response.json()["detail"]
    assert "category：必须填写。" in detail and "description：至少要 1 个字。" in detail and "lat：不能大于 90。" in detail
    assert detail.count("；") == 2


def test_english_when_the_request_asks_for_it(operator_client):
    body = {"category": "noise", "description": "长" * 4001, "building_id": operator_client.town.b1.pk}
    response = post(operator_client, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "description: at most 4000 characters."


def test_an_unknown_error_type_reads_as_a_plain_sentence():
    with translation.override("zh-hans"):
        described = validation.describe([{"type": "something_new", "loc": ("body", "payload", "x"), "msg": "Input should be odd"}])
    assert described["detail"] == "x：格式不对。"
    assert "Input should" not in str(described)
