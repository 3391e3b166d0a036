"""Demo data for 中南小苑 (`manage.py seed_demo`), all marked demo.

From the article: 中南小苑 was brought in to meet residents' needs and serves 职工自助工作餐,
户外劳动者工作餐 and 老年优享餐 (the three diner groups with their own price lists), run by
中南小苑餐饮管理有限公司. The subsidy table is Changsha's 老年助餐 practice (canteen/rules.py);
the meal times, the prices other than the 12-yuan standard meal, the dishes, the proofs and the
month of orders are invented for the demo. Care statuses with proof are made for the demo
residents who carry the matching care tags in the registry, valid for the current year.

The story: the demo resident living alone (account 19900000014) has consented (a kernel proxy
consent covering every service) that the demo family account (19900000015) acts for him; last month's lunches of the community's
elders make the month's claim.

Idempotent: the canteen is found by name and community, periods by code, the table by
version; statuses, consent and orders are only made when the canteen is new.
"""

import datetime
import random

from django.utils import timezone

from liulin.accounts.models import User
from liulin.core import chain, clock
from liulin.people import proxies, proxy_services
from liulin.people.models import Proxy, Resident

from . import rules, services
from .models import (
    Canteen,
    CareStatus,
    DinerGroup,
    MealPeriod,
    MenuDay,
    Order,
    OrderEvent,
    Price,
    SubsidyTable,
)

NAME = "中南小苑"
OPERATOR = "中南小苑餐饮管理有限公司"
PERIODS = [("breakfast", "早餐", "07:00", "09:00", "06:30", 1), ("lunch", "午餐", "11:00", "13:00", "09:30", 2),
           ("dinner", "晚餐", "17:00", "19:00", "15:00", 3)]
PRICES = {  # fen; the senior lunch and dinner are the 12-yuan standard meal
    "breakfast": {DinerGroup.STAFF: 600, DinerGroup.OUTDOOR: 500, DinerGroup.SENIOR: 500, DinerGroup.OTHER: 600},
    "lunch": {DinerGroup.STAFF: 1500, DinerGroup.OUTDOOR: 1000, DinerGroup.SENIOR: rules.STANDARD_PRICE_FEN, DinerGroup.OTHER: 1500},
    "dinner": {DinerGroup.STAFF: 1500, DinerGroup.OUTDOOR: 1000, DinerGroup.SENIOR: rules.STANDARD_PRICE_FEN, DinerGroup.OTHER: 1500},
}
DISHES = ["红烧肉\n清炒菜心\n紫菜蛋汤", "剁椒鱼头\n手撕包菜\n冬瓜汤", "小炒黄牛肉\n蒜蓉空心菜\n番茄蛋汤",
          "土豆烧鸡\n油淋茄子\n海带汤", "清蒸鲈鱼\n西兰花\n萝卜排骨汤", "香干回锅肉\n上海青\n丝瓜蛋汤", "粉蒸肉\n炒豆角\n白菜豆腐汤"]
TAGS = {"living-alone-elderly", "empty-nest-elderly", "minimum-living-allowance", "extreme-poverty", "disability"}
MONTH_DINERS = 40  # elders with a lunch on every weekday of last month


def seed(demo):
    community = demo.community
    canteen = Canteen.objects.filter(name=NAME, community=community).first()
    if canteen is not None:
        return canteen
    canteen = Canteen.objects.create(name=NAME, community=community, operator=demo.orgs.get(OPERATOR), delivery_fee_fen=300,
                                     is_demo=True)
    periods = MealPeriod.objects.bulk_create([
        MealPeriod(canteen=canteen, code=c, name=n, starts=datetime.time.fromisoformat(a), ends=datetime.time.fromisoformat(b),
                   order_cutoff=datetime.time.fromisoformat(x), sort=s) for c, n, a, b, x, s in PERIODS])
    periods = {p.code: p for p in MealPeriod.objects.filter(canteen=canteen)}
    Price.objects.bulk_create([Price(period=periods[code], group=g, price_fen=f) for code, row in PRICES.items() for g, f in row.items()])
    table = SubsidyTable.objects.filter(version=1).first()
    if table is None:
        table = SubsidyTable.objects.create(version=1, name="演示：参照长沙市老年助餐补贴标准", effective_from=datetime.date(2024, 1, 1),
                                            is_demo=True)
        table.rules.model.objects.bulk_create(rules.rule_rows(table))
    today = clock.today()
    monday = today - datetime.timedelta(days=today.weekday())
    now = clock.now()
    MenuDay.objects.bulk_create([
        MenuDay(period=periods[code], day=monday + datetime.timedelta(days=d), dishes=DISHES[(d + s) % len(DISHES)], published_at=now)
        for d in range(14) for s, code in enumerate(("lunch", "dinner"))])
    staff = User.objects.filter(mobile="19900000002").first()
    elders = _statuses(community, staff, today)
    _consent(staff)
    _last_month(canteen, periods["lunch"], table, elders, staff, today)
    return canteen


