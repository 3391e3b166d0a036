"""Demo data for 党建引领惠邻 (called by `manage.py seed_demo`).

From the article: the community works with 8 regional partner units (区域化党建共建单位,
named in liulin/demo/facts.py, invented names since the article gives none) through the
"three lists" and the 五联 (组织联建、活动联办、人才联育、资源联用、难题联解). Everything
else here (the agreements' scopes, the activities, resources, needs, members, services
and wishes) is invented for the demo and marked `is_demo`; every figure the pages show is
counted from these rows. Rows are made through the services, so each carries its chained
events, as real ones do. Idempotent: agreements by (unit, community), the rest once.
"""

import datetime

from django.contrib.auth.hashers import make_password

from liulin.accounts.models import RoleAssignment, User
from liulin.core import clock
from liulin.core.roles import Role
from liulin.demo import facts
from liulin.demo.logins import DEMO_PASSWORD
from liulin.people.models import Resident

from . import services
from .models import Category, LinkKind, Need, Partnership, Registration

# (unit, scope of the agreement, resource offered (kind, title, capacity), posts its members choose)
UNITS = [
    ("望城区人民医院第三党支部", "义诊巡诊、健康讲座、家庭医生签约服务", ("skill", "每月一次社区义诊", 12), [Category.CARE]),
    ("中国建设银行望城支行党支部", "金融知识宣传、防范电信诈骗、适老化金融服务", ("skill", "老年人防诈骗讲座", 6), [Category.POLICY]),
    ("高塘岭中学党支部", "青少年暑期托管、四点半课堂、家庭教育讲座", ("volunteers", "暑期托管志愿教师", 4), [Category.CARE]),
    ("国家税务总局长沙市望城区税务局第二党支部", "政策宣讲、个税申报辅导", ("skill", "个税申报辅导", 4), [Category.POLICY]),
    ("中建五局望城项目部党支部", "小区微改造、设施维修、安全隐患排查", ("skill", "设施维修小分队", 10), [Category.ENVIRONMENT]),
    ("长沙银行望城支行党支部", "助老助残帮扶资金、志愿服务", ("funds", "微心愿帮扶基金", 20), [Category.CARE]),
    ("望城区图书馆党支部", "儿童书屋图书流转、阅读推广", ("goods", "儿童书屋图书流转", 12), [Category.CIVILITY]),
    ("雷锋纪念馆党支部", "雷锋精神宣讲、红色教育、志愿服务培训", ("venue", "红色教育研学场地", 6), [Category.CIVILITY]),
]
ACTIVITIES = [  # (unit index, kind code, title, month, participants)
    (0, "activity", "“健康进社区”义诊", 3, 46), (0, "talent", "家庭急救培训", 5, 32),
    (1, "problem", "老年人防范电信诈骗讲座", 4, 58), (2, "activity", "暑期青少年夏令营", 7, 40),
    (3, "organisation", "支部共建主题党日", 6, 25), (4, "problem", "同心公园步道修复", 5, 18),
    (5, "resource", "微心愿帮扶基金启动", 3, 12), (6, "resource", "儿童书屋图书流转", 4, 30),
    (7, "talent", "雷锋精神宣讲员培训", 3, 28), (7, "organisation", "联合党课：学雷锋 见行动", 3, 60),
]
NEEDS = [  # (title, category, outcome: met / matched / open, unit index)
    ("独居老人家中电路老化需排查", Category.CARE, "met", 4),
    ("同心公园步道破损", Category.ENVIRONMENT, "met", 4),
    ("暑期孩子无人看护", Category.CARE, "matched", 2),
    ("老年人不会用手机挂号", Category.POLICY, "open", None),
    ("楼栋间宣传栏内容陈旧", Category.CIVILITY, "open", None),
]
WISHES = [  # (title, kind, public label, capacity, outcome, story)
    ("修好轮椅", "service", "高龄独居老人", 1, "fulfilled", "轮椅修好了，老人又能每天去同心公园晒太阳。"),
    ("一套课外读物", "study", "留守儿童", 1, "fulfilled", "孩子收到了新书，在儿童书屋读完了第一本。"),
    ("每周陪聊一次", "company", "空巢老人", 2, "claimed", ""),
    ("一台助听器", "goods", "高龄老人", 1, "published", ""),
    ("学会用手机视频通话", "service", "独居老人", 1, "published", ""),
]
MEMBERS_PER_UNIT = 2
YEAR = facts.REFERENCE_DATE.year


def _day(month, day=15):
    return datetime.date(YEAR, month, day)


def _users(community, units, password):
    """A partner-contact account per unit (199000001xx) and accounts for in-service members
    (199000002xx), party members of the demo who live here, created once."""
    contacts = {}
    existing = {u.mobile: u for u in User.objects.filter(mobile__startswith="1990000")}
    for i, org in enumerate(units):
        mobile = f"199000001{i:02d}"
        user = existing.get(mobile) or User.objects.create(mobile=mobile, name=f"{org.name[:6]}联络员", password=password,
                                                            is_demo=True)
        RoleAssignment.objects.get_or_create(user=user, role=Role.PARTNER_CONTACT, org=org)
        contacts[org.pk] = user
    linked = User.objects.filter(resident__isnull=False).values_list("resident_id", flat=True)
    residents = list(Resident.objects.filter(household__community=community, is_party_member=True, is_demo=True)
                     .exclude(pk__in=linked).order_by("birth_date")[: len(units) * MEMBERS_PER_UNIT * 3])
    residents = residents[-len(units) * MEMBERS_PER_UNIT:]  # the youngest: in-service, not retired
    members = []
    for i, resident in enumerate(residents):
        mobile = f"199000002{i:02d}"
        user = existing.get(mobile) or User.objects.create(mobile=mobile, name=resident.name, resident=resident, password=password,
                                                            is_demo=True)
        RoleAssignment.objects.get_or_create(user=user, role=Role.RESIDENT, area=None, grid=None, org=None)
        members.append(user)
    return contacts, members


