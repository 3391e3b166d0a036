"""A day at the centre: check-in by staff or by the family's QR, the care log, incidents told
to the family, health notes for care staff only (each reading logged), absence calls before
10:00 on a planned working day and never on a holiday, and the monthly report."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from liulin.accounts.tests.factories import make_user
from liulin.core import calendar
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.models import AccessLog
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.daycare import selectors, services
from liulin.daycare.models import AbsenceCall, Attendance, CareLog

from .factories import Station

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.date(2026, 9, 14)
HOLIDAY = datetime.date(2026, 10, 1)  # 国庆节, a Thursday


def at(day, hour, minute=0):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SH), tick=False)


def test_absence_call_is_raised_at_half_past_nine_to_family_and_grid_worker():
    station = Station()
    with at(MONDAY, 8):
        missing = station.elder()
        came = station.elder()
        tuesday_only = station.elder(days=[1])
        services.check_in(actor=station.carer, enrolment=came)
    with at(MONDAY, 9, 29):
        assert services.raise_absence_calls() == []
    with at(MONDAY, 9, 30):
        raised = services.raise_absence_calls()
        assert [c.enrolment_id for c in raised] == [missing.pk]
        assert services.raise_absence_calls() == []  # once per elder per day, however often it runs
    told = set(Notification.objects.filter(kind=services.KIND_DAYCARE).values_list("user_id", flat=True))
    assert told == {missing.daughter.user.pk, station.grid_worker.pk}
    assert not AbsenceCall.objects.filter(enrolment__in=[came, tuesday_only]).exists()
    # She arrives late: the call is closed by her check-in.
    with at(MONDAY, 9, 50):
        services.check_in(actor=station.carer, enrolment=missing)
    assert AbsenceCall.objects.get(enrolment=missing).done_at is not None


def test_no_absence_call_on_a_holiday():
    assert calendar.statutory_holiday(HOLIDAY)
    station = Station()
    station.elder()
    with at(HOLIDAY, 11):
        assert services.raise_absence_calls() == []
    assert not AbsenceCall.objects.exists()


def test_daughter_checks_her_mother_in_by_qr_and_reads_the_day():
    station = Station(weekdays=range(7))
    mother = station.elder(days=range(7))
    found = services.enrolment_from_code(services.checkin_code(mother))
    attendance = services.check_in(actor=mother.daughter.user, enrolment=found)
    assert attendance.method == Attendance.Method.QR
    with pytest.raises(Conflict):
        services.check_in(actor=station.carer, enrolment=mother)
    services.log_care(actor=station.carer, enrolment=mother, kind="meal", text="午餐：软米饭、清蒸鱼")
    services.log_care(actor=station.carer, enrolment=mother, kind="reading", text="血压（收缩压）", value=Decimal("132"), unit="mmHg")
    with pytest.raises(Invalid):
        services.log_care(actor=station.carer, enrolment=mother, kind="reading", text="血压", value=None, unit="")
    with pytest.raises(NotPermitted):  # the family reads the log but does not write it
        services.log_care(actor=mother.daughter.user, enrolment=mother, kind="note", text="好")
    entries = selectors.day_log(selectors.enrolment_for(mother.daughter.user, mother.pk))
    assert [(e.kind, e.value, e.unit) for e in entries] == [("meal", None, ""), ("reading", Decimal("132.00"), "mmHg")]
    services.check_out(actor=mother.daughter.user, attendance=attendance)


def test_an_incident_is_told_to_the_family_at_once():
    station = Station(weekdays=range(7))
    mother = station.elder(days=range(7))
    services.check_in(actor=station.carer, enrolment=mother)
    services.log_care(actor=station.carer, enrolment=mother, kind="incident", text="午休起床时头晕，已休息，血压正常")
    assert Notification.objects.filter(user=mother.daughter.user, kind=services.KIND_DAYCARE).count() == 1


def test_health_notes_only_to_care_staff_and_every_reading_logged():
    station = Station()
    mother = station.elder(health="糖尿病，忌甜食")
    assert "糖尿病" not in mother.health_cipher
    assert services.reveal_health(actor=station.carer, enrolment=mother, reason="安排午餐") == "糖尿病，忌甜食"
    assert AccessLog.objects.filter(target_id=str(mother.pk), field="health_notes", actor=station.carer).count() == 1
    for user in (station.manager, make_user(Role.AUDITOR, station.community), mother.daughter.user):
        with pytest.raises(NotPermitted):
            services.reveal_health(actor=user, enrolment=mother, reason="看看")
    with pytest.raises(NotFound):
        services.reveal_health(actor=station.grid_worker, enrolment=mother, reason="看看")
    assert AccessLog.objects.filter(field="health_notes").count() == 1


def test_strangers_see_no_elder():
    station = Station()
    mother = station.elder()
    stranger = station.resident().user
    assert not selectors.enrolments_for(stranger).exists()
    assert not selectors.enrolments_for(station.grid_worker).exists()
    with pytest.raises(NotFound):
        services.check_in(actor=stranger, enrolment=mother)


def test_ending_frees_the_places_and_the_waiting_elder_is_admitted():
    station = Station(capacity=1)
    first = station.elder()
    waiting = station.elder()
    services.act(actor=first.daughter.user, enrolment=first, action="end", reason="搬去同住")
    services.act(actor=station.manager, enrolment=waiting, action="admit")
    assert [p.taken for p in selectors.places(station.centre)] == [1, 1, 1, 1, 1]


def test_monthly_report_counts_rows():
    station = Station()
    with at(MONDAY, 8):
        mother = station.elder(days=[0, 2])
        services.check_in(actor=station.carer, enrolment=mother)
        services.log_care(actor=station.carer, enrolment=mother, kind="meal", text="午餐")
    with at(datetime.date(2026, 9, 16), 8):
        services.check_in(actor=station.carer, enrolment=mother)
    with at(datetime.date(2026, 9, 30), 20):
        report = selectors.monthly_report(station.centre, MONDAY)
    # Mondays and Wednesdays of September 2026 from the 1st: 9 planned days.
    assert report["totals"] == {"planned": 9, "came": 2, "meals": 1, "readings": 0, "incidents": 0, "elders": 1, "calls": 0}
    assert CareLog.objects.count() == 1
