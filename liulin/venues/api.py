"""Venues API (/api/v1/venues): resources and their day grid, bookings and their workflow,
gym plans, memberships and entries; the caller's bookings as iCalendar. Every read goes
through a scoped selector; errors are {detail, code}."""

from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from liulin.core import clock
from liulin.core.errors import Invalid, NotPermitted
from liulin.core.permissions import has_perm_anywhere
from liulin.people.models import Resident

from . import ical, selectors
from .schemas import (
    BookingIn,
    BookingOut,
    DayOut,
    EntryOut,
    MembershipIn,
    MembershipOut,
    OccurrenceOut,
    PaymentOut,
    PlanOut,
    ReconciliationOut,
    ResourceOut,
    SeriesIn,
    SeriesOut,
    VenueActionIn,
    WaitIn,
    WaitOut,
)
from .services import bookings, gym, payments, series, waitlist
from .workflow import BOOKING_WORKFLOW, MEMBERSHIP_WORKFLOW

router = Router(tags=["venues"])


@router.get("/resources", response=list[ResourceOut], summary="场地列表")
@paginate
def resource_list(request):
    return selectors.resources_for(request.user)


@router.get("/resources/{int:resource_id}/day", response=DayOut, summary="某日时段（空闲/已约/停用/已过）")
def resource_day(request, resource_id: int, day: date | None = None):
    resource = selectors.resource_for(request.user, resource_id)
    day = clock.bounded(day or clock.today(), field="day")
    return {"resource_id": resource.pk, "date": day, "slots": selectors.day_grid(resource, day)}


@router.get("/bookings", response=list[BookingOut], summary="预约列表（本人的，或所管社区的）")
@paginate
def booking_list(request, state: str | None = None):
    return selectors.bookings_for(request.user, states=[state] if state else None)


@router.post("/bookings", response={201: BookingOut}, summary="预约场地")
def booking_create(request, payload: BookingIn):
    resource = selectors.resource_for(request.user, payload.resource_id)
    for_resident = None
    if payload.for_resident_id is not None:
        for_resident = Resident.objects.select_related("household").filter(pk=payload.for_resident_id).first()
        if for_resident is None:  # refused as for anyone who gave the caller no consent: no hint she exists
            raise NotPermitted(_("您没有该居民的代办授权。"), code="proxy_none")
    booking = bookings.book_facility(
        actor=request.user, resource=resource, start=payload.start, end=payload.end, purpose=payload.purpose,
        headcount=payload.headcount, safety_plan=payload.safety_plan, for_resident=for_resident,
    )
    # A booking under an elder's account is hers to list; her proxy is shown what he made.
    return Status(201, selectors.bookings_for(request.user).filter(pk=booking.pk).first() or booking)


ICALENDAR = {"responses": {200: {"description": "iCalendar (RFC 5545)", "content": {"text/calendar": {"schema": {"type": "string"}}}}}}


@router.get("/bookings/calendar.ics", summary="我的预约（iCalendar）", openapi_extra=ICALENDAR)
def booking_calendar(request):
    return HttpResponse(ical.bookings_calendar(selectors.my_bookings(request.user)), content_type="text/calendar; charset=utf-8")


@router.get("/bookings/{int:booking_id}", response=BookingOut, summary="预约详情")
def booking_detail(request, booking_id: int):
    return selectors.booking_for(request.user, booking_id)


@router.post("/bookings/{int:booking_id}/actions/{action}", response=BookingOut, summary="预约操作：批准、不批准、取消、签到、登记爽约")
def booking_act(request, booking_id: int, action: str, payload: VenueActionIn):
    if action not in BOOKING_WORKFLOW.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    booking = selectors.booking_for(request.user, booking_id)
    bookings.act(actor=request.user, booking=booking, action=action, reason=payload.reason)
    return selectors.booking_for(request.user, booking_id)


@router.get("/plans", response=list[PlanOut], summary="健身会员类型")
def plan_list(request):
    return list(selectors.plans_for(request.user))


@router.get("/memberships", response=list[MembershipOut], summary="健身会员（本人的，或所管社区的）")
@paginate
def membership_list(request):
    return selectors.memberships_for(request.user)


@router.post("/memberships", response={201: MembershipOut}, summary="办理或续费健身会员（待付款）")
def membership_create(request, payload: MembershipIn):
    plan = selectors.plans_for(request.user).filter(pk=payload.plan_id).first()
    if plan is None:
        raise Invalid(_("找不到该会员类型。"), code="unknown_plan", field="plan_id")
    membership = gym.join_gym(actor=request.user, plan=plan)
    return Status(201, selectors.membership_for(request.user, membership.pk))