def _statuses(community, staff, today):
    """Care statuses with (demo) proof for the registry's residents who carry a matching tag."""
    rows = Resident.objects.filter(household__community=community, is_demo=True, care_tags__code__in=TAGS).values_list(
        "pk", "care_tags__pk", "care_tags__code")
    start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
    CareStatus.objects.bulk_create([
        CareStatus(resident_id=pk, tag_id=tag, proof=f"演示证明 {code} {pk:05d}", valid_from=start, expires_on=end,
                   recorded_by=staff, is_demo=True) for pk, tag, code in rows] if staff else [])
    return list(Resident.objects.filter(household__community=community, is_demo=True,
                                        birth_date__lte=datetime.date(today.year - 61, 1, 1)).order_by("pk")[:MONTH_DINERS * 3])


def _consent(staff):
    elder = User.objects.filter(mobile="19900000014").select_related("resident").first()
    family = User.objects.filter(mobile="19900000015").select_related("resident").first()
    if not (staff and elder and family and elder.resident_id and family.resident_id):
        return
    if Proxy.objects.filter(elder_id=elder.resident_id, proxy_user=family, revoked_at__isnull=True).exists():
        return
    # The kernel consent (docs/proxies.md): every service registered, for a year, on a signed form.
    proxy_services.grant(actor=staff, elder=elder.resident, proxy_user=family, relation=Proxy.Relation.CHILD,
                         services=[s.code for s in proxies.services()], valid_until=clock.today() + datetime.timedelta(days=365),
                         consent_proof="演示：书面代办授权书 DEMO-0001", is_demo=True)


def _last_month(canteen, lunch, table, elders, staff, today):
    """Lunches of the month before this one at the counter, subsidised by the table, so the
    manager's claim page has a month to claim (computed from these rows)."""
    if staff is None or not elders:
        return
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    rule_list = list(table.rules.all())
    statuses = {}
    for resident_id, code, start, end in CareStatus.objects.filter(resident__in=elders).values_list(
            "resident_id", "tag__code", "valid_from", "expires_on"):
        statuses.setdefault(resident_id, []).append((code, start, end))
    rng = random.Random(30)
    diners = rng.sample(elders, min(MONTH_DINERS, len(elders)))
    orders = []
    day = first
    tz = timezone.get_current_timezone()
    while day.month == first.month:
        if day.weekday() < 5:
            for n, elder in enumerate(diners):
                age = services.age_on(elder.birth_date, day)
                held = {c for c, s, e in statuses.get(elder.pk, []) if s <= day <= e}
                rule = services.best_rule(rule_list, age=age, statuses=held, meal="lunch")
                subsidy = min(rule.subsidy_fen, rules.STANDARD_PRICE_FEN) if rule else 0
                at = datetime.datetime.combine(day, datetime.time(11, 0), tzinfo=tz) + datetime.timedelta(seconds=40 * n)
                orders.append(Order(
                    canteen=canteen, period=lunch, day=day, resident=elder, group=DinerGroup.SENIOR, channel=Order.Channel.COUNTER,
                    identified_by=Order.Identified.ID_CARD if n % 3 else Order.Identified.RESIDENT_CODE, ordered_by=staff,
                    price_fen=rules.STANDARD_PRICE_FEN, subsidy_fen=subsidy, paid_fen=rules.STANDARD_PRICE_FEN - subsidy,
                    subsidised=bool(subsidy), rule_table=table if subsidy else None, rule=rule if subsidy else None,
                    status_code=rule.status if subsidy else "", age=age, state=Order.State.SERVED, created_at=at, is_demo=True))
        day += datetime.timedelta(days=1)
    Order.objects.bulk_create(orders)
    made = list(Order.objects.filter(canteen=canteen, is_demo=True).order_by("pk"))
    chain.append_many(OrderEvent, [(o, {"actor": staff, "action": "order", "at": o.created_at, "data": {"demo": True}}) for o in made]
                      + [(o, {"actor": staff, "action": "serve", "at": o.created_at, "data": {"demo": True}}) for o in made])
