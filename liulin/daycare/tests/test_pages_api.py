"""Pages and API: the carer's board with one-tap check-in, the family's day on a phone, the
door QR, the report; scoped lists, errors as {detail, code}; auditors see no names."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.daycare import services
from liulin.daycare.models import Attendance, CareLog

from .factories import Station

pytestmark = pytest.mark.django_db
JSON = "application/json"


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_carer_checks_in_with_one_tap_and_logs_a_reading():
    station = Station(weekdays=range(7))
    mother = station.elder(days=range(7))
    carer = client_for(station.carer)
    page = carer.get(reverse("daycare:today", args=[station.centre.pk]))
    assert page.status_code == 200 and mother.elder.name in page.content.decode()
    carer.post(reverse("daycare:check_in", args=[mother.pk]))
    assert Attendance.objects.filter(enrolment=mother).count() == 1
    carer.post(reverse("daycare:log", args=[mother.pk]), {"kind": "reading", "text": "血压", "value": "128", "unit": "mmHg"})
    assert CareLog.objects.get(enrolment=mother).value == 128
    family = client_for(mother.daughter.user)
    day = family.get(reverse("daycare:family_day", args=[mother.pk])).content.decode()
    assert "mmHg" in day and "128" in day


def test_family_checks_in_at_the_door():
    station = Station(weekdays=range(7))
    mother = station.elder(days=range(7))
    family = client_for(mother.daughter.user)
    url = reverse("daycare:door", args=[services.checkin_code(mother)])
    assert family.get(url).status_code == 200
    family.post(url)
    assert Attendance.objects.get(enrolment=mother).method == Attendance.Method.QR
    assert client_for(station.resident().user).get(url).status_code == 404
    assert family.get(reverse("daycare:door", args=["forged"])).status_code == 404


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.VENUE_MANAGER, Role.RESIDENT])
def test_others_see_nothing(role):
    station = Station()
    mother = station.elder()
    user = {Role.GRID_WORKER: station.grid_worker, Role.RESIDENT: station.resident().user}.get(role) or make_user(role, station.community)
    c = client_for(user)
    assert c.get(reverse("daycare:today", args=[station.centre.pk])).status_code == 404
    assert c.get(reverse("daycare:family_day", args=[mother.pk])).status_code == 404
    assert c.get(f"/api/v1/daycare/enrolments/{mother.pk}/log").status_code == 404
    assert c.get("/api/v1/daycare/centres").json() == []


def test_api_board_names_hidden_from_auditors_and_health_refused():
    station = Station(weekdays=range(7))
    mother = station.elder(days=range(7))
    auditor = client_for(make_user(Role.AUDITOR, station.community))
    board = auditor.get(f"/api/v1/daycare/centres/{station.centre.pk}/today").json()
    assert [row["elder_name"] for row in board] == [""]
    assert mother.elder.name not in auditor.get(reverse("daycare:today", args=[station.centre.pk])).content.decode()
    refused = auditor.post(f"/api/v1/daycare/enrolments/{mother.pk}/health", json.dumps({"reason": "抽查"}), content_type=JSON)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    carer = client_for(station.carer)
    assert carer.post(f"/api/v1/daycare/enrolments/{mother.pk}/health", json.dumps({"reason": "午餐"}),
                      content_type=JSON).json() == {"health_notes": "高血压，每日服药"}


def test_api_check_in_by_code_log_and_report():
    station = Station(weekdays=range(7))
    mother = station.elder(days=range(7))
    family = client_for(mother.daughter.user)
    done = family.post("/api/v1/daycare/check-in", json.dumps({"code": services.checkin_code(mother)}), content_type=JSON)
    assert done.status_code == 201 and done.json()["method"] == "qr"
    again = family.post("/api/v1/daycare/check-in", json.dumps({"code": services.checkin_code(mother)}), content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "already_checked_in"
    carer = client_for(station.carer)
    bad = carer.post(f"/api/v1/daycare/enrolments/{mother.pk}/log", json.dumps({"kind": "reading", "text": "血压"}), content_type=JSON)
    assert bad.status_code == 400
    ok = carer.post(f"/api/v1/daycare/enrolments/{mother.pk}/log",
                    json.dumps({"kind": "meal", "text": "午餐"}), content_type=JSON)
    assert ok.status_code == 201
    assert [e["text"] for e in family.get(f"/api/v1/daycare/enrolments/{mother.pk}/log").json()] == ["午餐"]
    report = carer.get(f"/api/v1/daycare/centres/{station.centre.pk}/report").json()
    assert (report["came"], report["meals"], report["elders"]) == (1, 1, 1)
    assert carer.get(f"/api/v1/daycare/centres/{station.centre.pk}/report?month=99999-01").status_code == 400
    mine = family.get("/api/v1/daycare/enrolments/mine").json()
    assert mine[0]["today"]["method"] == "qr"
