"""The booking rules of a resource, read from its rows: opening hours, blackouts, the booking
window, notice, quotas and the no-show policy. Each check raises a domain error naming the
rule; none writes."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from liulin.core import calendar
from liulin.core.errors import Invalid, NotPermitted

from .models import HOLDING_STATES, Blackout, Booking, NoShowPolicy, OpeningHours, Resource, TeamBlock


def ancestors(resource):
    """The resources `resource` is inside, nearest first."""
    found, seen = [], {resource.pk}
    current = resource.parent
    while current is not None and current.pk not in seen:
        found.append(current)
        seen.add(current.pk)
        current = current.parent
    return found


def with_descendants(resource):
    """[resource] and every resource inside it, at any depth (one query per level)."""
    found, level = [resource], [resource.pk]
    while level:
        parts = list(Resource.objects.filter(parent_id__in=level).exclude(pk__in=[r.pk for r in found]))
        found += parts
        level = [r.pk for r in parts]
    return found


def local(value):
    return value.astimezone(calendar.local_zone())


def is_holiday(day):
    return calendar.statutory_holiday(day)


def sessions_on(resource, day):
    """[(opens, closes)] as aware datetimes: the resource's opening hours on `day`."""
    zone = calendar.local_zone()
    holiday = None
    found = []
    for row in OpeningHours.objects.filter(resource=resource, weekday=day.weekday()).order_by("opens"):
        if row.closed_on_holidays:
            holiday = is_holiday(day) if holiday is None else holiday
            if holiday:
                continue
        found.append((datetime.datetime.combine(day, row.opens, tzinfo=zone), datetime.datetime.combine(day, row.closes, tzinfo=zone)))
    return found


def check_times(resource, start, end, *, now):
    if start >= end:
        raise Invalid(_("结束时间须晚于开始时间。"), code="invalid_interval", field="end")
    if start < now:
        raise Invalid(_("不能预约已经过去的时间。"), code="in_the_past", field="start")
    first, last = local(start), local(end)
    if last - first > datetime.timedelta(hours=24):
        raise Invalid(_("一次预约不能超过一天。"), code="too_long", field="end")
    sessions = sessions_on(resource, first.date())
    if not any(opens <= start and end <= closes for opens, closes in sessions):
        raise Invalid(_("所选时间不在“%(name)s”的开放时间内。") % {"name": resource.name}, code="closed", field="start")
    blocked = [resource, *ancestors(resource)]
    blackout = Blackout.objects.filter(resource__in=blocked, starts_at__lt=end, ends_at__gt=start).first()
    if blackout is not None:
        raise Invalid(_("该时段场地停用：%(reason)s。") % {"reason": blackout.reason}, code="blackout", field="start")


def check_window(resource, start, *, now, privileged=False):
    """Minimum and maximum notice and the daily opening of the window. Managers booking for
    the community (`privileged`) are bound by the opening hours only."""
    if privileged:
        return
    if start - now < datetime.timedelta(minutes=resource.min_notice_minutes):
        raise Invalid(
            _("须至少提前 %(minutes)d 分钟预约。") % {"minutes": resource.min_notice_minutes}, code="too_late", field="start"
        )
    today, day = calendar.local_date(now), calendar.local_date(start)
    if (day - today).days > resource.max_days_ahead:
        raise Invalid(
            _("最多只能提前 %(days)d 天预约。") % {"days": resource.max_days_ahead}, code="too_early", field="start"
        )
    if resource.window_opens_at is not None and local(now).time() < resource.window_opens_at:
        raise Invalid(
            _("每天 %(time)s 起开放预约。") % {"time": resource.window_opens_at.strftime("%H:%M")}, code="window_closed", field="start"
        )