@router.post("/memberships/{int:membership_id}/actions/{action}", response=MembershipOut, summary="会员操作：确认收款、取消、退款、暂停、恢复")
def membership_act(request, membership_id: int, action: str, payload: VenueActionIn):
    if action not in MEMBERSHIP_WORKFLOW.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    membership = selectors.membership_for(request.user, membership_id)
    if action == "confirm_payment":  # cash or transfer at the counter, recorded as a payment
        payments.record_counter_payment(actor=request.user, membership=membership, receipt_no=payload.receipt_no)
    elif action == "refund":
        payments.refund(actor=request.user, membership=membership, reason=payload.reason)
    else:
        gym.act(actor=request.user, membership=membership, action=action, receipt_no=payload.receipt_no, reason=payload.reason,
                days=payload.days)
    return selectors.membership_for(request.user, membership_id)


@router.post("/gym/{int:resource_id}/enter", response={201: EntryOut}, summary="入场（会员本人扫码）")
def gym_enter(request, resource_id: int):
    resource = selectors.resource_for(request.user, resource_id)
    gym.enter_gym(actor=request.user, resource=resource)
    return Status(201, {"resource_id": resource.pk, "inside": gym.occupancy(resource), "capacity": gym.capacity_of(resource)})


@router.post("/gym/{int:resource_id}/leave", response=EntryOut, summary="离场")
def gym_leave(request, resource_id: int):
    resource = selectors.resource_for(request.user, resource_id)
    gym.leave_gym(actor=request.user, resource=resource)
    return {"resource_id": resource.pk, "inside": gym.occupancy(resource), "capacity": gym.capacity_of(resource)}


def _series_fields(request, payload):
    from liulin.orgs.models import Organisation

    resource = selectors.resource_for(request.user, payload.resource_id)
    team = Organisation.objects.filter(pk=payload.team_id, community_id=resource.community_id, kind="team").first()
    if team is None:
        raise Invalid(_("找不到该队伍。"), code="unknown_team", field="team_id")
    return {"resource": resource, "team": team, "starts": payload.starts, "ends": payload.ends, "first_day": payload.first_day,
            "last_day": payload.last_day, "every_days": payload.every_days}


@router.post("/series/preview", response=list[OccurrenceOut], summary="定期预约：查看每个日期能否预约")
def series_preview(request, payload: SeriesIn):
    return series.preview_series(actor=request.user, **_series_fields(request, payload))


@router.post("/series", response={201: SeriesOut}, summary="定期预约：预约未跳过的日期")
def series_create(request, payload: SeriesIn):
    made = series.book_series(actor=request.user, skip=payload.skip, **_series_fields(request, payload))
    return Status(201, made)


@router.post("/waitlist", response={201: WaitOut}, summary="候补一个已被预约的时段")
def waitlist_join(request, payload: WaitIn):
    resource = selectors.resource_for(request.user, payload.resource_id)
    return Status(201, waitlist.join_waitlist(actor=request.user, resource=resource, start=payload.start, end=payload.end))


@router.post("/waitlist/series", response={201: list[WaitOut]},
             summary="定期预约：候补每个已被预约的日期（空出时为队伍保留）")
def waitlist_series(request, payload: SeriesIn):
    return Status(201, waitlist.join_waitlist_for_series(actor=request.user, **_series_fields(request, payload)))


@router.post("/memberships/{int:membership_id}/pay", response={201: PaymentOut}, summary="在线付款（开始）")
def membership_pay(request, membership_id: int, provider: str = "test"):
    membership = selectors.membership_for(request.user, membership_id)
    return Status(201, payments.start_online_payment(actor=request.user, membership=membership, provider_code=provider))


@router.post("/payments/callback/{provider}", auth=None, response=PaymentOut, summary="支付渠道回调（签名：X-Signature，HMAC-SHA256）")
def payment_callback(request, provider: str):
    return payments.handle_callback(provider_code=provider, body=request.body, signature=request.headers.get("X-Signature", ""))


@router.get("/payments/reconciliation", response=ReconciliationOut, summary="某日对账（所管社区）")
def payment_reconciliation(request, day: date | None = None):
    if not has_perm_anywhere(request.user, "venues.manage"):
        raise NotPermitted(_("您的角色不能查看对账。"))
    day = clock.bounded(day or clock.today(), field="day")
    return payments.reconcile(day, memberships=selectors.memberships_for(request.user))
