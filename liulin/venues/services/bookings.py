"""Every write to bookings: book, the workflow's steps, and the release of no-shows.

`book_facility` is the public entry point for other apps (events, courses) that need a room:
it takes a territory Facility (or a venues Resource) and books it under the same rules.

No double booking holds in the database (models.Occupancy): the check here only finds the
conflict first to name it; two requests racing past it meet the exclusion constraint
(PostgreSQL) or the trigger (SQLite), and the loser gets the same `slot_taken` conflict.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import chain, clock
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.permissions import authorise, can, has_perm_anywhere, permitting_role
from liulin.core.roles import Role
from liulin.core.text import clean_text
from liulin.people import proxies
from liulin.people.models import Resident

from .. import rules
from ..models import HOLDING_STATES, Booking, BookingEvent, Occupancy, Resource
from ..workflow import BOOKING_WORKFLOW

NOT_FOUND = N_("找不到该预约，或您无权查看。")
MAX_HEADCOUNT = 100_000
PROXY_SERVICE = "venues"  # the code registered with people.proxies: booking in an elder's name


def _resource_of(facility, resource):
    if resource is not None:
        return resource
    try:
        return facility.venue
    except Resource.DoesNotExist:
        raise Invalid(_("“%(name)s”不对外预约。") % {"name": facility.name}, code="not_bookable") from None


def may_book(actor, resource):
    """Residents of the resource's community with a real-name record book for themselves;
    managers of the community book for anyone (events, courses). Returns whether the actor
    books as a manager (then the notice and window rules do not bind him)."""
    if actor is None:
        return True
    if can(actor, "venues.manage", resource):
        return True
    resident = getattr(actor, "resident", None)
    if resident is None or not has_perm_anywhere(actor, "venues.view"):
        raise NotPermitted(_("实名登记的本社区居民才能预约场地。"), code="real_name_required")
    check_residency(resident, resource)
    return False


def check_residency(resident, resource):
    """The residency rule: whoever a booking is for (the booker, or the elder a proxy books
    for) lives in the resource's community."""
    if resident is None:
        raise NotPermitted(_("实名登记的本社区居民才能预约场地。"), code="real_name_required")
    household = resident.household
    if household is None or household.community_id != resource.community_id:
        raise NotPermitted(_("只有本社区居民才能预约该场地。"), code="other_community")


def require_team_member(actor, team):
    """Only a member of `team` books in its name (managers are not asked)."""
    from liulin.orgs.models import Membership as TeamMembership

    members = TeamMembership.objects.filter(org=team)
    if not (members.filter(user=actor).exists() or (actor.resident_id and members.filter(resident_id=actor.resident_id).exists())):
        raise NotPermitted(_("只有该队伍的成员才能以队伍名义预约。"), code="not_team_member")


def overlapping(resources, start, end):
    return Occupancy.objects.filter(resource__in=resources, starts_at__lt=end, ends_at__gt=start)


def _slot_taken():
    return Conflict(_("该时段已被预约，请选择其他时间。"), code="slot_taken")


def _lock_person(person):
    """Serialise one person's bookings (her quota, a rules.Person) on PostgreSQL: her
    account's row and her registry record's, in that order, whichever she has (an elder
    without an account has only the record, on which her proxies' bookings meet). SQLite's
    IMMEDIATE transactions already run one writer at a time."""
    if connection.vendor != "postgresql":
        return
    if person.user_id is not None:
        get_user_model().objects.select_for_update().filter(pk=person.user_id).values_list("pk").first()
    if person.resident_id is not None:
        Resident.objects.select_for_update().filter(pk=person.resident_id).values_list("pk").first()


def _occupy(booking, resource, start, end):
    """Write the booking's occupancies: its resource and everything inside it, up to the end
    plus the resource's buffer. The database refuses an overlap."""
    held_until = end + datetime.timedelta(minutes=resource.buffer_minutes)
    claimed = rules.with_descendants(resource)
    if overlapping(claimed, start, held_until).exists():
        raise _slot_taken()
    rows = [Occupancy(booking=booking, resource=r, starts_at=start, ends_at=held_until) for r in claimed]
    try:
        with transaction.atomic():
            Occupancy.objects.bulk_create(rows)
    except IntegrityError:
        raise _slot_taken() from None


