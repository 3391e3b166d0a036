"""The pages and the API of 物业监督 for each role: an owner answers on his phone, staff open,
close and publish and see the figures, a supervisor records an inspection, the public 三率
page shows the published satisfaction beside the company."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liulin.core import clock
from liulin.property import services
from liulin.property.models import InspectionItem, Response, Survey
from liulin.whistle.tests.factories import CategoryFactory

from .factories import Estate

pytestmark = pytest.mark.django_db

ALL = ("cleaning", "security", "greening", "repairs", "fees")


def test_owner_answers_on_the_page_and_staff_publish(client):
    place = Estate()
    survey = place.open_survey()
    owner = place.users["resident"]
    client.force_login(owner)
    page = client.get(reverse("property:survey", args=[survey.pk]))
    assert page.status_code == 200 and b'data-testid="answer-form"' in page.content
    data = {code: "4" for code in ALL} | {"repairs": "2", "comment": "维修响应慢"}
    response = client.post(reverse("property:answer", args=[survey.pk]), data)
    assert response.status_code == 302
    assert Response.objects.get(survey=survey).answers.filter(satisfied=True).count() == 4
    again = client.get(reverse("property:survey", args=[survey.pk]))
    assert b'data-testid="answered"' in again.content and b'data-testid="answer-form"' not in again.content
    assert b'data-testid="result"' not in again.content  # not published yet
    client.force_login(place.staff)
    for action in ("close", "publish"):
        assert client.post(reverse("property:act", args=[survey.pk, action])).status_code == 302
    assert Survey.objects.get(pk=survey.pk).state == "published"
    client.force_login(owner)
    published = client.get(reverse("property:survey", args=[survey.pk]))
    assert b"80.0%" in published.content


def test_a_page_refuses_an_action_the_role_does_not_hold(client):
    place = Estate()
    survey = place.open_survey()
    client.force_login(place.users["property_staff"])
    assert client.get(reverse("property:survey", args=[survey.pk])).status_code == 200
    assert client.post(reverse("property:act", args=[survey.pk, "close"])).status_code == 403
    client.force_login(Estate().staff)
    assert client.get(reverse("property:survey", args=[survey.pk])).status_code == 404


def test_staff_pages_contract_survey_and_supervisor(client):
    place = Estate()
    client.force_login(place.staff)
    assert client.get(reverse("property:home")).status_code == 200
    response = client.post(reverse("property:contract_new"), {
        "estate": place.estate.pk, "company": place.company.pk, "starts_on": "2030-01-01", "ends_on": "2032-12-31",
        "fee": "1.80", "signed_by": "业主委员会", "scope": "cleaning|楼道保洁|每日清扫\nsecurity|门岗|24 小时值守"})
    assert response.status_code == 302
    contract = place.contract.__class__.objects.get(estate=place.estate, starts_on=datetime.date(2030, 1, 1))
    assert contract.fee_fen == 180 and contract.scope_items.count() == 2
    assert b"1.80" in client.get(reverse("property:contract", args=[contract.pk])).content
    response = client.post(reverse("property:survey_new"), {"estate": place.estate.pk, "year": 2031, "scale": "five",
                                                             "target_pct": 85})
    assert response.status_code == 302 and Survey.objects.filter(year=2031, target_pct=85).exists()
    bad = client.post(reverse("property:survey_new"), {"estate": place.estate.pk, "year": 2031, "scale": "five",
                                                        "target_pct": 85})
    assert bad.status_code == 200 and "已有满意度测评" in bad.content.decode()
    owner = place.users["resident"]
    response = client.post(reverse("property:supervisors"), {"estate": place.estate.pk, "mobile": owner.mobile})
    assert response.status_code == 302
    assert owner.name.encode() in client.get(reverse("property:supervisors")).content


def test_supervisor_records_an_inspection_on_the_page(client, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                         "OPTIONS": {"location": str(tmp_path)}}}
    place = Estate()
    owner = place.users["resident"]
    services.appoint_supervisor(actor=place.staff, estate=place.estate, user=owner)
    category = CategoryFactory()
    client.force_login(owner)
    assert f'data-testid="inspect-{place.estate.pk}"'.encode() in client.get(reverse("property:home")).content
    page = client.get(reverse("property:inspect", args=[place.estate.pk]))
    assert page.status_code == 200
    items = list(place.contract.scope_items.all())
    data = {f"passed_{i.pk}": "1" for i in items} | {f"passed_{items[2].pk}": "0", f"note_{items[2].pk}": "夜间无人巡逻",
                                                   "category": category.code}
    response = client.post(reverse("property:inspect", args=[place.estate.pk]), data)
    assert response.status_code == 302
    line = InspectionItem.objects.get(passed=False)
    assert line.work_order_number
    detail = client.get(response.url)
    assert line.work_order_number.encode() in detail.content
    client.force_login(Estate().users["resident"])
    assert client.get(reverse("property:inspect", args=[place.estate.pk])).status_code == 404


def test_the_public_three_rates_page_shows_published_satisfaction(client):
    from liulin.whistle import kpi

    place = Estate()
    survey = place.open_survey()
    for value in (5, 4, 3):
        services.answer(actor=place.owner(), survey=survey, scores=dict.fromkeys(ALL, value))
    services.act(actor=place.staff, survey=survey, action="close")
    services.act(actor=place.staff, survey=survey, action="publish")
    row = kpi.KpiRow(key=place.company.pk, label=place.company.name, counts={})
    labels = kpi.beside_units([row])
    assert "业主满意度（年度测评）" in [str(label) for label in labels]
    assert any("66.6%" in value for value in row.beside)


def test_api_surveys_answer_and_act(client):
    place = Estate()
    survey = place.open_survey()
    client.force_login(place.users["resident"])
    listed = client.get("/api/v1/property/surveys").json()
    assert [s["id"] for s in listed] == [survey.pk] and listed[0]["answered"] is False
    bad = client.post(f"/api/v1/property/surveys/{survey.pk}/responses", {"scores": {"cleaning": 9}},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_score"
    good = client.post(f"/api/v1/property/surveys/{survey.pk}/responses", {"scores": dict.fromkeys(ALL, 5)},
                       content_type="application/json")
    assert good.status_code == 201
    twice = client.post(f"/api/v1/property/surveys/{survey.pk}/responses", {"scores": dict.fromkeys(ALL, 5)},
                        content_type="application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_answered"
    assert client.get(f"/api/v1/property/surveys/{survey.pk}").json()["result"] is None
    refused = client.post(f"/api/v1/property/surveys/{survey.pk}/actions/close")
    assert refused.status_code == 403
    client.force_login(place.staff)
    closed = client.post(f"/api/v1/property/surveys/{survey.pk}/actions/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert closed.json()["result"]["overall"]["permille"] == 1000
    illegal = client.post(f"/api/v1/property/surveys/{survey.pk}/actions/open")
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    contract = client.get(f"/api/v1/property/contracts/{place.contract.pk}").json()
    assert contract["fee_fen"] == 150 and len(contract["scope_items"]) == 6


def test_home_page_query_count_does_not_grow_with_surveys(client):
    place = Estate()
    client.force_login(place.staff)
    place.survey()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("property:home")).status_code == 200
        return len(ctx)

    first = count()
    services.create_survey(actor=place.staff, estate=place.estate, year=clock.today().year + 1)
    assert count() <= first + 2
