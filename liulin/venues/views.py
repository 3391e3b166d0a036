"""Venue pages, phone first: residents pick a resource, see a day's slots as large buttons and
book one; managers approve requests, check people in at the door and keep the gym counter.
Thin: selectors read, services write; a refused booking comes back as a message on the day."""

import datetime

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liulin.core import calendar, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted, add_to_form
from liulin.core.permissions import can, has_perm_anywhere
from liulin.people import proxies

from . import ical, rules, selectors
from .forms import BookForm, DayForm, ReasonForm, ReceiptForm, SeriesForm
from .models import HOLDING_STATES, Booking
from .services import bookings, gym, payments, series, waitlist
from .workflow import BOOKING_WORKFLOW, MEMBERSHIP_WORKFLOW


def _require_viewer(user):
    if not selectors.may_use(user):
        raise NotPermitted(_("您的角色不能使用场馆预约。"))


@login_required
def index(request):
    _require_viewer(request.user)
    resources = list(selectors.resources_for(request.user))
    tops = [r for r in resources if r.parent_id is None]
    parts = {}
    for r in resources:
        if r.parent_id is not None:
            parts.setdefault(r.parent_id, []).append(r)
    groups = [(top, parts.get(top.pk, [])) for top in tops]
    mine = list(selectors.my_bookings(request.user).filter(state__in=HOLDING_STATES)[:20])
    manager = has_perm_anywhere(request.user, "venues.manage")
    return render(request, "venues/index.html", {
        "groups": groups, "mine": mine, "manager": manager,
        "pending": selectors.awaiting_approval(request.user).count() if manager else 0,
    })


@login_required
def day(request, resource_id):
    _require_viewer(request.user)
    resource = selectors.resource_for(request.user, resource_id)
    form = DayForm(request.GET or None)
    today = clock.today()
    chosen = (form.cleaned_data["day"] if form.is_valid() else None) or today
    slots = selectors.day_grid(resource, chosen)
    return render(request, "venues/day.html", {
        "resource": resource, "day": chosen, "slots": slots, "form": form,
        "previous": chosen - datetime.timedelta(days=1), "next": chosen + datetime.timedelta(days=1),
        "free_count": sum(1 for s in slots if s.free),
        "parts": [r for r in selectors.resources_for(request.user) if r.parent_id == resource.pk],
        "ancestors": rules.ancestors(resource),
        # Someone who books for an elder (people.proxies) picks for whom on the form first.
        "choose_booker": proxies.elders_for(request.user, "venues").exists(),
        "manages": can(request.user, "venues.manage", resource),
    })


