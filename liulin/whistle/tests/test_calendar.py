"""Working time across lunch, nights, weekends, public holidays and 调休 make-up workdays."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from liulin.core.errors import Invalid
from liulin.whistle.calendar import (
    LOCAL,
    add_working_minutes,
    default_calendar,
    working_minutes_between,
)
from liulin.whistle.models import CalendarDay, WorkCalendar
from liulin.whistle.tests.factories import WorkCalendarFactory

pytestmark = pytest.mark.django_db


def at(*args):
    return datetime.datetime(*args, tzinfo=LOCAL)


@pytest.fixture
def cal():
    """08:30–12:00 and 14:00–17:30; 2025-10-06 (a Monday) is a holiday; Saturday 2025-10-11 is a 调休 workday."""
    calendar = WorkCalendarFactory()
    CalendarDay.objects.create(calendar=calendar, date=datetime.date(2025, 10, 6), is_workday=False, name="国庆节")
    CalendarDay.objects.create(calendar=calendar, date=datetime.date(2025, 10, 11), is_workday=True, name="国庆调休上班")
    return calendar


def test_friday_evening_runs_over_the_weekend_to_monday_morning(cal):
    # 30 minutes left on Friday (17:00–17:30), 90 on Monday from 08:30.
    assert add_working_minutes(at(2025, 9, 26, 17, 0), 120, cal) == at(2025, 9, 29, 10, 0)


def test_a_holiday_monday_is_skipped(cal):
    assert add_working_minutes(at(2025, 10, 3, 17, 0), 120, cal) == at(2025, 10, 7, 10, 0)


def test_a_make_up_saturday_counts_as_a_workday(cal):
    assert add_working_minutes(at(2025, 10, 10, 17, 0), 120, cal) == at(2025, 10, 11, 10, 0)


def test_the_lunch_break_and_the_night_do_not_count(cal):
    assert add_working_minutes(at(2025, 9, 23, 11, 30), 60, cal) == at(2025, 9, 23, 14, 30)
    assert add_working_minutes(at(2025, 9, 23, 7, 0), 30, cal) == at(2025, 9, 23, 9, 0)
    assert add_working_minutes(at(2025, 9, 23, 22, 0), 30, cal) == at(2025, 9, 24, 9, 0)


def test_a_limit_that_fills_a_session_ends_at_its_close(cal):
    assert add_working_minutes(at(2025, 9, 23, 8, 30), 210, cal) == at(2025, 9, 23, 12, 0)


def test_seven_working_days_from_a_monday_morning(cal):
    # 7 working days of 7 hours: Mon 22 Sep 08:30 → end of Tue 30 Sep.
    assert add_working_minutes(at(2025, 9, 22, 8, 30), 7 * 7 * 60, cal) == at(2025, 9, 30, 17, 30)


def test_minutes_between_skip_weekend_and_holiday(cal):
    # Fri 3 Oct 17:00 → Tue 7 Oct 10:00: 30 min on Friday, Monday is a holiday, 90 on Tuesday.
    assert working_minutes_between(at(2025, 10, 3, 17, 0), at(2025, 10, 7, 10, 0), cal) == 120
    assert working_minutes_between(at(2025, 10, 7, 10, 0), at(2025, 10, 3, 17, 0), cal) == 0


def test_other_time_zones_mean_the_same_instant(cal):
    utc_start = datetime.datetime(2025, 9, 26, 9, 0, tzinfo=datetime.UTC)  # 17:00 in Shanghai
    assert add_working_minutes(utc_start, 120, cal) == at(2025, 9, 29, 10, 0)


def test_the_calendar_days_are_remembered_until_one_changes(cal):
    with CaptureQueriesContext(connection) as queries:
        add_working_minutes(at(2025, 9, 22, 8, 30), 15 * 7 * 60, cal)
        working_minutes_between(at(2025, 9, 1, 8, 30), at(2025, 12, 31, 8, 30), cal)
        assert add_working_minutes(at(2025, 10, 24, 17, 0), 60, cal) == at(2025, 10, 27, 9, 0)
    assert len(queries) == 1
    CalendarDay.objects.create(calendar=cal, date=datetime.date(2025, 10, 27), is_workday=False)  # a new holiday
    assert add_working_minutes(at(2025, 10, 24, 17, 0), 60, cal) == at(2025, 10, 28, 9, 0)


def test_default_calendar_is_the_marked_one_else_an_unsaved_standard_one(cal):
    # Saved one by one, as the admin does: each save tells the remembered default (core.memo).
    for marked in WorkCalendar.objects.filter(is_default=True):
        marked.is_default = False
        marked.save()
    fallback = default_calendar()
    assert fallback.pk is None
    assert add_working_minutes(at(2025, 9, 26, 17, 0), 120) == at(2025, 9, 29, 10, 0)
    cal.is_default = True
    cal.save()
    assert default_calendar() == cal
    assert add_working_minutes(at(2025, 10, 10, 17, 0), 120) == at(2025, 10, 11, 10, 0)


def test_a_calendar_without_working_hours_is_refused():
    broken = WorkCalendarFactory(morning_start="12:00", morning_end="12:00", afternoon_start="18:00", afternoon_end="17:00")
    with pytest.raises(Invalid) as error:
        add_working_minutes(at(2025, 9, 22, 9, 0), 60, broken)
    assert error.value.code == "calendar_invalid"


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime.datetime(2025, 9, 1), max_value=datetime.datetime(2025, 12, 31)),
    minutes=st.integers(min_value=1, max_value=20 * 7 * 60),
)
def test_counting_back_what_was_added_gives_the_same_minutes(start, minutes):
    calendar = WorkCalendar(name="property")
    start = start.replace(tzinfo=LOCAL)
    end = add_working_minutes(start, minutes, calendar)
    assert end > start
    assert working_minutes_between(start, end, calendar) == minutes