@dataclass(frozen=True)
class Person:
    """Whose bookings a quota or a no-show ban counts: a person's own bookings under her
    account (not those she made for an elder she acts for) and those her proxy made for her
    registry record while she had no account."""

    user_id: int | None = None
    resident_id: int | None = None

    @classmethod
    def of(cls, *, user=None, resident=None):
        """The person of an account (and its registry record), or of a registry record
        alone; an elder who has an account is given as her account."""
        if user is not None:
            return cls(user_id=user.pk, resident_id=getattr(user, "resident_id", None))
        return cls(resident_id=resident.pk if resident is not None else None)

    def q(self):
        """The bookings that are this person's."""
        q = Q(pk__in=[])
        if self.user_id is not None:
            q |= Q(booker_id=self.user_id, for_resident__isnull=True)
        if self.resident_id is not None:
            q |= Q(for_resident_id=self.resident_id)
        return q


def no_show_ban_until(person, community, *, now):
    """The moment `person` (a Person) may book again under the community's no-show policy,
    or None."""
    policy = NoShowPolicy.objects.filter(community=community).first()
    if policy is None:
        return None
    since = now - datetime.timedelta(days=policy.within_days)
    recent = list(
        Booking.objects.filter(person.q(), resource__community=community, state=Booking.State.NO_SHOW, starts_at__gte=since)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)[: policy.count]
    )
    if len(recent) < policy.count:
        return None
    until = recent[0] + datetime.timedelta(days=policy.ban_days)
    return until if until > now else None


def check_quota(resource, person, start, end):
    """Per person (a Person): bookings a day and hours a week on this resource, counting held
    bookings."""
    held = Booking.objects.filter(person.q(), resource=resource, state__in=HOLDING_STATES)
    day = calendar.local_date(start)
    if resource.max_bookings_per_day is not None:
        day_start = calendar.start_of_day(day)
        same_day = held.filter(starts_at__gte=day_start, starts_at__lt=day_start + datetime.timedelta(days=1)).count()
        if same_day >= resource.max_bookings_per_day:
            raise NotPermitted(
                _("每人每天最多预约 %(n)d 次。") % {"n": resource.max_bookings_per_day}, code="quota_day", field="start"
            )
    if resource.max_hours_per_week is not None:
        monday = calendar.start_of_day(day - datetime.timedelta(days=day.weekday()))
        week = held.filter(starts_at__gte=monday, starts_at__lt=monday + datetime.timedelta(days=7))
        booked = sum(((b - a) for a, b in week.values_list("starts_at", "ends_at")), datetime.timedelta())
        if booked + (end - start) > datetime.timedelta(hours=resource.max_hours_per_week):
            raise NotPermitted(
                _("每人每周最多预约 %(n)d 小时。") % {"n": resource.max_hours_per_week}, code="quota_week", field="start"
            )


def check_team(resource, team, start, end):
    """A team's booking: not in a time blocked for it (or for every team) on this resource or
    one it is inside, and within the resource's hours a week per team."""
    if team is None:
        return
    first, last = local(start), local(end)
    blocks = TeamBlock.objects.filter(resource__in=[resource, *ancestors(resource)], weekday=first.weekday(),
                                      starts__lt=last.time() if last.date() == first.date() else datetime.time.max,
                                      ends__gt=first.time())
    block = blocks.filter(team__isnull=True).first() or blocks.filter(team=team).first()
    if block is not None:
        raise NotPermitted(_("该时段不对此队伍开放：%(reason)s。") % {"reason": block.reason}, code="team_blocked", field="start")
    if resource.max_team_hours_per_week is not None:
        day = local(start).date()
        monday = calendar.start_of_day(day - datetime.timedelta(days=day.weekday()))
        week = Booking.objects.filter(resource=resource, team=team, state__in=HOLDING_STATES, starts_at__gte=monday,
                                      starts_at__lt=monday + datetime.timedelta(days=7))
        booked = sum(((b - a) for a, b in week.values_list("starts_at", "ends_at")), datetime.timedelta())
        if booked + (end - start) > datetime.timedelta(hours=resource.max_team_hours_per_week):
            raise NotPermitted(
                _("每支队伍每周最多预约 %(n)d 小时。") % {"n": resource.max_team_hours_per_week}, code="quota_team", field="start"
            )
