"""Every write of the canteen: orders and their steps, care statuses with proof, family
consents, menus, and the monthly subsidy claim.

The subsidy of a meal is decided once, when it is ordered, from the subsidy table in force on
the day (age on that day from the registry's birth date; care statuses whose proof covers the
day); the order keeps the table version and the rule, so a later table never changes it.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import audit, calendar, chain, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import can, permitting_role
from liulin.core.text import clean_text
from liulin.people import proxies, proxy_services

from .models import (
    CareStatus,
    Delivery,
    DinerGroup,
    MenuDay,
    Order,
    OrderEvent,
    Price,
    SubsidyRule,
    SubsidyTable,
)
from .workflow import ORDER_WORKFLOW

PROXY_SERVICE = "canteen"  # the code this app registers with people.proxies
SENIOR_AGE = 60  # the senior price list (老年优享餐) starts here; subsidies follow the table


def age_on(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def statuses_on(resident, day):
    """Codes of the care statuses whose proof covers `day` (valid_from <= day <= expires_on)."""
    return set(
        CareStatus.objects.filter(resident=resident, valid_from__lte=day, expires_on__gte=day).values_list("tag__code", flat=True)
    )


def table_on(day):
    """The subsidy table in force on `day`: the latest effective one, the highest version."""
    return SubsidyTable.objects.filter(effective_from__lte=day).order_by("-effective_from", "-version").first()


@dataclass(frozen=True)
class Quote:
    group: str
    age: int
    price_fen: int
    subsidy_fen: int
    table: SubsidyTable | None
    rule: SubsidyRule | None
    delivery: str

    @property
    def status(self):
        return self.rule.status if self.rule else ""


def best_rule(rules, *, age, statuses, meal):
    """The matching rule paying the most (free delivery breaks a tie), or None."""
    best = None
    for rule in rules:
        if rule.meal != meal or age < rule.min_age or (rule.max_age is not None and age > rule.max_age):
            continue
        if rule.status and rule.status not in statuses:
            continue
        key = (rule.subsidy_fen, rule.delivery == Delivery.FREE, rule.delivery == Delivery.PAID)
        if best is None or key > best[0]:
            best = (key, rule)
    return best[1] if best else None


def quote(*, resident, period, day, group=None):
    """What `resident` pays for `period` on `day`: price of his diner group, subsidy and delivery."""
    age = age_on(resident.birth_date, day)
    group = group or (DinerGroup.SENIOR if age >= SENIOR_AGE else DinerGroup.OTHER)
    if group not in DinerGroup.values:
        raise Invalid(_("就餐人群不对。"), code="invalid_group", field="group")
    price = Price.objects.filter(period=period, group=group).values_list("price_fen", flat=True).first()
    if price is None:
        raise Invalid(_("该餐次没有这一人群的价格。"), code="no_price", field="group")
    table = table_on(day) if group == DinerGroup.SENIOR else None
    rule = None
    if table is not None:
        rule = best_rule(list(table.rules.all()), age=age, statuses=statuses_on(resident, day), meal=period.code)
    subsidy = min(rule.subsidy_fen, price) if rule else 0
    return Quote(group, age, price, subsidy, table if rule else None, rule if subsidy else None,
                 rule.delivery if rule else Delivery.NONE)


# --- who orders for whom --------------------------------------------------------------------


def live_consent(actor, elder):
    """The elder's live consent (people.Proxy, docs/proxies.md) covering the canteen, or None."""
    return proxies.proxy_for(actor, elder, PROXY_SERVICE)


def _check_channel(actor, *, canteen, resident, channel, identified_by):
    """Raise unless `actor` may order for `resident` through `channel`; returns the consent."""
    if channel == Order.Channel.COUNTER:
        if not can(actor, "canteen.counter", canteen):
            raise NotPermitted(_("只有食堂窗口工作人员可以窗口点餐。"))
        if identified_by not in (Order.Identified.ID_CARD, Order.Identified.RESIDENT_CODE, Order.Identified.STAFF_SEARCH):
            raise Invalid(_("请选择核验身份的方式。"), code="invalid_identification", field="identified_by")
        return None
    if channel == Order.Channel.PHONE:
        if getattr(getattr(actor, "resident", None), "pk", None) != resident.pk:
            raise NotPermitted(_("手机预订只能为本人订餐；为家人订餐请先办理代订授权。"))
        return None
    if channel == Order.Channel.FAMILY:
        # revoked, expired or without "canteen" in its scopes: refused, with the kernel's code
        return proxies.acting_for(actor, resident, PROXY_SERVICE)
    raise Invalid(_("点餐方式不对。"), code="invalid_channel", field="channel")