def _release(booking):
    Occupancy.objects.filter(booking=booking).delete()


def _role_of(actor, booking, perm):
    if actor is None:
        return "system"
    return permitting_role(actor, perm, booking) or ""


def holds_for_elder(actor, booking, action=None):
    """Whether `actor` holds `booking` as the proxy who booked it for an elder without an
    account, and (given `action`) whether that action is one a booker takes on his own
    booking (cancel, accept an offer, check in): he may, whatever his roles."""
    if actor is None or booking.for_resident_id is None or booking.booker_id != actor.pk:
        return False
    return action is None or Role.RESIDENT in BOOKING_WORKFLOW.roles_of(action)


def book_facility(*, actor, facility=None, resource=None, start, end, purpose="", headcount=None, safety_plan="",
                  team=None, booker=None, for_resident=None, now=None, is_demo=False, for_service=False):
    """Book `facility` (or `resource`) for [start, end). Confirmed at once, or awaiting
    approval where the resource requires it. `booker` is whom a manager books for (default:
    the actor), or the account of an elder whose proxy (people.proxies, "venues") the actor
    is. Raises Invalid, NotPermitted or Conflict (code "slot_taken").

    `for_resident`: an elder's registry record, for an elder who has no account: the actor
    books for her under her consent (NotPermitted `proxy_*` without one), her residency,
    quota and no-show ban apply, and he is the booker who holds the booking (checks in,
    cancels). An elder who has an account is booked for under her account (`booker`).

    `for_service`: a service of the community books a room it runs that is not lent out to
    the public (the 心理咨询室 for counselling); only a system booking (`actor=None`) may.

    A time already taken is refused by one read before the write transaction: in a morning
    rush most attempts lose, and on SQLite every write transaction waits for the one before
    it. The read decides nothing: a time it finds free is booked under the database's rule."""
    resource = _resource_of(facility, resource)
    start = clock.bounded(start, field="start")
    end = clock.bounded(end, field="end")
    if start.tzinfo is None or end.tzinfo is None:
        raise Invalid(_("时间须带时区。"), code="naive_time", field="start")
    if start < end:
        held_until = end + datetime.timedelta(minutes=resource.buffer_minutes)
        if overlapping(rules.with_descendants(resource), start, held_until).exists():
            raise _slot_taken()
    return _book(actor=actor, resource=resource, start=start, end=end, purpose=purpose, headcount=headcount,
                 safety_plan=safety_plan, team=team, booker=booker, for_resident=for_resident, now=now or clock.now(),
                 is_demo=is_demo, for_service=for_service and actor is None)


