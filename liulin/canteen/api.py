"""Canteen API (/api/v1/canteen): menus, quotes, ordering (phone, family, counter), the order
steps, the delivery queue, the monthly claim with its files, alerts. Reads are scoped
(selectors); errors are {detail, code}."""

import datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from liulin.core import clock, xlsx
from liulin.core.errors import Invalid, NotFound
from liulin.core.permissions import get_or_404
from liulin.people.models import CareTag, Resident

from . import claims, selectors, services
from .models import MealPeriod, Order
from .schemas import (
    AlertOut,
    CanteenOut,
    ClaimIn,
    ClaimOut,
    ConsentIn,
    IdOut,
    MenuOut,
    OrderIn,
    OrderOut,
    QuoteOut,
    StatusIn,
)
from .workflow import ORDER_WORKFLOW

router = Router(tags=["canteen"])


def _canteen(request, canteen_id):
    canteen = selectors.visible_canteens(request.user).filter(pk=canteen_id).first()
    if canteen is None:
        raise NotFound(_("找不到该食堂，或您无权查看。"))
    return canteen


def _period(request, period_id):
    period = MealPeriod.objects.select_related("canteen").filter(pk=period_id).first()
    if period is None or not selectors.visible_canteens(request.user).filter(pk=period.canteen_id).exists():
        raise NotFound(_("找不到该餐次。"))
    return period


def resolve_diner(user, canteen, *, channel, resident_id=None, id_number="", identified_by=""):
    """(resident, how identified) for an order through `channel`, or NotFound."""
    if channel == Order.Channel.PHONE:
        own = getattr(user, "resident", None)
        if own is None or (resident_id and resident_id != own.pk):
            raise NotFound(_("手机预订只能为本人订餐。"))
        return own, Order.Identified.LOGIN
    if channel == Order.Channel.FAMILY:
        found = selectors.elders_i_order_for(user).filter(pk=resident_id).first()
        if found is None:
            raise NotFound(_("老人尚未授权您代订。"))
        return found, Order.Identified.FAMILY
    resident, how = selectors.counter_find(user, canteen, id_number=id_number, resident_id=resident_id)
    if resident is None:
        raise NotFound(_("没有找到这位就餐人。"))
    if how == Order.Identified.RESIDENT_CODE and identified_by in (Order.Identified.ID_CARD, Order.Identified.STAFF_SEARCH):
        how = identified_by  # the counter page found him by ID card or search, then posts his id
    return resident, how


@router.get("/", response=list[CanteenOut], summary="我能看到的食堂")
def canteen_list(request):
    return list(selectors.visible_canteens(request.user)[:100])


@router.get("/{int:canteen_id}/menu", response=list[MenuOut], summary="已发布的一周菜单")
def menu(request, canteen_id: int, start: datetime.date | None = None):
    canteen = _canteen(request, canteen_id)
    start = clock.bounded(start or clock.today(), field="start")
    return [{"day": m.day, "period_id": m.period_id, "period": m.period.name, "dishes": m.dish_list}
            for m in selectors.published_menu(canteen, start)]


@router.get("/quote", response=QuoteOut, summary="价格与补贴试算")
def quote(request, period_id: int, day: datetime.date, resident_id: int | None = None, channel: str = "phone"):
    period = _period(request, period_id)
    resident, _how = resolve_diner(request.user, period.canteen, channel=channel, resident_id=resident_id)
    q = services.quote(resident=resident, period=period, day=clock.bounded(day, field="day"))
    return {"group": q.group, "age": q.age, "price_fen": q.price_fen, "subsidy_fen": q.subsidy_fen,
            "rule_version": q.table.version if q.table else None, "status": q.status, "delivery": q.delivery}


@router.post("/orders", response={201: OrderOut}, summary="订餐（手机本人、家属代订、窗口）")
def place_order(request, payload: OrderIn):
    period = _period(request, payload.period_id)
    resident, how = resolve_diner(request.user, period.canteen, channel=payload.channel, resident_id=payload.resident_id,
                                  id_number=payload.id_number, identified_by=payload.identified_by)
    order = services.place_order(actor=request.user, period=period, day=payload.day, resident=resident, channel=payload.channel,
                                 identified_by=how, delivery=payload.delivery, group=payload.group)
    return Status(201, order)


