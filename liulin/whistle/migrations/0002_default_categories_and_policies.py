"""Default time-limit policies, work calendar and category tree for 雷锋哨.

Everything here is a starting point configured afterwards in admin. Safe to re-run: rows are
looked up by code (policies, categories), name (calendar) or date (calendar days) and an
existing row is left as an administrator may have changed it. Reversing removes nothing
(tickets may already point at these rows).

Time limits follow 12345 hotline practice:
- emergency: accept within 30 minutes, feedback within 2 hours, calendar time;
- utilities (水电气热): accept within 1 hour, resolve within 24 hours, calendar time;
- normal: accept within 2 working hours, resolve within 7 days. A policy has one
  working-time flag for both limits, so "7 days" is counted as 7 working days of the
  default calendar's 7 working hours (08:30–12:00, 14:00–17:30) = 2,940 working minutes;
- complex: 15 working days = 15 × 7 × 60 = 6,300 working minutes.

Public holidays: 2026 as announced by the State Council (国办发明电〔2025〕7号) with its
make-up workdays; 2027 had not been announced when this was written, so its statutory days
are entered as an estimate (名称带“预估”) — adjust both in admin (节假日/调休).
"""

import datetime

from django.db import migrations

WORKDAY_MINUTES = 7 * 60

POLICIES = [
    # code, name, accept, resolve, working_time, remind_before
    ("emergency", "紧急 30分钟接单 2小时反馈", 30, 120, False, 15),
    ("utilities", "水电气热 24小时", 60, 24 * 60, False, 120),
    ("normal", "一般 2工作小时接单 7日办结", 120, 7 * WORKDAY_MINUTES, True, 240),
    ("complex", "复杂 15日办结", 120, 15 * WORKDAY_MINUTES, True, WORKDAY_MINUTES),
]

CALENDAR_NAME = "默认工作日历"


def _days(start, end):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


D = datetime.date
# (first day, last day, name) of each holiday break; then make-up workdays.
HOLIDAYS = [
    (D(2026, 1, 1), D(2026, 1, 3), "元旦"),
    (D(2026, 2, 15), D(2026, 2, 23), "春节"),
    (D(2026, 4, 4), D(2026, 4, 6), "清明节"),
    (D(2026, 5, 1), D(2026, 5, 5), "劳动节"),
    (D(2026, 6, 19), D(2026, 6, 21), "端午节"),
    (D(2026, 9, 25), D(2026, 9, 27), "中秋节"),
    (D(2026, 10, 1), D(2026, 10, 7), "国庆节"),
    (D(2027, 1, 1), D(2027, 1, 3), "元旦（预估）"),
    (D(2027, 2, 5), D(2027, 2, 11), "春节（预估）"),
    (D(2027, 4, 3), D(2027, 4, 5), "清明节（预估）"),
    (D(2027, 5, 1), D(2027, 5, 5), "劳动节（预估）"),
    (D(2027, 6, 9), D(2027, 6, 9), "端午节（预估）"),
    (D(2027, 9, 15), D(2027, 9, 15), "中秋节（预估）"),
    (D(2027, 10, 1), D(2027, 10, 7), "国庆节（预估）"),
]
MAKEUP_WORKDAYS = [
    (D(2026, 1, 4), "元旦调休上班"),
    (D(2026, 2, 14), "春节调休上班"),
    (D(2026, 2, 28), "春节调休上班"),
    (D(2026, 5, 9), "劳动节调休上班"),
    (D(2026, 9, 20), "国庆节调休上班"),
    (D(2026, 10, 10), "国庆节调休上班"),
]

PROPERTY, COMMUNITY, DEPARTMENT = "property_company", "community", "department"

