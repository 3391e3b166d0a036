"""Working days, working hours, months and the local time zone, for every app.

Which days are worked: China's statutory holidays and 调休 make-up workdays come from the
`chinesecalendar` package (the State Council's announcements, a release per year); an
administrator may override any single day of a calendar (`CalendarOverride`, in admin), and
the override wins. Other days: Monday to Friday. A year the installed package does not know
(announcements come each November for the next year) falls back to Monday to Friday, with a
warning logged once per year and process; override its holidays in admin until the package
is updated.

Which hours: a `WorkCalendar` row gives a morning and an afternoon session; the one marked
default is used when no calendar is named, else an unsaved one with the standard hours.

Local time is `settings.TIME_ZONE` (`django.utils.timezone.get_default_timezone`), whatever
zone the given datetimes carry; months, days and sessions are counted in it. The default
calendar and the overrides are remembered per process (`core.memo`): every intake and every
deadline check counts working time.
"""

import datetime
import logging

import chinese_calendar
from django.utils import timezone

from .errors import Invalid
from .memo import memoized
from .models import CalendarOverride, WorkCalendar

logger = logging.getLogger(__name__)

# A calendar with no working day in ten years is a configuration error, not a long wait.
MAX_DAYS = 3660

# The package's data as {date: holiday name}: statutory days off, and weekend days worked.
_STATUTORY_OFF = chinese_calendar.holidays
_STATUTORY_ON = chinese_calendar.workdays
KNOWN_YEARS = range(min(_STATUTORY_OFF).year, max(_STATUTORY_OFF).year + 1)
_warned_years = set()


# --- time zone, days and months ---------------------------------------------------------


def local_zone():
    """The zone of settings.TIME_ZONE: where days, months and working hours are counted."""
    return timezone.get_default_timezone()


def local_date(value):
    """The local date of a datetime (a date is returned as it is)."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(local_zone()).date()
    return value


def start_of_day(day):
    """Local midnight at the start of `day`, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=local_zone())


def month_start(value):
    """The first day of the month of a date, or of a datetime in local time."""
    return local_date(value).replace(day=1)


def add_months(value, n):
    """The date `n` months after `value` (n may be negative); a day the target month lacks
    becomes its last day (31 January + 1 month = 28 or 29 February)."""
    index = value.year * 12 + value.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    next_first = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_first - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(value.day, last_day))


def month_bounds(value):
    """[start, end) of the local month of `value` (a date or datetime), as aware datetimes."""
    first = month_start(value)
    return start_of_day(first), start_of_day(add_months(first, 1))


# --- which days are worked --------------------------------------------------------------


def statutory_workday(day):
    """Whether `day` is worked under the State Council's calendar (chinesecalendar); for a
    year the package does not know, Monday to Friday (and a warning, once per year)."""
    if day in _STATUTORY_ON:
        return True
    if day in _STATUTORY_OFF:
        return False
    if day.year not in KNOWN_YEARS and day.year not in _warned_years:
        _warned_years.add(day.year)
        logger.warning(
            "chinesecalendar %s has no holidays for %s (it knows %s-%s): counting Monday to Friday; "
            "update the package or override the year's holidays in admin.",
            getattr(chinese_calendar, "__version__", ""),
            day.year,
            KNOWN_YEARS.start,
            KNOWN_YEARS.stop - 1,
        )
    return day.weekday() < 5


def statutory_holiday(day):
    """Whether `day` is a statutory holiday (a day of a 法定节假日 break, weekends inside it
    too) under the installed chinesecalendar; False for a year it does not know."""
    return day in _STATUTORY_OFF and day not in _STATUTORY_ON


def is_workday(day, calendar=None):
    """Whether `day` is worked on `calendar` (default: the default calendar)."""
    return _is_workday(day, overrides(calendar or default_calendar()))


def _is_workday(day, day_overrides):
    found = day_overrides.get(day)
    return statutory_workday(day) if found is None else found


def overrides(calendar):
    """{date: is_workday} for the single days an administrator set on `calendar`."""
    if calendar.pk is None:
        return {}
    return _overrides(calendar.pk)


@memoized(CalendarOverride)
def _overrides(calendar_id):
    return dict(CalendarOverride.objects.filter(calendar_id=calendar_id).values_list("date", "is_workday"))


# --- legal periods ----------------------------------------------------------------------


