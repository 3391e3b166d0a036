"""Recurring bookings for a team's weekly practice: preview every date with what would stop
it (closed that day — a holiday —, a blackout, already booked), book the dates the team
keeps, skipping the others; cancel or move the series from a date on.

A series is planned ahead, so the booking window and notice do not bind it; opening hours,
holidays, blackouts and the overlap rule do, date by date, and the database still refuses an
overlap that slips between the preview and the booking.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from liulin.core import calendar, clock
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.permissions import can
from liulin.core.text import clean_text

from .. import rules
from ..models import HOLDING_STATES, BookingSeries
from . import bookings

MAX_DATES = 60  # a year of weekly practice at most in one series


@dataclass(frozen=True)
class Occurrence:
    day: datetime.date
    start: datetime.datetime
    end: datetime.datetime
    problem: str = ""  # empty: bookable
    code: str = ""

    @property
    def ok(self):
        return not self.code


def _dates(first_day, last_day, every_days):
    first_day, last_day = clock.bounded(first_day, field="first_day"), clock.bounded(last_day, field="last_day")
    if last_day < first_day:
        raise Invalid(_("末次日期须不早于首次日期。"), code="invalid_interval", field="last_day")
    if not 1 <= every_days <= 366:
        raise Invalid(_("间隔天数须在 1 到 366 之间。"), code="invalid_every", field="every_days")
    count = (last_day - first_day).days // every_days + 1
    if count > MAX_DATES:
        raise Invalid(_("一个定期预约最多 %(n)d 次。") % {"n": MAX_DATES}, code="too_many_dates", field="last_day")
    return [first_day + datetime.timedelta(days=every_days * i) for i in range(count)]


def _may_book_series(actor, resource, team):
    """Managers, or a member of the team who may book the resource himself."""
    if actor is None or can(actor, "venues.manage", resource):
        return
    bookings.may_book(actor, resource)
    bookings.require_team_member(actor, team)


def _at(day, time):
    return datetime.datetime.combine(day, time, tzinfo=calendar.local_zone())


def preview_series(*, actor, resource, team, starts, ends, first_day, last_day, every_days=7, now=None):
    """Every date of the series with what would stop it, if anything."""
    now = now or clock.now()
    _may_book_series(actor, resource, team)
    if starts >= ends:
        raise Invalid(_("结束时间须晚于开始时间。"), code="invalid_interval", field="ends")
    buffer = datetime.timedelta(minutes=resource.buffer_minutes)
    claimed = rules.with_descendants(resource)
    bound = actor is not None and not can(actor, "venues.manage", resource)  # a team's own booking
    found = []
    for day in _dates(first_day, last_day, every_days):
        start, end = _at(day, starts), _at(day, ends)
        try:
            rules.check_times(resource, start, end, now=now)
            if bound:
                rules.check_team(resource, team, start, end)
        except (Invalid, NotPermitted) as error:
            found.append(Occurrence(day, start, end, error.detail, error.code))
            continue
        if bookings.overlapping(claimed, start, end + buffer).exists():
            found.append(Occurrence(day, start, end, _("该时段已被预约。"), "slot_taken"))
            continue
        found.append(Occurrence(day, start, end))
    return found


@transaction.atomic
def book_series(*, actor, resource, team, starts, ends, first_day, last_day, every_days=7, skip=(), purpose="", booker=None,
                now=None, is_demo=False):
    """Book every date of the series but those in `skip`. A date with a problem that is not
    skipped refuses the whole series (409 `series_conflicts`, naming the dates), so the team
    decides date by date; nothing is written then."""
    now = now or clock.now()
    purpose = clean_text(purpose or "", field="purpose").strip()[:200]
    dates = preview_series(actor=actor, resource=resource, team=team, starts=starts, ends=ends, first_day=first_day,
                           last_day=last_day, every_days=every_days, now=now)
    skip = {d for d in skip}
    blocking = [o for o in dates if not o.ok and o.day not in skip]
    if blocking:
        raise Conflict(
            _("以下日期不能预约，请选择跳过：%(dates)s") % {"dates": "、".join(f"{o.day:%m-%d}（{o.problem}）" for o in blocking)},
            code="series_conflicts",
        )
    kept = [o for o in dates if o.day not in skip]
    if not kept:
        raise Invalid(_("没有要预约的日期。"), code="nothing_to_book")
    booker = booker if (booker is not None and (actor is None or can(actor, "venues.manage", resource))) else actor
    if booker is None:
        raise Invalid(_("须指明预约人。"), code="booker_required")
    series = BookingSeries.objects.create(
        resource=resource, booker=booker, team=team, starts=starts, ends=ends, first_day=dates[0].day, last_day=dates[-1].day,
        every_days=every_days, skipped=sorted(d.isoformat() for d in skip if first_day <= d <= last_day), purpose=purpose,
        created_at=now, is_demo=is_demo,
    )
    role = "system" if actor is None else ("manager" if can(actor, "venues.manage", resource) else "team")
    for o in kept:
        bookings.create_booking(actor=actor, actor_role=role, resource=resource, booker=booker, team=team, series=series,
                                start=o.start, end=o.end, purpose=purpose, now=now, is_demo=is_demo)
    return series


@transaction.atomic
def cancel_series_from(*, actor, series, from_day, now=None):
    """Cancel the series' bookings on and after `from_day` that still hold their time; the
    series then ends the day before. Returns how many were cancelled."""
    now = now or clock.now()
    from_day = clock.bounded(from_day, field="from_day")
    series = BookingSeries.objects.select_for_update().get(pk=series.pk)
    due = series.bookings.filter(starts_at__gte=calendar.start_of_day(from_day), state__in=HOLDING_STATES).order_by("starts_at")
    cancelled = 0
    for booking in due:
        bookings.act(actor=actor, booking=booking, action="cancel", reason=_("定期预约自 %(day)s 起取消。") % {"day": from_day}, now=now)
        cancelled += 1
    last = max(series.first_day, min(series.last_day, from_day - datetime.timedelta(days=1)))
    BookingSeries.objects.filter(pk=series.pk).update(last_day=last)
    return cancelled


@transaction.atomic
def change_series_from(*, actor, series, from_day, starts, ends, skip=(), now=None):
    """Move the series to new hours from `from_day` on: the old dates from then are cancelled
    and a new series books the same days at the new hours. Returns the new series."""
    now = now or clock.now()
    old_last = series.last_day
    cancel_series_from(actor=actor, series=series, from_day=from_day, now=now)
    first = from_day + datetime.timedelta(days=(series.first_day - from_day).days % series.every_days)
    return book_series(actor=actor, resource=series.resource, team=series.team, starts=starts, ends=ends, first_day=first,
                       last_day=old_last, every_days=series.every_days, skip=skip, purpose=series.purpose,
                       booker=series.booker, now=now)
