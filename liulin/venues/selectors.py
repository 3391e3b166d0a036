"""Every read of venues a user triggers, scoped: managers and auditors see their community's
resources, bookings and memberships; a resident sees the resources of his own community and
his own bookings and memberships. The day grid shows free and taken slots, never who booked."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from liulin.core import calendar, clock
from liulin.core.errors import NotFound
from liulin.core.permissions import NOTHING, has_perm_anywhere, scope_q, scoped
from liulin.people import proxies

from . import rules
from .models import Blackout, Booking, Membership, MembershipPlan, Occupancy, Resource


def _resident_community(user):
    resident = getattr(user, "resident", None)
    household = getattr(resident, "household", None) if resident is not None else None
    return household.community_id if household is not None else None


def _elders_communities(user):
    """The communities of the elders `user` books for (people.proxies, "venues")."""
    return (proxies.elders_for(user, "venues").filter(household__isnull=False).order_by()
            .values("household__community_id"))


def may_use(user):
    """Whether `user` may use the venues pages: a role that sees them, or a consent to book
    for an elder (a grid worker holds no venues role)."""
    return has_perm_anywhere(user, "venues.view") or proxies.elders_for(user, "venues").exists()


def resources_for(user):
    """The resources `user` may look at: his community's (a resident's household's), and
    those of the elders he books for."""
    if not getattr(user, "is_authenticated", False):
        return Resource.objects.none()
    q = Q(community_id__in=_elders_communities(user))
    if has_perm_anywhere(user, "venues.view"):
        q |= scope_q(user, "venues.view", Resource)
        community = _resident_community(user)
        if community is not None:
            q |= Q(community_id=community)
    return Resource.objects.filter(q).select_related("parent", "facility").order_by("parent_id", "name")


def bookable_resources_for(user):
    return resources_for(user).filter(bookable=True)


def resource_for(user, pk):
    found = resources_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("找不到该场地，或您无权查看。"))
    return found


def bookings_for(user, *, states=None):
    """The bookings `user` may see: in his roles' scope, and those he holds for an elder
    without an account (whatever his roles: a grid worker has none in venues)."""
    qs = Booking.objects.select_related("resource", "booker", "for_resident")
    q = scope_q(user, "venues.view", Booking)
    if q:  # an empty Q: everything in scope
        held = Q(booker_id=user.pk, for_resident__isnull=False)
        qs = qs.filter(held if q == NOTHING else q | held)
    if states:
        qs = qs.filter(state__in=states)
    return qs.order_by("-starts_at", "-pk")


def my_bookings(user):
    """The bookings `user` holds: his own, and those he made for an elder without an account."""
    return Booking.objects.filter(booker=user).select_related("resource", "for_resident").order_by("-starts_at", "-pk")


def booking_for(user, pk):
    found = bookings_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("找不到该预约，或您无权查看。"))
    return found


def awaiting_approval(user):
    """Requests the user may decide, oldest first, his own left out (nobody approves his own)."""
    qs = scoped(user, Booking.objects.select_related("resource", "booker"), "venues.approve")
    return qs.filter(state=Booking.State.REQUESTED).exclude(booker=user).order_by("starts_at", "pk")


def todays_bookings(user, *, now=None):
    """The day's bookings the user manages, for check-in at the door."""
    now = now or clock.now()
    start = calendar.start_of_day(calendar.local_date(now))
    qs = scoped(user, Booking.objects.select_related("resource", "booker"), "venues.check_in")
    return qs.filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)).order_by("starts_at", "pk")


def memberships_for(user):
    return scoped(user, Membership.objects.select_related("plan", "member", "resource"), "venues.view").order_by("-starts_on", "-pk")


def membership_for(user, pk):
    found = memberships_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("找不到该会员记录，或您无权查看。"))
    return found


def plans_for(user):
    return MembershipPlan.objects.filter(active=True, resource__in=resources_for(user)).select_related("resource")


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime
    end: datetime.datetime
    state: str  # "free", "taken", "blocked" (a blackout), "past"

    @property
    def free(self):
        return self.state == "free"


def day_grid(resource, day, *, now=None):
    """The resource's slots on `day` in its opening hours, each free, taken, blocked or past.
    A slot is free when booking it would pass the overlap rule: nothing on the resource or
    inside it within the slot plus the buffer. Three queries whatever the day holds."""
    now = now or clock.now()
    sessions = rules.sessions_on(resource, day)
    if not sessions:
        return []
    first, last = sessions[0][0], sessions[-1][1]
    buffer = datetime.timedelta(minutes=resource.buffer_minutes)
    claimed = rules.with_descendants(resource)
    held = list(
        Occupancy.objects.filter(resource__in=claimed, starts_at__lt=last + buffer, ends_at__gt=first).values_list("starts_at", "ends_at")
    )
    blocked = list(
        Blackout.objects.filter(resource__in=[resource, *rules.ancestors(resource)], starts_at__lt=last, ends_at__gt=first)
        .values_list("starts_at", "ends_at")
    )
    step = datetime.timedelta(minutes=resource.slot_minutes)
    slots = []
    for opens, closes in sessions:
        start = opens
        while start + step <= closes:
            end = start + step
            if start < now:
                state = "past"
            elif any(a < end and start < b for a, b in blocked):
                state = "blocked"
            elif any(a < end + buffer and start < b for a, b in held):
                state = "taken"
            else:
                state = "free"
            slots.append(Slot(start, end, state))
            start = end
    return slots


def cockpit_tile(user):
    """The 数据驾驶舱's booking figures over the bookings the user manages: this month's
    bookings that hold their time, checked in, released as no-shows, and waiting approval."""
    from django.db.models import Count

    first = calendar.month_start(clock.today())
    start, end = calendar.start_of_day(first), calendar.start_of_day(calendar.add_months(first, 1))
    month = scoped(user, Booking.objects.filter(starts_at__gte=start, starts_at__lt=end), "venues.manage")
    return month.aggregate(
        held=Count("pk", filter=Q(state__in=[Booking.State.CONFIRMED, Booking.State.CHECKED_IN, Booking.State.HELD])),
        checked_in=Count("pk", filter=Q(state=Booking.State.CHECKED_IN)),
        no_show=Count("pk", filter=Q(state=Booking.State.NO_SHOW)),
        requested=Count("pk", filter=Q(state=Booking.State.REQUESTED)))