def place_order(*, actor, period, day, resident, channel, identified_by=None, delivery=False, group=None, now=None):
    """Order one meal. A subsidised meal is one per person per period and day: a second is
    refused (the database's partial unique constraint decides a race)."""
    now = now or clock.now()
    canteen = period.canteen
    identified_by = identified_by or {Order.Channel.PHONE: Order.Identified.LOGIN, Order.Channel.FAMILY: Order.Identified.FAMILY}.get(channel)
    consent = _check_channel(actor, canteen=canteen, resident=resident, channel=channel, identified_by=identified_by)
    today = timezone.localdate(now)
    clock.bounded(day, field="day")
    if channel == Order.Channel.COUNTER and day != today:
        raise Invalid(_("窗口只能点当天的餐。"), code="counter_today_only", field="day")
    if day < today:
        raise Invalid(_("不能预订过去的餐。"), code="day_past", field="day")
    if channel != Order.Channel.COUNTER and day == today and timezone.localtime(now).time() >= period.order_cutoff:
        raise Invalid(_("已过今日预订截止时间，请到窗口点餐。"), code="after_cutoff", field="day")
    q = quote(resident=resident, period=period, day=day, group=group)
    if delivery and q.delivery == Delivery.NONE:
        raise Invalid(_("该就餐人不在送餐服务范围内。"), code="no_delivery", field="delivery")
    fee = 0 if not delivery or q.delivery == Delivery.FREE else canteen.delivery_fee_fen
    subsidised = q.subsidy_fen > 0
    if subsidised and Order.objects.filter(resident=resident, period=period, day=day, subsidised=True).exclude(
        state=Order.State.CANCELLED
    ).exists():
        raise Conflict(_("该老人本餐次已订过一份补贴餐。"), code="already_subsidised")
    try:
        with transaction.atomic():
            order = Order.objects.create(
                canteen=canteen, period=period, day=day, resident=resident, group=q.group, channel=channel,
                identified_by=identified_by, ordered_by=actor, proxy=consent, price_fen=q.price_fen,
                subsidy_fen=q.subsidy_fen, delivery_fee_fen=fee, paid_fen=q.price_fen - q.subsidy_fen + fee,
                subsidised=subsidised, rule_table=q.table, rule=q.rule, status_code=q.status, age=q.age,
                delivery=bool(delivery), created_at=now,
            )
            chain.append(OrderEvent, order, actor=actor, action="order", at=now, data={
                "channel": channel, "price_fen": q.price_fen, "subsidy_fen": q.subsidy_fen,
                "rule_version": q.table.version if q.table else None, "delivery": bool(delivery)})
            if consent is not None:
                proxies.record_act(proxy=consent, actor=actor, service=PROXY_SERVICE, action=N_("订餐"), target=order,
                                   summary=f"{day:%m-%d} {period.name}", now=now)
    except IntegrityError as error:
        if "canteen_one_subsidised_meal_per_period" in str(error) or "UNIQUE" in str(error).upper():
            raise Conflict(_("该老人本餐次已订过一份补贴餐。"), code="already_subsidised") from error
        raise
    return order


def _may_cancel_as_resident(actor, order):
    own = getattr(actor, "resident", None)
    if own is None:
        return False
    return own.pk == order.resident_id or order.ordered_by_id == actor.pk or live_consent(actor, order.resident) is not None


def act_on_order(*, actor, order, action, now=None):
    """Serve, dispatch, deliver or cancel an order: the table says from which state, the
    permission layer who; the row is locked so two clicks make one step."""
    now = now or clock.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        step = ORDER_WORKFLOW.transition_for(action, order.state)
        if action == "cancel" and _may_cancel_as_resident(actor, order):
            role = "resident"
        elif can(actor, ORDER_WORKFLOW.perm(action), order):
            role = permitting_role(actor, ORDER_WORKFLOW.perm(action), order)
        elif can(actor, "canteen.order_view", order):
            raise NotPermitted(_("您的角色不能执行此操作。"))
        else:
            raise NotFound(_("找不到该订单，或您无权查看。"))
        if action == "dispatch" and not order.delivery:
            raise Conflict(_("这份餐不送餐。"), code="not_delivery")
        if action == "serve" and order.delivery:
            raise Conflict(_("这份餐需送餐，请走送餐流程。"), code="is_delivery")
        before = order.state
        order.state = step.target
        fields = ["state"]
        if action == "deliver":
            order.delivered_at, order.delivered_by = now, actor
            fields += ["delivered_at", "delivered_by"]
        order.save(update_fields=fields)
        chain.append(OrderEvent, order, actor=actor, actor_role=role or "", action=action, at=now,
                     data={"from": before, "to": order.state})
    return order