@router.get("/orders/mine", response=list[OrderOut], summary="我和授权老人的订餐")
def my_orders(request):
    return list(selectors.my_orders(request.user).select_related("rule_table")[:100])


@router.post("/orders/{int:order_id}/{action}", response=OrderOut, summary="订单步骤：serve / dispatch / deliver / cancel")
def order_action(request, order_id: int, action: str):
    if action not in ORDER_WORKFLOW.transitions:
        raise Invalid(_("没有这个操作。"), code="unknown_action")
    order = selectors.my_orders(request.user).filter(pk=order_id).first() or selectors.order_for(request.user, order_id)
    return services.act_on_order(actor=request.user, order=order, action=action)


@router.get("/{int:canteen_id}/delivery-queue", response=list[OrderOut], summary="送餐队列")
def delivery_queue(request, canteen_id: int, day: datetime.date | None = None):
    canteen = selectors.canteen_for(request.user, canteen_id, "canteen.counter")
    return list(selectors.delivery_queue(request.user, canteen, clock.bounded(day or clock.today(), field="day")).select_related("rule_table"))


@router.post("/{int:canteen_id}/claims", response={201: ClaimOut}, summary="生成月度补贴申领")
def generate_claim(request, canteen_id: int, payload: ClaimIn):
    canteen = selectors.canteen_for(request.user, canteen_id, "canteen.claim_view")
    return Status(201, services.generate_claim(actor=request.user, canteen=canteen, month=clock.bounded(payload.month, field="month")))


@router.get("/claims/{int:claim_id}", response=ClaimOut, summary="补贴申领")
def claim_detail(request, claim_id: int):
    return selectors.claim_for(request.user, claim_id)


@router.get("/claims/{int:claim_id}/file/{kind}", summary="补贴申领文件（xlsx 或 pdf）")
def claim_file(request, claim_id: int, kind: str):
    claim = selectors.claim_for(request.user, claim_id)
    name = f"claim-{claim.canteen_id}-{claim.month:%Y-%m}"
    if kind == "xlsx":
        return xlsx.download(claims.claim_xlsx(claim), f"{name}.xlsx")
    if kind == "pdf":
        response = HttpResponse(claims.claim_pdf(claim), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    raise NotFound(_("没有这种文件格式。"))


@router.get("/{int:canteen_id}/alerts", response=list[AlertOut], summary="异常提示")
def alerts(request, canteen_id: int, month: datetime.date | None = None):
    canteen = selectors.canteen_for(request.user, canteen_id, "canteen.claim_view")
    found = selectors.alerts(canteen, clock.bounded(month or clock.today(), field="month"))
    return [{"kind": a["kind"], "order_id": a["order"].pk, "day": a["order"].day, "text": str(a["text"])} for a in found]


@router.post("/{int:canteen_id}/consents", response={201: IdOut}, summary="登记老人授权家属代订")
def record_consent(request, canteen_id: int, payload: ConsentIn):
    canteen = selectors.canteen_for(request.user, canteen_id)
    elder = get_or_404(request.user, Resident.objects.all(), "people.view", pk=payload.elder_id)
    family = Resident.objects.filter(pk=payload.family_id).first()
    if family is None:
        raise NotFound(_("找不到该家属。"))
    return Status(201, services.record_consent(actor=request.user, canteen=canteen, elder=elder, family=family, relation=payload.relation))


@router.post("/{int:canteen_id}/statuses", response={201: IdOut}, summary="登记身份证明（低保、特困、空巢…）及有效期")
def record_status(request, canteen_id: int, payload: StatusIn):
    canteen = selectors.canteen_for(request.user, canteen_id)
    resident = get_or_404(request.user, Resident.objects.all(), "people.view", pk=payload.resident_id)
    tag = CareTag.objects.filter(code=payload.tag).first()
    if tag is None:
        raise Invalid(_("没有这种身份。"), code="unknown_tag", field="tag")
    return Status(201, services.record_status(actor=request.user, canteen=canteen, resident=resident, tag=tag, proof=payload.proof,
                                                      valid_from=payload.valid_from, expires_on=payload.expires_on))
