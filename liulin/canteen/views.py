"""Canteen pages, phone first: diners and families see the week's menu and order (with the
subsidy shown before they confirm); the counter identifies a diner and takes an order; the
delivery queue; the manager's monthly claim and alerts. Thin: selectors read, services write."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liulin.core import clock, xlsx
from liulin.core.errors import DomainError, NotFound, add_to_form
from liulin.core.money import format_fen
from liulin.core.permissions import can

from . import claims, selectors, services
from .api import resolve_diner
from .forms import ClaimForm, CounterFindForm, CounterOrderForm, OrderForm, QueueDayForm
from .models import MealPeriod, Order
from .workflow import ORDER_WORKFLOW


def _people(user):
    own = getattr(user, "resident", None)
    people = []
    if own is not None:
        own.label, own.channel = _("本人"), Order.Channel.PHONE
        people.append(own)
    for elder in selectors.elders_i_order_for(user):
        elder.label, elder.channel = _("%(name)s（家属代订）") % {"name": elder.name}, Order.Channel.FAMILY
        people.append(elder)
    return people


def _actions(user, order):
    return [t for t in ORDER_WORKFLOW.available_actions(order.state)
            if (t.action == "cancel" and services._may_cancel_as_resident(user, order)) or can(user, ORDER_WORKFLOW.perm(t.action), order)]


@login_required
def home(request):
    canteens = list(selectors.visible_canteens(request.user)[:10])
    canteen = canteens[0] if canteens else None
    today = clock.today()
    people = _people(request.user)
    periods = list(MealPeriod.objects.filter(canteen=canteen)) if canteen else []
    form = OrderForm(request.POST or None, people=people, periods=periods, initial={"day": today})
    if request.method == "POST" and canteen and form.is_valid():
        chosen = next(p for p in people if p.pk == form.cleaned_data["resident"])
        period = next(p for p in periods if p.pk == form.cleaned_data["period"])
        try:
            order = services.place_order(actor=request.user, period=period, day=form.cleaned_data["day"], resident=chosen,
                                         channel=chosen.channel, delivery=form.cleaned_data["delivery"])
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("已订餐：餐价 %(price)s 元，补贴 %(subsidy)s 元，应付 %(paid)s 元。") % {
                "price": format_fen(order.price_fen), "subsidy": format_fen(order.subsidy_fen), "paid": format_fen(order.paid_fen)})
            return redirect("canteen:home")
    orders = list(selectors.my_orders(request.user)[:20])
    for order in orders:
        order.actions = _actions(request.user, order)
    staff = [c for c in canteens if can(request.user, "canteen.counter", c)]
    return render(request, "canteen/home.html", {
        "canteen": canteen, "menu": selectors.published_menu(canteen, today) if canteen else [], "form": form if people else None,
        "orders": orders, "staff_canteens": staff,
    })


@login_required
@require_POST
def order_act(request, order_id, action):
    if action not in ORDER_WORKFLOW.transitions:
        raise NotFound(_("没有这个操作。"))
    order = selectors.my_orders(request.user).filter(pk=order_id).first() or selectors.order_for(request.user, order_id)
    try:
        services.act_on_order(actor=request.user, order=order, action=action)
    except DomainError as error:
        messages.error(request, error.detail)
    back = request.POST.get("next")
    if back == "queue":
        return redirect(f"{reverse('canteen:queue', args=[order.canteen_id])}?day={order.day.isoformat()}")
    if back == "counter":
        return redirect("canteen:counter", order.canteen_id)
    return redirect("canteen:home")


@login_required
def counter(request, canteen_id):
    canteen = selectors.canteen_for(request.user, canteen_id, "canteen.counter")
    periods = list(canteen.periods.all())
    find = CounterFindForm(request.GET or None)
    found, how, matches, quotes = None, "", [], []
    if find.is_bound and find.is_valid():
        data = find.cleaned_data
        try:
            found, how = selectors.counter_find(request.user, canteen, id_number=data["id_number"], resident_id=data["resident_code"])
        except DomainError as error:
            add_to_form(find, error)
        if found is None and data["name"]:
            matches = list(selectors.counter_search(request.user, canteen, data["name"]))
        elif found is None and find.is_valid():
            find.add_error(None, _("没有找到这位就餐人。"))
        if request.GET.get("searched"):
            how = Order.Identified.STAFF_SEARCH
    order_form = None
    if found is not None:
        order_form = CounterOrderForm(periods=periods, initial={"resident": found.pk, "identified_by": how})
        quotes = [(p, services.quote(resident=found, period=p, day=clock.today())) for p in periods]
    if request.method == "POST":
        order_form = CounterOrderForm(request.POST, periods=periods)
        if order_form.is_valid():
            data = order_form.cleaned_data
            try:
                resident, how = resolve_diner(request.user, canteen, channel="counter", resident_id=data["resident"],
                                              identified_by=data["identified_by"])
                period = next(p for p in periods if p.pk == data["period"])
                order = services.place_order(actor=request.user, period=period, day=clock.today(), resident=resident,
                                             channel="counter", identified_by=how, delivery=data["delivery"], group=data["group"] or None)
            except DomainError as error:
                messages.error(request, error.detail)
            else:
                messages.success(request, _("已下单 #%(id)s：应收 %(paid)s 元（补贴 %(subsidy)s 元）。") % {
                    "id": order.pk, "paid": format_fen(order.paid_fen), "subsidy": format_fen(order.subsidy_fen)})
            return redirect("canteen:counter", canteen.pk)
    today_orders = list(selectors.counter_orders(request.user, canteen, clock.today()))
    for order in today_orders:
        order.actions = _actions(request.user, order)
    return render(request, "canteen/counter.html", {
        "canteen": canteen, "find": find, "found": found, "matches": matches, "order_form": order_form,
        "quotes": quotes, "orders": today_orders})


@login_required
def queue(request, canteen_id):
    canteen = selectors.canteen_for(request.user, canteen_id, "canteen.counter")
    form = QueueDayForm(request.GET or None, initial={"day": clock.today()})
    day = clock.today()
    if form.is_bound and form.is_valid():
        try:
            day = clock.bounded(form.cleaned_data["day"], field="day")
        except DomainError as error:
            add_to_form(form, error)
    rows = list(selectors.delivery_queue(request.user, canteen, day))
    for order in rows:
        order.actions = _actions(request.user, order)
    return render(request, "canteen/queue.html", {"canteen": canteen, "rows": rows, "form": form, "day": day})


@login_required
def manage(request, canteen_id):
    canteen = selectors.canteen_for(request.user, canteen_id, "canteen.claim_view")
    today = clock.today()
    form = ClaimForm(request.POST or None, initial={"month": (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)})
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.generate_claim(actor=request.user, canteen=canteen, month=clock.bounded(form.cleaned_data["month"], field="month"))
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("已生成 %(month)s 补贴申领：%(lines)s 笔，补贴 %(total)s 元。") % {
                "month": f"{claim.month:%Y-%m}", "lines": claim.lines, "total": format_fen(claim.subsidy_total_fen)})
            return redirect("canteen:manage", canteen.pk)
    month = today.replace(day=1)
    found = selectors.alerts(canteen, month)
    return render(request, "canteen/manage.html", {
        "canteen": canteen, "form": form, "claims": selectors.claims_for(request.user, canteen)[:24], "alerts": found,
        "recount": selectors.recount(canteen, month), "month": month})


@login_required
def claim_file(request, claim_id, kind):
    claim = selectors.claim_for(request.user, claim_id)
    name = f"claim-{claim.canteen_id}-{claim.month:%Y-%m}"
    if kind == "xlsx":
        return xlsx.download(claims.claim_xlsx(claim), f"{name}.xlsx")
    if kind == "pdf":
        response = HttpResponse(claims.claim_pdf(claim), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    raise NotFound(_("没有这种文件格式。"))
