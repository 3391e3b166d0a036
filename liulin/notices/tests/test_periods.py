"""Periods counted as the Civil Code counts them (arts. 201, 203), across statutory holidays
and 调休 make-up workdays, on calendar days and on working days."""

import datetime

import pytest

from liulin.core import calendar
from liulin.core.models import CalendarOverride, WorkCalendar
from liulin.notices.models import DayBasis
from liulin.notices.periods import last_day, period_end

from .factories import at

D = datetime.date
CAL, WORK = DayBasis.CALENDAR, DayBasis.WORKING


@pytest.mark.parametrize(("start", "days", "basis", "expected"), [
    # an ordinary week: Tuesday + 7 days, counted from Wednesday, ends the next Tuesday
    (D(2024, 3, 5), 7, CAL, D(2024, 3, 12)),
    # the last day a Saturday: moved to Monday (weekends are 法定休假日 too)
    (D(2024, 3, 4), 5, CAL, D(2024, 3, 11)),
    # the last day inside the National Day break (1-7 Oct 2024): moved to 8 Oct
    (D(2024, 9, 24), 7, CAL, D(2024, 10, 8)),
    # the last day Saturday 28 Sep 2024, but Sunday 29 Sep is a make-up workday: ends on it
    (D(2024, 9, 21), 7, CAL, D(2024, 9, 29)),
    # the Spring Festival 2025 (28 Jan - 4 Feb off): a period ending 30 Jan ends 5 Feb
    (D(2025, 1, 23), 7, CAL, D(2025, 2, 5)),
    # the last day is the make-up Saturday 8 Feb 2025: it stays
    (D(2025, 2, 1), 7, CAL, D(2025, 2, 8)),
    # working days: Friday 27 Sep 2024 + 3: the make-up Sunday 29 Sep counts, 30 Sep, then 8 Oct
    (D(2024, 9, 27), 3, WORK, D(2024, 10, 8)),
    # working days in an ordinary week: Thursday + 3 = Tuesday
    (D(2024, 3, 7), 3, WORK, D(2024, 3, 12)),
    # working days across the Spring Festival: 24 Jan 2025 (Fri) + 2 = Sunday 26 Jan (worked), 27 Jan
    (D(2025, 1, 24), 2, WORK, D(2025, 1, 27)),
])
def test_last_day(db, start, days, basis, expected):
    assert last_day(at(start), days, basis) == expected


def test_the_start_day_is_not_counted_even_late_in_the_evening(db):
    # 23:30 local time on 5 March: the period still starts on 6 March
    assert last_day(at(D(2024, 3, 5), hour=23) + datetime.timedelta(minutes=30), 7, CAL) == D(2024, 3, 12)
    # and a UTC moment that is already 6 March in Shanghai counts from 7 March
    utc = datetime.datetime(2024, 3, 5, 17, 0, tzinfo=datetime.UTC)
    assert last_day(utc, 7, CAL) == D(2024, 3, 13)


def test_period_ends_at_midnight_after_the_last_day(db):
    last, ends = period_end(at(D(2024, 3, 5)), 7, CAL)
    assert last == D(2024, 3, 12)
    assert ends == calendar.start_of_day(D(2024, 3, 13))


def test_an_administrators_override_moves_the_end(db):
    calendar_row = WorkCalendar.objects.filter(is_default=True).first() or WorkCalendar.objects.create(name="默认", is_default=True)
    CalendarOverride.objects.create(calendar=calendar_row, date=D(2024, 3, 12), is_workday=False)
    assert last_day(at(D(2024, 3, 5)), 7, CAL) == D(2024, 3, 13)