def seed(demo):
    community = demo.community
    units = [demo.orgs[name] for name, *_ in UNITS]
    reported = set(Partnership.objects.filter(community=community).values_list("org_id", flat=True))
    for org, (_name, scope, _resource, _posts) in zip(units, UNITS, strict=True):
        if org.pk not in reported:
            services.report_in(actor=None, org=org, community=community, scope=scope, liaison="支部书记",
                               starts_on=_day(1, 1), ends_on=_day(12, 31).replace(year=YEAR + 2), is_demo=True)
    if Need.objects.filter(community=community, is_demo=True).exists():
        return  # the lists were seeded before
    password = make_password(DEMO_PASSWORD)
    contacts, members = _users(community, units, password)
    staff = demo.users.get("19900000002")
    grid_workers = {a.grid_id: a.user for a in RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid__community=community)
                    .select_related("user")}
    kinds = {k.code: k for k in LinkKind.objects.all()}
    partnerships = {p.org_id: p for p in Partnership.objects.filter(community=community)}
    for unit, code, title, month, people in ACTIVITIES:
        services.record_activity(actor=None, partnership=partnerships[units[unit].pk], kind=kinds[code], title=title,
                                 held_on=_day(month), participants=people, is_demo=True)
    resources = []
    for org, (_name, _scope, (kind, title, capacity), _posts) in zip(units, UNITS, strict=True):
        resources.append(services.offer_resource(actor=None, org=org, community=community, kind=kind, title=title,
                                                 capacity=capacity, is_demo=True))

    # 双报到: members registered with their units, confirmed by each unit's contact.
    registrations = []
    for i, user in enumerate(members):
        unit = i % len(units)
        org = units[unit]
        registration = services.register_member(actor=user, org=org, posts=[str(p) for p in UNITS[unit][3]], is_demo=True)
        services.registration_step(actor=contacts[org.pk], registration=registration, action="registration_confirm")
        registrations.append(user)

    elder = demo.users.get("19900000014")
    elder_resident = elder.resident if elder is not None else None
    grid = elder_resident.household.grid if elder_resident is not None else demo.grids[0]
    grid_worker = grid_workers.get(grid.pk) or staff

    for title, category, outcome, unit in NEEDS:
        need = services.raise_need(actor=None, community=community, grid=grid, title=title, category=category,
                                   source=Need.Source.GRID, is_demo=True)
        if unit is None:
            continue
        contact = contacts[units[unit].pk]
        project = services.claim_need(actor=contact, need=need, owner_name="支部书记", plan="制定方案，按期实施",
                                      starts_on=_day(3), ends_on=_day(4), volunteers_needed=0 if outcome == "met" else 4,
                                      is_demo=True)
        if outcome == "matched":  # in-service members of the demo take two of its four tasks
            for user in registrations[:2]:
                services.join_project(actor=user, project=project, is_demo=True)
        if outcome == "met":
            services.project_step(actor=contact, project=project, action="project_start")
            services.project_step(actor=contact, project=project, action="project_deliver", reason="已按计划完成")
            services.project_step(actor=grid_worker, project=project, action="project_confirm")

    for w, (title, kind, label, capacity, outcome, story) in enumerate(WISHES):
        beneficiary = elder_resident if w == 0 else None
        wish = services.collect_wish(actor=None, community=community, grid=grid, title=title, kind=kind, beneficiary_label=label,
                                     beneficiary=beneficiary, capacity=capacity, is_demo=True)
        services.wish_step(actor=None, wish=wish, action="wish_publish")
        if outcome == "published":
            continue
        claimers = [registrations[(w + k) % len(registrations)] for k in range(capacity)]
        for user in claimers:
            services.claim_wish(actor=user, wish=wish, is_demo=True)
        if outcome == "fulfilled":
            _deliver_and_confirm(wish, claimers[0], grid_worker, story)
        registration = Registration.objects.get(user=claimers[0], community=community)
        record = services.log_service(actor=claimers[0], registration=registration, category=Category.CARE,
                                      served_on=min(clock.today(), _day(6)), minutes=60 + 30 * w, description=f"微心愿：{title}",
                                      wish=wish, beneficiary=beneficiary, is_demo=True)
        services.service_step(actor=grid_worker if beneficiary else staff, record=record, action="service_confirm")


def _deliver_and_confirm(wish, claimer, confirmer, story):
    """Delivery needs a proof photo: the demo's is a small generated picture."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (230, 200, 120)).save(out, format="JPEG")
    photo = SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")
    services.deliver_wish(actor=claimer, wish=wish, note="已送达", photos=[photo])
    services.confirm_wish(actor=confirmer, wish=wish, story=story)
