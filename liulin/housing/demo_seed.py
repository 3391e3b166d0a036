"""Demo 青年人才公寓 (`manage.py seed_demo`): the article's 55 public-rental apartments handed
over by a central state-owned enterprise, and one open round of applications. The article
gives only the count; layouts, areas and rents are invented for the demo (labelled demo)."""

from liulin.core import chain

from .models import Apartment, Round, RoundEvent, Rule, Tier

APARTMENTS = 55
FLOORS = 5
# (layout, area in dm², monthly rent in fen, deposit in fen): demo figures
LAYOUTS = [
    (Apartment.Layout.STUDIO, 3050, 80000, 160000),
    (Apartment.Layout.ONE_BED, 4550, 110000, 220000),
    (Apartment.Layout.TWO_BED, 6200, 150000, 300000),
]
ROUND = "青年人才公寓 2026 年第一批申请（演示）"
RULES = [
    ("no_local_housing", "本市无自有住房", "yes", None, "不动产登记查询证明"),
    ("annual_income_fen", "家庭年收入不超过 20 万元", "max", 20_000_000, "收入证明"),
    ("local_employment_months", "本地稳定就业满 6 个月", "min", 6, "劳动合同及社保缴纳证明"),
    ("age_under_35", "申请时未满 35 周岁", "yes", None, "身份证"),
]
TIERS = [("a", "A 类高层次人才", 0), ("b", "B 类骨干人才", 1), ("c", "C 类青年人才", 2)]


def seed(demo):
    community = demo.community
    if not Apartment.objects.filter(community=community).exists():
        per_floor = -(-APARTMENTS // FLOORS)
        rows = []
        for i in range(APARTMENTS):
            floor, door = divmod(i, per_floor)
            layout, area, rent, deposit = LAYOUTS[i % len(LAYOUTS)]
            rows.append(Apartment(community=community, number=f"人才公寓 {floor + 1}{door + 1:02d}", layout=layout,
                                  area_dm2=area, rent_fen=rent, deposit_fen=deposit, is_demo=True))
        Apartment.objects.bulk_create(rows)
    if not Round.objects.filter(community=community, title=ROUND).exists():
        round_ = Round.objects.create(community=community, title=ROUND, is_demo=True)
        Rule.objects.bulk_create([Rule(round=round_, key=k, label=lb, kind=kind, limit=limit, document=doc)
                                  for k, lb, kind, limit, doc in RULES])
        Tier.objects.bulk_create([Tier(round=round_, code=c, label=lb, group=g) for c, lb, g in TIERS])
        chain.append_many(RoundEvent, [(round_, {"actor": None, "action": "create", "data": {"demo": True}})])
