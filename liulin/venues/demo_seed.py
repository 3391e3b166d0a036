"""Venue demo data: a bookable resource for each of the article's rooms, halls, courts and
stages (the facilities the demo territory already holds), their rules, the smart gym's
25-yuan monthly membership, a no-show policy, and a few bookings and memberships so every
page has something to show. Idempotent: resources by facility, plans by name, and the demo
bookings and memberships only when none exist yet.

The article gives the places, the hall's 368 seats and the gym's fee; opening hours, slot
lengths, windows and quotas are not in it and are the demo's choices (docs/venues.md)."""

import datetime

from liulin.core import calendar, clock
from liulin.core.errors import Conflict, Invalid
from liulin.orgs.models import Organisation
from liulin.territory.models import Facility

from .models import Booking, Membership, MembershipPlan, NoShowPolicy, OpeningHours, Resource
from .services import bookings, gym, payments, series

# Facility kinds that are booked, and the rules of each kind: (slot minutes, days ahead,
# window opens at, bookings a day per person, needs approval).
RULES = {
    Facility.Kind.HALL: {"slot_minutes": 60, "max_days_ahead": 60, "min_notice_minutes": 3 * 24 * 60, "requires_approval": True},
    Facility.Kind.STAGE: {"slot_minutes": 60, "max_days_ahead": 30, "min_notice_minutes": 24 * 60, "requires_approval": True},
    Facility.Kind.ROOM: {"slot_minutes": 60, "max_days_ahead": 14, "max_hours_per_week": 6},
    Facility.Kind.COURT: {"slot_minutes": 60, "max_days_ahead": 1, "window_opens_at": datetime.time(8), "max_bookings_per_day": 1,
                          "buffer_minutes": 0},
    Facility.Kind.GYM: {"slot_minutes": 60, "max_days_ahead": 30, "min_notice_minutes": 24 * 60, "requires_approval": True},
}
# Rooms that serve people rather than being lent out.
NOT_LENT = {"服务大厅", "日间照料中心", "母婴室", "心理咨询室", "雷锋驿站心理咨询室", "慢生活小游园", "基础便民健身设施"}
GYM = "智慧健身房"
SERVICE_HOURS = [(datetime.time(8, 30), datetime.time(12)), (datetime.time(14), datetime.time(17, 30)), (datetime.time(19), datetime.time(21))]
SPORTS_HOURS = [(datetime.time(8), datetime.time(21))]
GYM_CAPACITY = 20  # people inside at once; the article gives 100 m² and 5 treadmills, not a cap


def seed_resources(community):
    facilities = list(Facility.objects.filter(community=community).order_by("parent_id", "name"))
    existing = {r.facility_id: r for r in Resource.objects.filter(facility__in=facilities)}
    by_facility = dict(existing)
    new = []
    for f in sorted(facilities, key=lambda f: f.parent_id is not None):  # parents first
        if f.pk in by_facility:
            continue
        rules = RULES.get(f.kind)
        bookable = rules is not None and f.name not in NOT_LENT and f.name != GYM
        resource = Resource(
            facility=f, community=community, parent=by_facility.get(f.parent_id), name=f.name, bookable=bookable,
            capacity=f.seats, is_demo=True, **(rules or {}),
        )
        by_facility[f.pk] = resource
        new.append(resource)
    # Parents first, so the children's parent has its id.
    for resource in [r for r in new if r.parent is None]:
        resource.save()
    for resource in new:
        if resource.parent is not None:
            resource.parent_id = resource.parent.pk
    Resource.objects.bulk_create([r for r in new if r.parent is not None])
    created = [r for r in new if r.pk]
    hours = []
    for resource in Resource.objects.filter(pk__in=[r.pk for r in created]).select_related("facility"):
        sessions = SERVICE_HOURS if resource.facility.kind == Facility.Kind.ROOM and resource.facility.is_indoor and not _in_gym(resource) else SPORTS_HOURS
        for weekday in range(7):
            for opens, closes in sessions:
                hours.append(OpeningHours(resource=resource, weekday=weekday, opens=opens, closes=closes,
                                          closed_on_holidays=resource.facility.kind == Facility.Kind.ROOM))
    OpeningHours.objects.bulk_create(hours)
    return {r.name: r for r in Resource.objects.filter(community=community)}


def _in_gym(resource):
    return resource.parent is not None and resource.parent.facility.kind == Facility.Kind.GYM


def seed_gym(resources):
    gym_resource = resources[GYM]
    fee = gym_resource.facility.monthly_fee_fen
    plan, _ = MembershipPlan.objects.get_or_create(
        resource=gym_resource, name="月卡", defaults={"months": 1, "price_fen": fee, "hourly_capacity": GYM_CAPACITY, "is_demo": True}
    )
    return plan


def seed_activity(demo, resources, plan):
    """A team's practice, a court, a hall request and two memberships, from tomorrow on."""
    if Booking.objects.filter(resource__community=demo.community, is_demo=True).exists():
        return
    now = clock.now()
    tomorrow = calendar.local_date(now) + datetime.timedelta(days=1)
    zone = calendar.local_zone()

    def at(day, hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)

    manager = demo.users.get("19900000012")
    family = demo.users.get("19900000015")
    alone = demo.users.get("19900000014")
    team = Organisation.objects.filter(name="常青藤舞蹈队").first()
    def book(**fields):
        try:  # a day the room is closed (a holiday) is simply skipped
            bookings.book_facility(actor=None, now=now, is_demo=True, **fields)
        except (Invalid, Conflict):
            pass

    if team is not None:  # the dance team's weekly practice for four weeks, skipping what cannot be booked
        fields = {"resource": resources["室内舞蹈室"], "team": team, "starts": datetime.time(19), "ends": datetime.time(21),
                  "first_day": tomorrow, "last_day": tomorrow + datetime.timedelta(days=21)}
        dates = series.preview_series(actor=None, now=now, **fields)
        skip = [o.day for o in dates if not o.ok]
        if len(skip) < len(dates):
            series.book_series(actor=None, booker=manager, skip=skip, purpose="常青藤舞蹈队排练", now=now, is_demo=True, **fields)
    if family is not None:
        book(resource=resources["室内羽毛球场"], start=at(tomorrow, 18), end=at(tomorrow, 19), booker=family)
        hall_day = tomorrow + datetime.timedelta(days=10)
        book(resource=resources["初心讲堂"], start=at(hall_day, 14), end=at(hall_day, 16), booker=family, purpose="好家风评比分享会",
             headcount=200, safety_plan="两名安全员值守，疏散通道保持畅通。")
    if alone is not None and not Membership.objects.filter(member=alone).exists():
        membership = gym.join_gym(actor=None, plan=plan, member=alone, now=now, is_demo=True)
        payments.record_counter_payment(actor=None, membership=membership, receipt_no="DEMO-0001", now=now)
    if family is not None and not Membership.objects.filter(member=family).exists():
        gym.join_gym(actor=None, plan=plan, member=family, now=now, is_demo=True)


def seed(demo):
    resources = seed_resources(demo.community)
    NoShowPolicy.objects.get_or_create(community=demo.community, defaults={"count": 3, "within_days": 30, "ban_days": 30})
    plan = seed_gym(resources)
    seed_activity(demo, resources, plan)