@transaction.atomic
def _book(*, actor, resource, start, end, purpose, headcount, safety_plan, team, booker, now, is_demo, for_resident=None,
          for_service=False):
    if not resource.bookable and not for_service:
        raise Invalid(_("“%(name)s”不对外预约。") % {"name": resource.name}, code="not_bookable")
    proxy = None
    if for_resident is not None:
        if booker is not None and (actor is None or booker.pk != actor.pk):
            raise Invalid(_("代老人预约时不能另指预约人。"), code="booker_and_resident", field="for_resident")
        booker = proxies.elder_account(for_resident)  # an elder with an account books under it: one quota, one list
        if booker is not None:
            booker = get_user_model().objects.select_related("resident__household").get(pk=booker.pk)
            for_resident = None
    if for_resident is not None:
        # A proxy books for an elder who has no account: the booking is hers (her residency,
        # quota and bans), held by him.
        proxy = proxies.acting_for(actor, for_resident, PROXY_SERVICE)
        check_residency(for_resident, resource)
        privileged, booker = False, actor
        person = rules.Person.of(resident=for_resident)
    elif booker is not None and actor is not None and booker.pk != actor.pk and not can(actor, "venues.manage", resource):
        # A family member (or grid worker) books in the elder's name under her consent
        # (people.proxies, "venues"): the elder's residency, quota and bans apply.
        proxy = proxies.acting_for(actor, getattr(booker, "resident", None), PROXY_SERVICE)
        privileged = may_book(booker, resource)
        person = rules.Person.of(user=booker)
    else:
        privileged = may_book(actor, resource)
        booker = booker if (booker is not None and privileged) else actor
        person = rules.Person.of(user=booker) if booker is not None else None
    if booker is None:
        raise Invalid(_("须指明预约人。"), code="booker_required")
    purpose = clean_text(purpose or "", field="purpose").strip()[:200]
    safety_plan = clean_text(safety_plan or "", field="safety_plan").strip()
    if headcount is not None and not 0 < headcount <= MAX_HEADCOUNT:
        raise Invalid(_("人数须为正数。"), code="invalid_headcount", field="headcount")
    if resource.capacity is not None and headcount is not None and headcount > resource.capacity:
        raise Invalid(_("人数超过场地容量（%(n)d 人）。") % {"n": resource.capacity}, code="over_capacity", field="headcount")
    if resource.requires_approval:
        missing = [name for name, value in (("purpose", purpose), ("headcount", headcount), ("safety_plan", safety_plan)) if not value]
        if missing:
            raise Invalid(_("预约该场地须填写用途、人数和安全预案。"), code="details_required", field=missing[0])
    rules.check_times(resource, start, end, now=now)
    rules.check_window(resource, start, now=now, privileged=privileged)
    _lock_person(person)
    if not privileged:
        banned_until = rules.no_show_ban_until(person, resource.community, now=now)
        if banned_until is not None:
            raise NotPermitted(
                _("因多次爽约，%(date)s 前不能预约。") % {"date": rules.local(banned_until).strftime("%Y-%m-%d")}, code="no_show_ban"
            )
        rules.check_quota(resource, person, start, end)
        if team is not None:
            require_team_member(actor, team)
            rules.check_team(resource, team, start, end)
    role = "system" if actor is None else ("proxy" if proxy is not None else "manager" if privileged else "resident")
    booking = create_booking(
        actor=actor, actor_role=role, resource=resource,
        booker=booker, for_resident=for_resident, team=team, start=start, end=end, purpose=purpose, headcount=headcount, safety_plan=safety_plan, now=now,
        is_demo=is_demo,
    )
    if proxy is not None:  # both names: the booking's booker and its first event's actor, and the consent's record
        proxies.record_act(proxy=proxy, actor=actor, service=PROXY_SERVICE, action=N_("预约场地"), target=booking,
                           summary=f"{resource.name} {rules.local(start):%m-%d %H:%M}", now=now)
    return booking