def period_last_day(start, days, *, working=False, calendar=None):
    """The last day of a period of `days` days begun at `start`, as the Civil Code counts it:
    the day it begins is not counted, counting starts the next local day (art. 201); a last day
    that is not worked (weekend, statutory holiday) moves to the next working day, while a 调休
    make-up workday stays (art. 203). With `working`, only working days are counted."""
    day_overrides = overrides(calendar or default_calendar())
    day = local_date(start)
    one = datetime.timedelta(days=1)
    if working:
        counted = 0
        for _ in range(MAX_DAYS):
            day += one
            counted += _is_workday(day, day_overrides)
            if counted >= days:
                return day
    else:
        day += datetime.timedelta(days=days)
        for _ in range(MAX_DAYS):
            if _is_workday(day, day_overrides):
                return day
            day += one
    raise Invalid("工作日历在十年内没有工作日，请检查日历设置。", code="calendar_without_workdays")


def period_end(start, days, *, working=False, calendar=None):
    """(last day, the moment the period ends: local midnight after its last day — art. 203
    says a period ends at 24:00 of its last day)."""
    last = period_last_day(start, days, working=working, calendar=calendar)
    return last, start_of_day(last + datetime.timedelta(days=1))


# --- working hours ----------------------------------------------------------------------


@memoized(WorkCalendar)
def default_calendar():
    """The calendar marked default, or an unsaved one with the standard hours."""
    return WorkCalendar.objects.filter(is_default=True).first() or WorkCalendar(name="默认工作日历")


def _as_time(value):
    # An unsaved WorkCalendar holds its field defaults as "08:30" strings.
    return datetime.time.fromisoformat(value) if isinstance(value, str) else value


def sessions(calendar):
    """[(start, end)] local times of the calendar's working sessions, in order."""
    found = [
        (_as_time(calendar.morning_start), _as_time(calendar.morning_end)),
        (_as_time(calendar.afternoon_start), _as_time(calendar.afternoon_end)),
    ]
    found = [(start, end) for start, end in found if start < end]
    if not found:
        raise Invalid(f"工作日历“{calendar.name}”没有有效的上班时段。", code="calendar_invalid")
    return found


def working_day_minutes(calendar=None):
    """The length of one working day of `calendar` in minutes (7 hours by default)."""
    day = datetime.date.min
    return sum(
        (datetime.datetime.combine(day, end) - datetime.datetime.combine(day, start)).seconds // 60
        for start, end in sessions(calendar or default_calendar())
    )


def _day_segments(day, day_sessions, day_overrides, zone):
    """The working [start, end) intervals of `day`, as aware local datetimes."""
    if not _is_workday(day, day_overrides):
        return []
    return [
        (datetime.datetime.combine(day, start, tzinfo=zone), datetime.datetime.combine(day, end, tzinfo=zone))
        for start, end in day_sessions
    ]


def add_working_time(start, duration, calendar=None):
    """The moment `duration` (a timedelta) of working time after `start` (a start outside
    working hours counts from the next session; the result may be the very end of one)."""
    calendar = calendar or default_calendar()
    zone = local_zone()
    cursor = start.astimezone(zone)
    remaining = duration
    if remaining <= datetime.timedelta(0):
        return cursor
    day_sessions, day_overrides = sessions(calendar), overrides(calendar)
    day = cursor.date()
    for _ in range(MAX_DAYS):
        for seg_start, seg_end in _day_segments(day, day_sessions, day_overrides, zone):
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
    zone = local_zone()
    start, end = start.astimezone(zone), end.astimezone(zone)
    total = datetime.timedelta(0)
    if end <= start:
        return total
    day_sessions, day_overrides = sessions(calendar), overrides(calendar)
    day = start.date()
    while day <= end.date():
        for seg_start, seg_end in _day_segments(day, day_sessions, day_overrides, zone):
            overlap = min(seg_end, end) - max(seg_start, start)
            if overlap > datetime.timedelta(0):
                total += overlap
        day += datetime.timedelta(days=1)
    return total


def add_working_minutes(start, minutes, calendar=None):
    """The moment `minutes` working minutes after `start`."""
    return add_working_time(start, datetime.timedelta(minutes=minutes), calendar)


def working_minutes_between(start, end, calendar=None):
    """Whole working minutes between `start` and `end`."""
    return int(working_time_between(start, end, calendar).total_seconds() // 60)


def add_working_days(start, days, calendar=None):
    """The moment `days` whole working days (of the calendar's length) after `start`."""
    calendar = calendar or default_calendar()
    return add_working_minutes(start, days * working_day_minutes(calendar), calendar)
