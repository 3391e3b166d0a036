"""core.calendar: statutory holidays and 调休 from chinesecalendar, admin overrides, working
time across lunch, nights, weekends and holidays, months, and the zone from settings."""

import datetime
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from liulin.core import calendar
from liulin.core.calendar import (
    add_months,
    add_working_days,
    add_working_minutes,
    default_calendar,
    is_workday,
    local_zone,
    month_bounds,
    month_start,
    working_minutes_between,
)
from liulin.core.errors import Invalid
from liulin.core.models import CalendarOverride, WorkCalendar
from liulin.core.tests.factories import WorkCalendarFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def at(*args):
    return datetime.datetime(*args, tzinfo=local_zone())


@pytest.fixture
def cal():
    """08:30–12:00 and 14:00–17:30, no overrides: the statutory calendar alone."""
    return WorkCalendarFactory()


# --- the statutory calendar (chinesecalendar) and overrides -----------------------------


def test_national_day_week_2026_is_off_and_the_make_up_saturday_is_worked(cal):
    # 国办发明电〔2025〕7号: 1–7 October off; Sunday 20 September and Saturday 10 October worked.
    assert [is_workday(D(2026, 10, day), cal) for day in range(1, 8)] == [False] * 7
    assert is_workday(D(2026, 10, 10), cal) is True  # a Saturday
    assert is_workday(D(2026, 9, 20), cal) is True  # a Sunday
    assert is_workday(D(2026, 10, 11), cal) is False  # an ordinary Sunday
    assert is_workday(D(2026, 10, 8), cal) is True


def test_a_deadline_runs_over_the_national_day_week(cal):
    # 30 minutes on Wednesday 30 September, then seven days off, 90 minutes on Thursday 8 October.
    assert add_working_minutes(at(2026, 9, 30, 17, 0), 120, cal) == at(2026, 10, 8, 10, 0)
    assert working_minutes_between(at(2026, 9, 30, 17, 0), at(2026, 10, 8, 10, 0), cal) == 120


def test_a_make_up_saturday_counts_as_a_workday(cal):
    assert add_working_minutes(at(2026, 10, 9, 17, 0), 120, cal) == at(2026, 10, 10, 10, 0)


def test_an_admin_override_wins_over_the_statutory_calendar(cal):
    CalendarOverride.objects.create(calendar=cal, date=D(2026, 10, 8), is_workday=False, name="社区活动日")
    CalendarOverride.objects.create(calendar=cal, date=D(2026, 10, 7), is_workday=True, name="值班")
    assert is_workday(D(2026, 10, 8), cal) is False
    assert is_workday(D(2026, 10, 7), cal) is True
    assert add_working_minutes(at(2026, 10, 6, 17, 0), 120, cal) == at(2026, 10, 7, 10, 30)
    # Another calendar keeps the statutory days.
    assert is_workday(D(2026, 10, 8), WorkCalendarFactory()) is True


def test_a_year_the_package_does_not_know_counts_monday_to_friday_and_warns_once(cal, caplog):
    year = calendar.KNOWN_YEARS.stop + 50
    calendar._warned_years.discard(year)
    monday = D(year, 3, 1) + datetime.timedelta(days=-D(year, 3, 1).weekday())
    with caplog.at_level(logging.WARNING, logger="liulin.core.calendar"):
        worked = [is_workday(monday + datetime.timedelta(days=i), cal) for i in range(14)]
    assert worked == [True] * 5 + [False] * 2 + [True] * 5 + [False] * 2
    warnings = [r for r in caplog.records if str(year) in r.getMessage()]
    assert len(warnings) == 1
    assert "Monday to Friday" in warnings[0].getMessage()


# --- working hours ----------------------------------------------------------------------


def test_friday_evening_runs_over_the_weekend_to_monday_morning(cal):
    # 30 minutes left on Friday (17:00–17:30), 90 on Monday from 08:30.
    assert add_working_minutes(at(2026, 3, 13, 17, 0), 120, cal) == at(2026, 3, 16, 10, 0)


def test_the_lunch_break_and_the_night_do_not_count(cal):
    assert add_working_minutes(at(2026, 3, 17, 11, 30), 60, cal) == at(2026, 3, 17, 14, 30)
    assert add_working_minutes(at(2026, 3, 17, 7, 0), 30, cal) == at(2026, 3, 17, 9, 0)
    assert add_working_minutes(at(2026, 3, 17, 22, 0), 30, cal) == at(2026, 3, 18, 9, 0)


def test_a_limit_that_fills_a_session_ends_at_its_close(cal):
    assert add_working_minutes(at(2026, 3, 17, 8, 30), 210, cal) == at(2026, 3, 17, 12, 0)


def test_working_days_are_whole_days_of_the_calendar_hours(cal):
    # 7 working days of 7 hours from Monday 9 March 08:30: to the close of Tuesday 17 March.
    assert add_working_days(at(2026, 3, 9, 8, 30), 7, cal) == at(2026, 3, 17, 17, 30)
    # 3 working days from Wednesday 30 September: Thursday 8, Friday 9, Saturday 10 October (调休).
    assert add_working_days(at(2026, 9, 30, 17, 30), 3, cal) == at(2026, 10, 10, 17, 30)