def create_booking(*, actor, actor_role, resource, booker, start, end, now, team=None, series=None, purpose="", headcount=None,
                   safety_plan="", hold_until=None, is_demo=False, for_resident=None):
    """Write a booking whose rules were checked, its occupancies (the database refuses an
    overlap) and its first event. Inside the caller's transaction. With `hold_until` it is
    a hold for the first on the waiting list."""
    if hold_until is not None:
        state = Booking.State.HELD
    else:
        state = Booking.State.REQUESTED if resource.requires_approval else Booking.State.CONFIRMED
    slots = max(1, -(-int((end - start).total_seconds()) // (resource.slot_minutes * 60)))
    booking = Booking.objects.create(
        resource=resource, booker=booker, for_resident=for_resident, team=team, series=series, starts_at=start, ends_at=end, purpose=purpose,
        headcount=headcount, safety_plan=safety_plan, state=state, price_fen=resource.price_fen * slots, created_at=now, hold_until=hold_until,
        is_demo=is_demo,
    )
    _occupy(booking, resource, start, end)
    chain.new_chain(BookingEvent, booking)
    data = {"state": state, "start": start, "end": end, "resource": resource.pk, "series": series.pk if series else None}
    if for_resident is not None:
        data["for_resident"] = for_resident.pk
    chain.append(BookingEvent, booking, actor=actor, actor_role=actor_role, action="book", at=now, data=data)
    return booking


def _locked(booking):
    return Booking.objects.select_for_update().select_related("resource").get(pk=booking.pk)


@transaction.atomic
def act(*, actor, booking, action, reason="", now=None):
    """Take `action` (a row of BOOKING_WORKFLOW) on `booking`."""
    now = now or clock.now()
    perm = BOOKING_WORKFLOW.perm(action)
    holder = holds_for_elder(actor, booking, action)
    if actor is not None and not holder:
        authorise(actor, perm, booking, view="venues.view", not_found=NOT_FOUND, message=_("您的角色不能执行此操作。"))
    current = _locked(booking)
    step = BOOKING_WORKFLOW.transition_for(action, current.state)
    reason = clean_text(reason or "", field="reason").strip()
    if step.needs_reason and not reason:
        raise Invalid(_("请填写原因。"), code="reason_required", field="reason")
    if action in ("approve", "reject") and actor is not None and current.booker_id == actor.pk:
        raise NotPermitted(_("不能审批自己提交的预约。"), code="own_booking")
    fields = {"state": step.target}
    if action == "check_in":
        opens = current.starts_at - datetime.timedelta(minutes=15)
        closes = current.starts_at + datetime.timedelta(minutes=15)
        if not opens <= now <= closes:
            raise Invalid(_("签到时间为开始前后 15 分钟内。"), code="check_in_closed")
        fields["checked_in_at"] = now
    if action == "accept_offer" and current.starts_at < now:
        # A time that has begun is taken from now: the check-in window opens with it.
        if now >= current.ends_at:
            raise Invalid(_("该时段已经结束。"), code="over")
        fields["starts_at"] = now
        Occupancy.objects.filter(booking=current).update(starts_at=now)
    if action == "lapse" and (current.hold_until is None or now < current.hold_until):
        raise Invalid(_("保留时间未到。"), code="not_due")
    if action == "mark_no_show" and now < current.starts_at + datetime.timedelta(minutes=15):
        raise Invalid(_("开始 15 分钟后仍未签到才能登记爽约。"), code="too_soon")
    # The conditional update is the guard on both databases: of two racing steps one finds
    # the state already changed.
    if not Booking.objects.filter(pk=current.pk, state=current.state).update(**fields):
        raise Conflict(_("预约状态已变化，请刷新后再试。"), code="state_changed")
    freed = step.target not in HOLDING_STATES
    if freed:
        _release(current)
    chain.append(BookingEvent, current, actor=actor, actor_role="proxy" if holder else _role_of(actor, current, perm), action=action, at=now,
                 data={"from": current.state, "to": step.target, "reason": reason})
    if freed:
        from . import waitlist  # offers the freed time to the next in line, in this transaction

        waitlist.offer_next(resource=current.resource, start=current.starts_at, end=current.ends_at, now=now)
    for name, value in fields.items():
        setattr(booking, name, value)
    return booking


def approve(*, actor, booking, now=None):
    return act(actor=actor, booking=booking, action="approve", now=now)


def reject(*, actor, booking, reason, now=None):
    return act(actor=actor, booking=booking, action="reject", reason=reason, now=now)


def cancel(*, actor, booking, reason="", now=None):
    return act(actor=actor, booking=booking, action="cancel", reason=reason, now=now)


def check_in(*, actor, booking, now=None):
    return act(actor=actor, booking=booking, action="check_in", now=now)


def release_no_shows(*, actor=None, now=None):
    """Release every confirmed booking whose start passed 15 minutes ago without a check-in,
    recording the no-show. Returns how many. Each in its own transaction, so one failure
    leaves the rest done."""
    now = now or clock.now()
    # Only rooms lent out to residents: a room the community keeps for its own services
    # (the counselling room) is held by the service, which checks no one in at the door.
    due = Booking.objects.filter(state=Booking.State.CONFIRMED, starts_at__lte=now - datetime.timedelta(minutes=15),
                                 resource__bookable=True)
    released = 0
    for booking in due.order_by("starts_at").iterator():
        try:
            act(actor=actor, booking=booking, action="mark_no_show", reason=_("开始 15 分钟后未签到，自动释放。"), now=now)
        except Conflict:
            continue  # checked in or cancelled meanwhile
        released += 1
    return released
