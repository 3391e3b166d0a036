"""Confirming a person's ID number without revealing it: staff type the number the person
gives, the platform answers match or no match through the keyed hash; logged, rate-limited."""

import importlib
import json

import pytest
from django.apps import apps
from django.core.cache import cache
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core import crypto
from liulin.core.models import AccessLog
from liulin.core.roles import Role
from liulin.people import services
from liulin.people.models import Resident

pytestmark = pytest.mark.django_db

API = "/api/v1/people/residents"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def operator_client(client, town):
    client.force_login(make_user(Role.HOTLINE_OPERATOR, town["community"]))
    return client


def check(client, resident, number):
    return client.post(f"{API}/{resident.pk}/check-id", json.dumps({"id_number": number}), content_type="application/json")


def test_api_answers_match_or_no_match_and_logs_each_check(operator_client, town):
    zhang = town["zhang"]
    number = crypto.decrypt(zhang.id_cipher)
    assert check(operator_client, zhang, number.lower()).json() == {"match": True}
    other = "43011219580309" + "0016"
    assert check(operator_client, zhang, other).json() == {"match": False}
    logs = AccessLog.objects.filter(target_id=str(zhang.pk), field="id_number_check").order_by("pk")
    assert [log.reason for log in logs] == ["match", "no match"]
    assert number not in json.dumps([log.reason for log in logs])


def test_checks_are_rate_limited_per_user(operator_client, town, monkeypatch):
    monkeypatch.setattr(services, "ID_CHECKS_PER_HOUR", 3)
    zhang = town["zhang"]
    number = crypto.decrypt(zhang.id_cipher)
    for _ in range(3):
        assert check(operator_client, zhang, number).status_code == 200
    refused = check(operator_client, zhang, number)
    assert refused.status_code == 429
    assert refused.json()["code"] == "id_check_rate_limited"
    assert AccessLog.objects.filter(field="id_number_check").count() == 3
    other = make_user(Role.HOTLINE_OPERATOR, town["community"])
    operator_client.force_login(other)
    assert check(operator_client, zhang, number).status_code == 200  # the count is per user


def test_malformed_numbers_count_too(operator_client, town, monkeypatch):
    monkeypatch.setattr(services, "ID_CHECKS_PER_HOUR", 2)
    zhang = town["zhang"]
    assert check(operator_client, zhang, "4301121958").status_code == 400
    assert check(operator_client, zhang, "4301121958").status_code == 400
    assert check(operator_client, zhang, crypto.decrypt(zhang.id_cipher)).status_code == 429


def test_a_role_without_the_check_is_refused(client, town):
    client.force_login(make_user(Role.AUDITOR, town["community"]))
    response = check(client, town["zhang"], crypto.decrypt(town["zhang"].id_cipher))
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_page_action_answers_without_showing_the_number(operator_client, town):
    zhang = town["zhang"]
    number = crypto.decrypt(zhang.id_cipher)
    detail = operator_client.get(reverse("people:resident_detail", args=[zhang.pk])).content.decode()
    assert 'data-testid="id-check-form"' in detail
    url = reverse("people:resident_check_id", args=[zhang.pk])
    html = operator_client.post(url, {"id_number": number}).content.decode()
    assert "一致：与登记的身份证号相同" in html and number not in html
    html = operator_client.post(url, {"id_number": "430112195803090016"}).content.decode()
    assert "不一致" in html
    assert AccessLog.objects.filter(field="id_number_check").count() == 2


def test_stored_mask_keeps_no_more_than_the_display(town):
    zhang = town["zhang"]
    number = crypto.decrypt(zhang.id_cipher)
    assert zhang.id_masked == number[:4] + "*" * 13 + number[-1]


def test_migration_remasks_existing_rows(town):
    zhang = town["zhang"]
    number = crypto.decrypt(zhang.id_cipher)
    Resident.objects.filter(pk=zhang.pk).update(id_masked=f"{number[:4]}**********{number[-4:]}")
    migration = importlib.import_module("liulin.people.migrations.0003_remask_id_numbers_to_check_character")
    migration.remask_id_numbers(apps, None)
    assert Resident.objects.get(pk=zhang.pk).id_masked == number[:4] + "*" * 13 + number[-1]
    assert Resident.objects.get(pk=town["li"].pk).id_masked == town["li"].id_masked  # already short: unchanged
