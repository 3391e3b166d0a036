"""How long a notice stays up: its kind's days, calendar or working, counted as the Civil Code
counts periods (core.calendar.period_end: arts. 201 and 203)."""

from liulin.core import calendar

from .models import DayBasis


def last_day(start, days, basis):
    return calendar.period_last_day(start, days, working=basis == DayBasis.WORKING)


def period_end(start, days, basis):
    """(last day, the moment the period ends: local midnight after its last day)."""
    return calendar.period_end(start, days, working=basis == DayBasis.WORKING)
