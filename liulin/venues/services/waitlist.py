"""The waiting list: someone who finds a time taken waits for it; when a booking overlapping
it is released (cancelled, rejected, a no-show), the first in line whose time is now free
gets a booking held for him for the resource's `hold_minutes` (from now, or the start if
later). He accepts it (`accept_offer`) or it lapses and passes to the next in line. A freed
time that has already begun is offered from now on, so the taker is not at once a no-show."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import clock
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.notifications.services import notify

from .. import rules
from ..models import Booking, WaitlistEntry
from . import bookings
from .series import preview_series

KIND_OFFER = "venues.offer"


@transaction.atomic
def join_waitlist(*, actor, resource, start, end, now=None):
    """Wait for [start, end) on `resource`, which must be taken now (else book it)."""
    now = now or clock.now()
    start, end = clock.bounded(start, field="start"), clock.bounded(end, field="end")
    privileged = bookings.may_book(actor, resource)
    if privileged:
        raise NotPermitted(_("管理员直接预约，无需候补。"), code="manager_books")
    rules.check_times(resource, start, end, now=now)
    rules.check_window(resource, start, now=now)
    buffer = datetime.timedelta(minutes=resource.buffer_minutes)
    if not bookings.overlapping(rules.with_descendants(resource), start, end + buffer).exists():
        raise Invalid(_("该时段空闲，可以直接预约。"), code="slot_free")
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(resource=resource, user=actor, starts_at=start, ends_at=end, created_at=now)
    except IntegrityError:
        raise Conflict(_("您已在该时段的候补名单中。"), code="already_waiting") from None


@transaction.atomic
def join_waitlist_for_series(*, actor, resource, team, starts, ends, first_day, last_day, every_days=7, now=None):
    """A team waits for every date of its weekly time that is taken now: one entry per date,
    each offered to the team when freed (a date closed or blacked out is not waited for). The
    dates free now are for booking as a series; none taken is refused (`slot_free`)."""
    now = now or clock.now()
    dates = preview_series(actor=actor, resource=resource, team=team, starts=starts, ends=ends, first_day=first_day,
                           last_day=last_day, every_days=every_days, now=now)
    taken = [o for o in dates if o.code == "slot_taken"]
    if not taken:
        raise Invalid(_("这些日期没有被占用的，可以直接预约。"), code="slot_free")
    waiting = set(WaitlistEntry.objects.filter(resource=resource, user=actor, state=WaitlistEntry.State.WAITING,
                                               starts_at__in=[o.start for o in taken]).values_list("starts_at", flat=True))
    try:
        with transaction.atomic():
            WaitlistEntry.objects.bulk_create([
                WaitlistEntry(resource=resource, user=actor, team=team, starts_at=o.start, ends_at=o.end, created_at=now)
                for o in taken if o.start not in waiting])
    except IntegrityError:  # the same request twice at once
        raise Conflict(_("您已在该时段的候补名单中。"), code="already_waiting") from None
    return list(WaitlistEntry.objects.filter(resource=resource, user=actor, state=WaitlistEntry.State.WAITING,
                                             starts_at__in=[o.start for o in taken]).order_by("starts_at"))


@transaction.atomic
def withdraw(*, actor, entry):
    if entry.user_id != actor.pk:
        raise NotPermitted(_("只能退出自己的候补。"), code="not_yours")
    if not WaitlistEntry.objects.filter(pk=entry.pk, state=WaitlistEntry.State.WAITING).update(state=WaitlistEntry.State.WITHDRAWN):
        raise Conflict(_("候补状态已变化。"), code="state_changed")


def offer_next(*, resource, start, end, now):
    """Hold the freed [start, end) (or what overlaps it) for the first in line whose time is
    now free. Inside the releasing transaction. Returns the held booking, or None."""
    candidates = WaitlistEntry.objects.filter(
        resource__in=[resource, *rules.ancestors(resource), *rules.with_descendants(resource)[1:]],
        state=WaitlistEntry.State.WAITING, starts_at__lt=end, ends_at__gt=max(start, now),
    ).select_related("resource", "user").order_by("created_at", "pk")
    for entry in candidates:
        begin = max(entry.starts_at, now)
        hold_until = now + datetime.timedelta(minutes=max(1, entry.resource.hold_minutes))
        try:
            with transaction.atomic():
                booking = bookings.create_booking(
                    actor=None, actor_role="system", resource=entry.resource, booker=entry.user, team=entry.team,
                    start=begin, end=entry.ends_at, now=now, hold_until=hold_until,
                )
        except Conflict:
            continue  # still taken for this one (another part, a buffer): the next may fit
        WaitlistEntry.objects.filter(pk=entry.pk).update(state=WaitlistEntry.State.OFFERED, booking=booking)
        notify(entry.user, kind=KIND_OFFER, text=N_("候补到了：{resource} {time}，请在 {until} 前确认。"),
               params={"resource": entry.resource.name, "time": rules.local(begin).strftime("%m-%d %H:%M"),
                       "until": rules.local(hold_until).strftime("%H:%M")},
               target=booking, url=f"/venues/bookings/{booking.pk}/")
        return booking
    return None


def release_expired_holds(*, now=None):
    """Let every hold past its deadline lapse (which offers the time to the next in line)."""
    now = now or clock.now()
    done = 0
    for booking in Booking.objects.filter(state=Booking.State.HELD, hold_until__lte=now).order_by("hold_until").iterator():
        try:
            bookings.act(actor=None, booking=booking, action="lapse", now=now)
        except Conflict:
            continue
        done += 1
    return done