@login_required
def book(request, resource_id):
    """GET: the form for a slot (details for a hall). POST: book it."""
    _require_viewer(request.user)
    resource = selectors.resource_for(request.user, resource_id)
    form = BookForm(request.POST if request.method == "POST" else request.GET or None, resource=resource, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            start, end = form.interval()
            try:
                booking = bookings.book_facility(
                    actor=request.user, resource=resource, start=start, end=end,
                    purpose=form.cleaned_data["purpose"], headcount=form.cleaned_data["headcount"],
                    safety_plan=form.cleaned_data["safety_plan"], booker=form.booker(), for_resident=form.for_resident(),
                )
            except (Invalid, Conflict, NotPermitted) as error:
                if not resource.requires_approval:
                    messages.error(request, error.detail)
                    return redirect(f"{reverse('venues:day', args=[resource.pk])}?day={calendar.local_date(start):%Y-%m-%d}")
                add_to_form(form, error)
            else:
                if booking.state == Booking.State.REQUESTED:
                    messages.success(request, _("已提交预约申请，等待场馆管理员审批。"))
                else:
                    messages.success(request, _("预约成功：%(name)s %(time)s。") % {
                        "name": resource.name, "time": rules.local(start).strftime("%m-%d %H:%M")})
                if booking.booker_id != request.user.pk:  # booked in an elder's name: hers to see; the proxy's record
                    return redirect("people:proxies")
                return redirect("venues:booking", booking_id=booking.pk)
        status = 400
    start = form.cleaned_data.get("start") if form.is_bound and form.is_valid() else None
    return render(request, "venues/book.html", {"resource": resource, "form": form, "start": start}, status=status)


def _teams_for(user, resource):
    """Teams the user may book a series for: all of the community's for a manager, else his own."""
    from liulin.orgs.models import Organisation

    teams = Organisation.objects.filter(community_id=resource.community_id, kind="team")
    if has_perm_anywhere(user, "venues.manage"):
        return teams.order_by("name")
    resident_id = getattr(user, "resident_id", None)
    mine = Q(memberships__user=user) | (Q(memberships__resident_id=resident_id) if resident_id else Q(pk__in=[]))
    return teams.filter(mine).distinct().order_by("name")


@login_required
def series_form(request, resource_id):
    """Step 1: the dates of a weekly practice with what stops each; step 2 (`confirm`): book
    them, skipping the ticked ones."""
    _require_viewer(request.user)
    resource = selectors.resource_for(request.user, resource_id)
    teams = _teams_for(request.user, resource)
    form = SeriesForm(request.POST or None, teams=teams)
    preview, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            fields = {"resource": resource, "team": data["team"], "starts": data["starts"], "ends": data["ends"],
                      "first_day": data["first_day"], "last_day": data["last_day"]}
            try:
                if "wait" in request.POST:
                    entries = waitlist.join_waitlist_for_series(actor=request.user, **fields)
                    messages.success(request, _("已候补 %(n)d 个被占用的日期，空出时为队伍保留。") % {"n": len(entries)})
                    return redirect("venues:index")
                if "confirm" in request.POST:
                    made = series.book_series(actor=request.user, skip=data["skip"], purpose=str(data["team"]), **fields)
                    messages.success(request, _("已预约 %(n)d 次练习。") % {"n": made.bookings.count()})
                    return redirect("venues:index")
                preview = series.preview_series(actor=request.user, **fields)
                status = 200
            except (Invalid, Conflict, NotPermitted) as error:
                add_to_form(form, error)
    taken = any(o.code == "slot_taken" for o in preview or ())
    return render(request, "venues/series.html", {"resource": resource, "form": form, "preview": preview, "taken": taken},
                  status=status)


@login_required
@require_POST
def wait(request, resource_id):
    """Join the waiting list for a taken slot of the day grid."""
    _require_viewer(request.user)
    resource = selectors.resource_for(request.user, resource_id)
    form = BookForm(request.POST, resource=resource)
    day = clock.today()
    if form.is_valid():
        start, end = form.interval()
        day = calendar.local_date(start)
        try:
            waitlist.join_waitlist(actor=request.user, resource=resource, start=start, end=end)
        except (Invalid, Conflict, NotPermitted) as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("已加入候补。时段空出时会为您保留并通知您。"))
    return redirect(f"{reverse('venues:day', args=[resource.pk])}?day={day:%Y-%m-%d}")


@login_required
def booking_detail(request, booking_id):
    _require_viewer(request.user)
    booking = selectors.booking_for(request.user, booking_id)
    actions = [t for t in BOOKING_WORKFLOW.available_actions(booking.state)
               if has_perm_anywhere(request.user, BOOKING_WORKFLOW.perm(t.action))
               or bookings.holds_for_elder(request.user, booking, t.action)]
    return render(request, "venues/booking.html", {
        "booking": booking, "actions": actions, "events": booking.events.order_by("seq"), "reason_form": ReasonForm(),
    })


@login_required
@require_POST
def booking_act(request, booking_id, action):
    booking = selectors.booking_for(request.user, booking_id)
    if action not in BOOKING_WORKFLOW.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        bookings.act(actor=request.user, booking=booking, action=action, reason=reason)
    except (Invalid, Conflict) as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("已%(action)s。") % {"action": BOOKING_WORKFLOW.transitions[action].label})
    target = request.POST.get("next")
    if target in ("approvals", "today"):
        return redirect(f"venues:{target}")
    return redirect("venues:booking", booking_id=booking.pk)


@login_required
def door(request, resource_id):
    """The check-in page a QR code at the door points to: the caller's booking of this
    resource open for check-in now (15 minutes either side of its start), checked in on POST."""
    _require_viewer(request.user)
    resource = selectors.resource_for(request.user, resource_id)
    now = clock.now()
    window = datetime.timedelta(minutes=15)
    booking = selectors.my_bookings(request.user).filter(
        resource=resource, state=Booking.State.CONFIRMED, starts_at__gte=now - window, starts_at__lte=now + window
    ).order_by("starts_at").first()
    if request.method == "POST" and booking is not None:
        try:
            bookings.check_in(actor=request.user, booking=booking, now=now)
        except (Invalid, Conflict) as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("签到成功，祝您使用愉快。"))
            return redirect("venues:booking", booking_id=booking.pk)
    return render(request, "venues/door.html", {"resource": resource, "booking": booking})


