"""Working time: adding working minutes to a moment, and counting them between two moments.

A WorkCalendar gives a morning and an afternoon session; Monday to Friday are workdays unless
a CalendarDay row says otherwise (public holidays off, 调休 make-up weekend days on). All
counting is in Asia/Shanghai local time, whatever zone the given datetimes carry. The default
calendar and its CalendarDay rows are remembered per process (`core.memo`): every intake
and every deadline check counts working time.
"""

import datetime
from zoneinfo import ZoneInfo

from liulin.core.errors import Invalid
from liulin.core.memo import memoized

from .models import CalendarDay, WorkCalendar

LOCAL = ZoneInfo("Asia/Shanghai")
# A calendar with no working day in ten years is a configuration error, not a long wait.
MAX_DAYS = 3660


@memoized(WorkCalendar)
def default_calendar():
    """The calendar marked default, or an unsaved one with the standard hours and no holidays."""
    return WorkCalendar.objects.filter(is_default=True).first() or WorkCalendar(name="默认工作日历")


def _as_time(value):
    # An unsaved WorkCalendar holds its field defaults as "08:30" strings.
    return datetime.time.fromisoformat(value) if isinstance(value, str) else value


def _sessions(calendar):
    sessions = [
        (_as_time(calendar.morning_start), _as_time(calendar.morning_end)),
        (_as_time(calendar.afternoon_start), _as_time(calendar.afternoon_end)),
    ]
    sessions = [(start, end) for start, end in sessions if start < end]
    if not sessions:
        raise Invalid(f"工作日历“{calendar.name}”没有有效的上班时段。", code="calendar_invalid")
    return sessions


def exceptional_days(calendar):
    """{date: is_workday} for the calendar's exceptional days (a few dozen a year)."""
    if calendar.pk is None:
        return {}
    return _exceptional_days(calendar.pk)


@memoized(CalendarDay)
def _exceptional_days(calendar_id):
    return dict(CalendarDay.objects.filter(calendar_id=calendar_id).values_list("date", "is_workday"))


def _is_workday(day, overrides):
    return overrides.get(day, day.weekday() < 5)


def _day_segments(day, sessions, overrides):
    """The working [start, end) intervals of `day`, as aware local datetimes."""
    if not _is_workday(day, overrides):
        return []
    return [
        (datetime.datetime.combine(day, start, tzinfo=LOCAL), datetime.datetime.combine(day, end, tzinfo=LOCAL))
        for start, end in sessions
    ]


def add_working_time(start, duration, calendar=None):
    """The moment `duration` (a timedelta) of working time after `start`."""
    calendar = calendar or default_calendar()
    cursor = start.astimezone(LOCAL)
    remaining = duration
    if remaining <= datetime.timedelta(0):
        return cursor
    sessions = _sessions(calendar)
    overrides = exceptional_days(calendar)
    day = cursor.date()
    for _ in range(MAX_DAYS):
        for seg_start, seg_end in _day_segments(day, sessions, overrides):
            begin = max(seg_start, cursor)
            if begin >= seg_end:
                continue
            available = seg_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += datetime.timedelta(days=1)
    raise Invalid(f"工作日历“{calendar.name}”在十年内没有足够的工作日。", code="calendar_invalid")


def working_time_between(start, end, calendar=None):
    """The working time (a timedelta) between `start` and `end`; zero when end is not after start."""
    calendar = calendar or default_calendar()
    start, end = start.astimezone(LOCAL), end.astimezone(LOCAL)
    total = datetime.timedelta(0)
    if end <= start:
        return total
    sessions = _sessions(calendar)
    overrides = exceptional_days(calendar)
    day = start.date()
    while day <= end.date():
        for seg_start, seg_end in _day_segments(day, sessions, overrides):
            overlap = min(seg_end, end) - max(seg_start, start)
            if overlap > datetime.timedelta(0):
                total += overlap
        day += datetime.timedelta(days=1)
    return total


def add_working_minutes(start, minutes, calendar=None):
    """The moment `minutes` working minutes after `start` (a start outside working hours
    counts from the next session; the result may be the very end of a session)."""
    return add_working_time(start, datetime.timedelta(minutes=minutes), calendar)


def working_minutes_between(start, end, calendar=None):
    """Whole working minutes between `start` and `end`."""
    return int(working_time_between(start, end, calendar).total_seconds() // 60)
