"""How long a notice stays up, counted as the Civil Code counts periods.

Art. 201: a period in days does not count the day it starts; it starts the next day.
Art. 203: if its last day is a statutory day off (法定休假日, weekends included), the period
ends on the first day after it; it ends at 24:00 of its last day.
A period in working days counts only working days (core.calendar: statutory holidays off,
调休 make-up Saturdays worked, an administrator's overrides win), so its last day is worked.
"""

import datetime

from liulin.core import calendar
from liulin.core.errors import Invalid

from .models import DayBasis

ONE_DAY = datetime.timedelta(days=1)


def last_day(start, days, basis):
    """The last day of a period of `days` days (of `basis`) that starts on the day after the
    local date of `start`."""
    day = calendar.local_date(start)
    if basis == DayBasis.WORKING:
        counted = 0
        while counted < days:
            day += ONE_DAY
            if calendar.is_workday(day):
                counted += 1
        return day
    day += datetime.timedelta(days=days)
    for _ in range(calendar.MAX_DAYS):
        if calendar.is_workday(day):
            return day
        day += ONE_DAY
    raise Invalid("no working day", code="calendar_without_workdays")


def period_end(start, days, basis):
    """(last day, the moment the period ends: local midnight after its last day)."""
    last = last_day(start, days, basis)
    return last, calendar.start_of_day(last + ONE_DAY)