@login_required
def door_sign(request, resource_id):
    """The sign a venue manager prints for the door: the resource's name and a QR code of its
    check-in page (`door`), as an SVG that prints sharp at any size."""
    resource = selectors.resource_for(request.user, resource_id)
    if not can(request.user, "venues.manage", resource):
        raise NotPermitted(_("只有场馆管理员可以打印签到码。"))
    url = request.build_absolute_uri(reverse("venues:door", args=[resource.pk]))
    qr = segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#000", light="#fff", title=resource.name)
    return render(request, "venues/door_sign.html", {"resource": resource, "qr": qr, "url": url})


@login_required
def approvals(request):
    if not has_perm_anywhere(request.user, "venues.approve"):
        raise NotPermitted(_("您的角色不能审批场地预约。"))
    return render(request, "venues/approvals.html", {"requests": selectors.awaiting_approval(request.user)[:100], "reason_form": ReasonForm()})


@login_required
def today(request):
    if not has_perm_anywhere(request.user, "venues.manage"):
        raise NotPermitted(_("您的角色不能办理签到。"))
    now = clock.now()
    rows = list(selectors.todays_bookings(request.user, now=now))
    for row in rows:
        row.may_check_in = row.state == "confirmed" and row.starts_at - datetime.timedelta(minutes=15) <= now <= row.starts_at + datetime.timedelta(minutes=15)
        row.may_mark_no_show = row.state == "confirmed" and now >= row.starts_at + datetime.timedelta(minutes=15)
    return render(request, "venues/today.html", {"rows": rows, "now": now})


@login_required
def calendar_feed(request):
    _require_viewer(request.user)
    response = HttpResponse(ical.bookings_calendar(selectors.my_bookings(request.user)), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bookings.ics"'
    return response


# --- the gym ------------------------------------------------------------------------------


@login_required
def gym_page(request):
    _require_viewer(request.user)
    plans = list(selectors.plans_for(request.user))
    gyms = {plan.resource_id: plan.resource for plan in plans}
    manager = has_perm_anywhere(request.user, "venues.manage")
    memberships = selectors.memberships_for(request.user)
    mine = list(memberships.filter(member=request.user)[:12])
    counter = list(memberships.filter(state="awaiting_payment").exclude(member=request.user)[:50]) if manager else []
    inside = [{"resource": g, "inside": gym.occupancy(g), "capacity": gym.capacity_of(g)} for g in gyms.values()]
    today_figures = payments.reconcile(clock.today(), memberships=memberships) if manager else None
    return render(request, "venues/gym.html", {
        "plans": plans, "mine": mine, "counter": counter, "inside": inside, "manager": manager, "receipt_form": ReceiptForm(),
        "today": clock.today(), "reconciliation": today_figures,
    })


@login_required
@require_POST
def gym_join(request, plan_id):
    plan = selectors.plans_for(request.user).filter(pk=plan_id).first()
    if plan is None:
        raise Invalid(_("找不到该会员类型。"), code="unknown_plan")
    try:
        membership = gym.join_gym(actor=request.user, plan=plan)
    except (Invalid, Conflict, NotPermitted) as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("已登记 %(start)s 至 %(end)s 的会员期，请到前台付款。") % {
            "start": membership.starts_on, "end": membership.ends_on - datetime.timedelta(days=1)})
    return redirect("venues:gym")


@login_required
@require_POST
def membership_act(request, membership_id, action):
    membership = selectors.membership_for(request.user, membership_id)
    if action not in MEMBERSHIP_WORKFLOW.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    days = request.POST.get("days", "")
    try:
        if action == "confirm_payment":  # at the counter: the payment is recorded with its receipt
            payments.record_counter_payment(actor=request.user, membership=membership, receipt_no=request.POST.get("receipt_no", ""))
        elif action == "refund":
            payments.refund(actor=request.user, membership=membership, reason=request.POST.get("reason", ""))
        else:
            gym.act(actor=request.user, membership=membership, action=action, receipt_no=request.POST.get("receipt_no", ""),
                    reason=request.POST.get("reason", ""), days=int(days) if days.isdigit() and len(days) < 4 else None)
    except (Invalid, Conflict, NotPermitted) as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("已%(action)s。") % {"action": MEMBERSHIP_WORKFLOW.transitions[action].label})
    return redirect("venues:gym")


@login_required
@require_POST
def gym_door(request, resource_id, direction):
    if direction not in ("enter", "leave"):
        raise NotFound(_("找不到该页面。"))
    resource = selectors.resource_for(request.user, resource_id)
    try:
        if direction == "enter":
            gym.enter_gym(actor=request.user, resource=resource)
            messages.success(request, _("欢迎入场。"))
        else:
            gym.leave_gym(actor=request.user, resource=resource)
            messages.success(request, _("已登记离场。"))
    except (Invalid, Conflict, NotPermitted) as error:
        messages.error(request, error.detail)
    return redirect("venues:gym")