# --- eligibility: care statuses with proof, and family consent --------------------------------


def record_status(*, actor, canteen, resident, tag, proof, valid_from, expires_on):
    if not can(actor, "canteen.eligibility", canteen):
        raise NotPermitted(_("只有社区工作人员可以登记身份证明。"))
    proof = clean_text(proof, field="proof").strip()
    if not proof:
        raise Invalid(_("请填写证明（证件名称与编号）。"), code="proof_required", field="proof")
    clock.bounded(valid_from, field="valid_from")
    clock.bounded(expires_on, field="expires_on")
    if expires_on < valid_from:
        raise Invalid(_("有效期不能早于起始日期。"), code="dates_reversed", field="expires_on")
    with transaction.atomic():
        status = CareStatus.objects.create(resident=resident, tag=tag, proof=proof[:120], valid_from=valid_from,
                                           expires_on=expires_on, recorded_by=actor)
        audit.record(actor=actor, action="canteen.record_status", target=status, tag=tag.code, expires_on=str(expires_on))
    return status


RELATIONS = {"女儿": "child", "儿子": "child", "子女": "child", "配偶": "spouse", "老伴": "spouse", "孙子": "grandchild",
             "孙女": "grandchild", "兄弟": "sibling", "姐妹": "sibling"}


def record_consent(*, actor, canteen, elder, family, relation, consent_proof="", valid_until=None):
    """Staff record at the canteen an elder's consent that `family` orders meals for her: a
    kernel consent (people.Proxy) with the scope "canteen", for a year unless said otherwise.
    The general page (people:proxies) records consents covering more services."""
    if not can(actor, "canteen.eligibility", canteen):
        raise NotPermitted(_("只有社区工作人员可以登记代订授权。"))
    relation = clean_text(relation or "", field="relation").strip()
    proof = clean_text(consent_proof or "", field="consent_proof").strip() or _("食堂登记代订授权（%(canteen)s，%(relation)s）") % {
        "canteen": canteen.name, "relation": relation or _("家属")}
    return proxy_services.grant(
        actor=actor, elder=elder, proxy_resident=family, relation=RELATIONS.get(relation, "relative"), services=[PROXY_SERVICE],
        valid_until=valid_until or calendar.local_date(clock.now()) + datetime.timedelta(days=365), consent_proof=proof,
    )


def revoke_consent(*, actor, canteen, consent):
    """Revoke the consent (the elder, the family member, or staff): the kernel's revoke."""
    proxy_services.revoke(actor=actor, proxy=consent)
    return True


# --- menus -------------------------------------------------------------------------------------


def publish_week(*, actor, canteen, monday):
    """Publish the menus of the week starting `monday` (a week ahead is the habit)."""
    if not can(actor, "canteen.menu", canteen):
        raise NotPermitted(_("只有食堂工作人员可以发布菜单。"))
    if monday.weekday() != 0:
        raise Invalid(_("请从周一开始发布一周菜单。"), code="not_monday", field="monday")
    days = MenuDay.objects.filter(period__canteen=canteen, day__gte=monday, day__lt=monday + datetime.timedelta(days=7))
    if not days.exists():
        raise Invalid(_("这一周还没有菜单。"), code="empty_week", field="monday")
    count = days.filter(published_at__isnull=True).update(published_at=clock.now())
    audit.record(actor=actor, action="canteen.publish_week", target=canteen, monday=str(monday), menus=count)
    return count


# --- the monthly claim -------------------------------------------------------------------------


def month_bounds(month):
    first = month.replace(day=1)
    nxt = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first, nxt


def claim_hash(lines, totals):
    body = json.dumps({"lines": lines, "totals": totals}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def generate_claim(*, actor, canteen, month):
    """Record the month's claim: its lines (from selectors.claim_lines), totals and hash."""
    from .models import Claim
    from .selectors import claim_lines, claim_totals

    if not can(actor, "canteen.claim", canteen):
        raise NotPermitted(_("只有社区工作人员可以生成补贴申领。"))
    first, _end = month_bounds(month)
    lines = claim_lines(canteen, first)
    totals = claim_totals(lines)
    claim = Claim.objects.create(canteen=canteen, month=first, lines=totals["lines"], price_total_fen=totals["price_fen"],
                                 subsidy_total_fen=totals["subsidy_fen"], sha256=claim_hash(lines, totals), generated_by=actor)
    audit.record(actor=actor, action="canteen.generate_claim", target=claim, sha256=claim.sha256)
    return claim