# code, name, responsible kind, keywords, children [(code, name, kind, keywords)]
CATEGORIES = [
    ("property", "物业服务", PROPERTY, "物业", [
        ("property-elevator", "电梯故障", "", "电梯 困人 停运 异响 电梯门"),
        ("property-corridor", "楼道卫生", "", "楼道 垃圾 杂物 堆放 清扫"),
        ("property-leak", "漏水渗水", "", "漏水 渗水 水管 楼上 天花板 墙面 化粪池"),
        ("property-access", "门禁/停车", "", "门禁 停车 车位 道闸 占道 充电桩"),
        ("property-greening", "绿化养护", "", "绿化 树木 修剪 草坪 枯树"),
    ]),
    ("municipal", "市政设施", DEPARTMENT, "市政", [
        ("municipal-streetlight", "路灯", "", "路灯 不亮 照明"),
        ("municipal-manhole", "井盖", "", "井盖 窨井 缺失 破损"),
        ("municipal-road", "道路破损", "", "道路 坑洼 破损 人行道 塌陷"),
    ]),
    ("utilities", "水电气热", PROPERTY, "", [
        ("utilities-water", "停水", "", "停水 水压 自来水"),
        ("utilities-power", "停电", "", "停电 跳闸 电表"),
        ("utilities-gas", "燃气", "", "燃气 煤气 天然气 漏气"),
        ("utilities-heating", "供暖", "", "供暖 暖气 不热"),
    ]),
    ("sanitation", "环境卫生", PROPERTY, "垃圾 卫生 清运 异味 垃圾桶", []),
    ("noise", "噪音扰民", COMMUNITY, "噪音 扰民 广场舞 装修 施工 夜间", []),
    ("dispute", "邻里纠纷", COMMUNITY, "纠纷 矛盾 吵架 调解", []),
    ("illegal-building", "违章搭建", DEPARTMENT, "违建 违章 搭建 私搭乱建 占用", []),
    ("safety", "安全隐患", COMMUNITY, "隐患 消防 通道 电动车 飞线 高空", []),
    ("help", "求助", COMMUNITY, "求助", [
        ("help-elderly-disabled", "帮老助残", "", "老人 独居 残疾 行动不便 助餐"),
        ("help-other", "其他求助", "", ""),
    ]),
]

# Policy per urgency on each top-level category (children inherit it): the utilities tree
# counts its normal requests against the 24-hour limit.
DEFAULT_URGENCY_POLICY = {"emergency": "emergency", "normal": "normal", "complex": "complex"}
URGENCY_POLICY_OVERRIDES = {"utilities": {"normal": "utilities"}}


def seed_policies(SlaPolicy):
    for code, name, accept, resolve, working_time, remind in POLICIES:
        SlaPolicy.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "accept_minutes": accept,
                "resolve_minutes": resolve,
                "working_time": working_time,
                "remind_before_minutes": remind,
            },
        )


def seed_calendar(WorkCalendar, CalendarDay):
    calendar = WorkCalendar.objects.filter(name=CALENDAR_NAME).first()
    if calendar is None:
        has_default = WorkCalendar.objects.filter(is_default=True).exists()
        calendar = WorkCalendar.objects.create(name=CALENDAR_NAME, is_default=not has_default)
    for start, end, name in HOLIDAYS:
        for day in _days(start, end):
            CalendarDay.objects.get_or_create(calendar=calendar, date=day, defaults={"is_workday": False, "name": name})
    for day, name in MAKEUP_WORKDAYS:
        CalendarDay.objects.get_or_create(calendar=calendar, date=day, defaults={"is_workday": True, "name": name})


def seed_categories(Category, CategoryPolicy, SlaPolicy):
    policies = {p.code: p for p in SlaPolicy.objects.all()}
    for sort, (code, name, kind, keywords, children) in enumerate(CATEGORIES, start=1):
        root, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "responsible_kind": kind, "keywords": keywords, "sort": sort * 10}
        )
        by_urgency = {**DEFAULT_URGENCY_POLICY, **URGENCY_POLICY_OVERRIDES.get(code, {})}
        for urgency, policy_code in by_urgency.items():
            if policy_code in policies:
                CategoryPolicy.objects.get_or_create(
                    category=root, urgency=urgency, defaults={"policy": policies[policy_code]}
                )
        for child_sort, (child_code, child_name, child_kind, child_keywords) in enumerate(children, start=1):
            Category.objects.get_or_create(
                code=child_code,
                defaults={
                    "parent": root,
                    "name": child_name,
                    "responsible_kind": child_kind,
                    "keywords": child_keywords,
                    "sort": sort * 10 + child_sort,
                },
            )


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("whistle", "SlaPolicy")
    seed_policies(SlaPolicy)
    seed_calendar(apps.get_model("whistle", "WorkCalendar"), apps.get_model("whistle", "CalendarDay"))
    seed_categories(apps.get_model("whistle", "Category"), apps.get_model("whistle", "CategoryPolicy"), SlaPolicy)


class Migration(migrations.Migration):

    dependencies = [
        ("whistle", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