def test_other_time_zones_mean_the_same_instant(cal):
    utc_start = datetime.datetime(2026, 3, 13, 9, 0, tzinfo=datetime.UTC)  # 17:00 in Shanghai
    assert add_working_minutes(utc_start, 120, cal) == at(2026, 3, 16, 10, 0)


def test_the_overrides_are_remembered_until_one_changes(cal):
    with CaptureQueriesContext(connection) as queries:
        add_working_minutes(at(2026, 9, 21, 8, 30), 15 * 7 * 60, cal)
        working_minutes_between(at(2026, 9, 1, 8, 30), at(2026, 12, 31, 8, 30), cal)
        assert add_working_minutes(at(2026, 10, 23, 17, 0), 60, cal) == at(2026, 10, 26, 9, 0)
    assert len(queries) == 1
    CalendarOverride.objects.create(calendar=cal, date=D(2026, 10, 26), is_workday=False)  # a local day off
    assert add_working_minutes(at(2026, 10, 23, 17, 0), 60, cal) == at(2026, 10, 27, 9, 0)


def test_default_calendar_is_the_marked_one_else_an_unsaved_standard_one(cal):
    # Saved one by one, as the admin does: each save tells the remembered default (core.memo).
    for marked in WorkCalendar.objects.filter(is_default=True):
        marked.is_default = False
        marked.save()
    fallback = default_calendar()
    assert fallback.pk is None
    assert add_working_minutes(at(2026, 10, 9, 17, 0), 120) == at(2026, 10, 10, 10, 0)
    cal.is_default = True
    cal.save()
    CalendarOverride.objects.create(calendar=cal, date=D(2026, 10, 10), is_workday=False)
    assert default_calendar() == cal
    assert add_working_minutes(at(2026, 10, 9, 17, 0), 120) == at(2026, 10, 12, 10, 0)


def test_a_calendar_without_working_hours_is_refused():
    broken = WorkCalendarFactory(morning_start="12:00", morning_end="12:00", afternoon_start="18:00", afternoon_end="17:00")
    with pytest.raises(Invalid) as error:
        add_working_minutes(at(2026, 3, 16, 9, 0), 60, broken)
    assert error.value.code == "calendar_invalid"


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime.datetime(2025, 9, 1), max_value=datetime.datetime(2026, 12, 31)),
    minutes=st.integers(min_value=1, max_value=20 * 7 * 60),
)
def test_counting_back_what_was_added_gives_the_same_minutes(start, minutes):
    unsaved = WorkCalendar(name="property")
    start = start.replace(tzinfo=local_zone())
    end = add_working_minutes(start, minutes, unsaved)
    assert end > start
    assert working_minutes_between(start, end, unsaved) == minutes


# --- months and the time zone -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # a leap year
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 5, 31), 1, D(2026, 6, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 1, 1), -13, D(2024, 12, 1)),
        (D(2026, 8, 31), 0, D(2026, 8, 31)),
    ],
)
def test_add_months_keeps_the_day_or_the_month_end(day, n, expected):
    assert add_months(day, n) == expected


def test_the_time_zone_comes_from_settings(settings):
    late_on_31_january_utc = datetime.datetime(2026, 1, 31, 20, 0, tzinfo=datetime.UTC)
    assert str(local_zone()) == settings.TIME_ZONE == "Asia/Shanghai"
    assert month_start(late_on_31_january_utc) == D(2026, 2, 1)  # 04:00 on 1 February in Shanghai
    settings.TIME_ZONE = "UTC"
    assert str(local_zone()) == "UTC"
    assert month_start(late_on_31_january_utc) == D(2026, 1, 1)
    start, end = month_bounds(D(2026, 1, 15))
    assert (start, end) == (
        datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
    )
    # Working hours are local hours of that zone: 17:00 UTC on a Friday + 2 hours = Monday 10:00 UTC.
    assert add_working_minutes(datetime.datetime(2026, 3, 13, 17, 0, tzinfo=datetime.UTC), 120, WorkCalendar(name="x")) == (
        datetime.datetime(2026, 3, 16, 10, 0, tzinfo=datetime.UTC)
    )


def test_month_bounds_are_local_midnights():
    start, end = month_bounds(at(2026, 2, 1, 0, 30))
    assert (start, end) == (at(2026, 2, 1, 0, 0), at(2026, 3, 1, 0, 0))
    assert month_bounds(D(2026, 12, 31)) == (at(2026, 12, 1), at(2027, 1, 1))


def test_statutory_holidays_include_the_weekend_inside_the_break_but_not_a_make_up_day():
    assert calendar.statutory_holiday(datetime.date(2026, 10, 1))  # National Day, a Thursday
    assert calendar.statutory_holiday(datetime.date(2026, 10, 3))  # a Saturday inside the break
    assert not calendar.statutory_holiday(datetime.date(2026, 10, 10))  # the make-up Saturday, worked
    assert not calendar.statutory_holiday(datetime.date(2026, 12, 9))  # an ordinary Wednesday
