"""Demo work orders for a seeded community: a few hundred requests over the last months, in
every state, made through the real services (file_ticket, act, record_callback, blow) with
explicit `now` values, so their events, deadlines and KPIs are what production would show.

`seed_demo_tickets(community)` is called by the demo seed. It adds its own demo staff where
the community has none for a role (mobile numbers 1990000xxxx), and a routing rule sending
违章搭建 to a department. Each step is taken by someone the separation of duties allows
(docs/kpi.md): the unit's own staff work, the community checks, and the subdistrict's
secretary checks the community office's own tickets; the hotline forwards and merges. Re-running adds nothing once the community has demo tickets.
"""

import datetime
import random

from django.db.models import Q

from liulin.accounts.models import RoleAssignment, User
from liulin.core import clock
from liulin.core.calendar import local_zone
from liulin.core.errors import DomainError
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.people.models import Resident

from .models import Category, Channel, RoutingRule, Satisfaction, State, Ticket, WhistleCall
from .permissions import community_office_id
from .services import callbacks, intake, transitions, whistles
from .workflow import OPEN_STATES

DEMO_DAYS = 120
DESCRIPTIONS = {
    "property-elevator": ["{b}电梯停运，老人上下楼困难", "{b}电梯异响，门关不上", "{b}电梯困人，已被救出，请检修"],
    "property-corridor": ["{b}楼道堆放杂物，影响通行", "{b}楼道垃圾几天没人清扫"],
    "property-leak": ["{b}楼上漏水，天花板渗水", "{b}外墙渗水，墙面发霉"],
    "property-access": ["{b}门禁坏了，外人随意进出", "小区道闸不抬杆，车辆进不来"],
    "property-greening": ["{b}旁边树木太高挡光，请修剪", "绿化带枯树有倒伏危险"],
    "municipal-streetlight": ["{b}附近路灯不亮，晚上很黑", "同心路路灯一直闪"],
    "municipal-manhole": ["{b}旁边井盖破损，容易踩空", "人行道井盖缺失"],
    "municipal-road": ["{b}门口道路坑洼积水", "人行道地砖松动"],
    "utilities-water": ["{b}停水一天了，没有通知", "{b}水压太低，楼上没水"],
    "utilities-power": ["{b}楼道停电，电表跳闸"],
    "sanitation": ["垃圾桶满了没有清运，异味很大", "{b}垃圾站周边卫生差"],
    "noise": ["晚上广场舞噪音太大，影响休息", "{b}楼上装修噪音，周末一早就开工"],
    "dispute": ["{b}邻居占用公共楼道，协商不成", "楼上楼下因漏水起纠纷，请调解"],
    "illegal-building": ["{b}楼顶私搭乱建，存在安全隐患", "一楼住户违章搭建围墙占用绿地"],
    "safety": ["{b}楼道电动车飞线充电，很危险", "消防通道被车辆占用"],
    "help-elderly-disabled": ["独居老人行动不便，需要上门帮忙", "残疾居民申请助餐服务"],
    "help-other": ["想咨询孩子暑期托管", "家里老人走失后已找回，想了解防走失手环"],
}


class Cast:
    """Demo staff of the community, one per role and scope, made on first need."""

    def __init__(self, community):
        self.community = community
        self.users = {}

    def _user(self, key, name, role, **scope):
        if key not in self.users:
            existing = RoleAssignment.objects.filter(role=role, active=True, **scope).select_related("user").first()
            if existing is not None:
                self.users[key] = existing.user
            else:
                mobile = f"1990000{1000 + len(self.users) + User.objects.filter(mobile__startswith='1990000').count():04d}"
                user = User.objects.create_user(mobile, None, name=name, is_demo=True)
                RoleAssignment.objects.create(user=user, role=role, **scope)
                self.users[key] = user
        return self.users[key]

    def operator(self):
        return self._user("operator", "接线员（演示）", Role.HOTLINE_OPERATOR, area=self.community)

    def staff(self):
        return self._user("staff", "社区工作者（演示）", Role.COMMUNITY_STAFF, area=self.community)

    def secretary(self):
        return self._user("secretary", "社区书记（演示）", Role.COMMUNITY_SECRETARY, area=self.community)

    def grid_worker(self, grid):
        return self._user(("grid", grid.pk), f"{grid.name}网格员（演示）", Role.GRID_WORKER, grid=grid)

    def subdistrict_secretary(self):
        area = self.community.parent or self.community
        return self._user("subdistrict", "街道书记（演示）", Role.COMMUNITY_SECRETARY, area=area)

    def checker(self, ticket, *, secretary=False):
        """Who judges the unit's work (核单, 批准挂起, 无法办理结案): the community's staff or
        secretary, except on the community office's own tickets, which the subdistrict checks
        (a unit never checks its own work, docs/kpi.md)."""
        if ticket.handling_org_id and ticket.handling_org_id == community_office_id(self.community.pk):
            return self.subdistrict_secretary()
        return self.secretary() if secretary else self.staff()

    def handler(self, org):
        if org.kind == Organisation.Kind.PROPERTY_COMPANY:
            return self._user(("org", org.pk), f"{org.name}（演示）", Role.PROPERTY_STAFF, org=org)
        if org.kind == Organisation.Kind.DEPARTMENT:
            return self._user(("org", org.pk), f"{org.name}（演示）", Role.DEPARTMENT_OFFICER, org=org)
        return self.staff()  # the community office's own tickets are handled by community staff


def departments_for(community):
    """Active departments of the community or of an area above it."""
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True)
        .filter(Q(community__isnull=True) | Q(community__path__in=_ancestor_paths(community.path)))
        .order_by("id")
    )


def _ancestor_paths(path):
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _ensure_property_company(community):
    if not Organisation.objects.filter(kind=Organisation.Kind.PROPERTY_COMPANY, community=community).exists():
        Organisation.objects.create(
            kind=Organisation.Kind.PROPERTY_COMPANY, name=f"{community.name}物业（演示）", community=community, is_demo=True
        )


def _ensure_department(community):
    departments = departments_for(community)
    if departments:
        return departments
    return [
        Organisation.objects.create(
            kind=Organisation.Kind.DEPARTMENT, name="城市管理和综合执法局（演示）", community=community.parent, is_demo=True
        )
    ]


class Seeder:
    def __init__(self, community, *, now, rng):
        self.community, self.now, self.rng = community, now, rng
        self.cast = Cast(community)
        self.departments = _ensure_department(community)
        _ensure_property_company(community)
        RoutingRule.objects.get_or_create(
            community=community, category=Category.objects.get(code="illegal-building"),
            defaults={"org": self.departments[0], "priority": 50},
        )
        self.residents = list(
            Resident.objects.filter(household__community=community).select_related("household__building", "account")[:400]
        )
        self.categories = {c.code: c for c in Category.objects.filter(code__in=DESCRIPTIONS)}
        self.recent = []

    def moment(self, days_ago):
        """A daytime moment `days_ago` before now (people call between 7 and 21 o'clock)."""
        day = (self.now.astimezone(local_zone()) - datetime.timedelta(days=days_ago)).replace(
            hour=self.rng.randint(7, 20), minute=self.rng.randint(0, 59), second=0, microsecond=0
        )
        return min(day, self.now - datetime.timedelta(minutes=30))

    def later(self, t, low, high):
        return t + datetime.timedelta(minutes=self.rng.randint(low, high))

    def file(self, code, at):
        resident = self.rng.choice(self.residents)
        household = resident.household
        account = getattr(resident, "account", None)
        roll = self.rng.random()
        text = self.rng.choice(DESCRIPTIONS[code]).format(b=f"{household.building.estate.name}{household.building.name}")
        urgency = "emergency" if code == "safety" and roll < 0.3 else "normal"
        common = {"category": self.categories[code], "description": text, "urgency": urgency, "now": at, "is_demo": True}
        if account is not None and roll < 0.2:
            return intake.file_ticket(actor=account, channel=Channel.SELF_SERVICE, household=household, **common)[0]
        if roll < 0.6:
            return intake.file_ticket(
                actor=self.cast.operator(), channel=Channel.HOTLINE, requester=resident, household=household,
                call_started_at=at - datetime.timedelta(minutes=self.rng.randint(2, 8)), call_ended_at=at, **common,
            )[0]
        return intake.file_ticket(
            actor=self.cast.grid_worker(household.grid), channel=Channel.GRID_PATROL, building=household.building, **common
        )[0]

    def act(self, ticket, actor, action, at, **kw):
        if at > self.now:
            raise _Later()
        kw.setdefault("reason", f"演示：{transitions.TRANSITIONS[action].label}")
        return transitions.act(actor=actor, ticket=ticket, action=action, now=at, **kw)

    def one(self, days_ago):
        code = self.rng.choice(list(self.categories))
        t = self.moment(days_ago)
        ticket = self.file(code, t)
        fate = self.rng.random()
        try:
            self.follow(ticket, t, fate)
        except _Later:
            pass  # the next step would be in the future: the ticket stays where it is now
        if ticket.state in OPEN_STATES:
            self.recent.append(ticket)
        return ticket

    def open_twin(self, ticket):
        """The latest earlier open ticket of the same category, to merge a duplicate into."""
        for other in reversed(self.recent):
            if other.category_id == ticket.category_id and other.pk != ticket.pk and other.parent_id is None:
                other.refresh_from_db(fields=["state"])
                if other.state in OPEN_STATES:
                    return other
        return None

    def follow(self, ticket, t, fate):
        staff, operator = self.cast.staff(), self.cast.operator()
        # The hotline forwards and merges: it belongs to no unit, so it may end any unit's round.
        if fate < 0.04:
            return self.act(ticket, operator, "forward", self.later(t, 10, 90), forwarded_to="区市场监管局")
        if fate < 0.08:
            parent = self.open_twin(ticket)
            if parent is not None:
                return intake.merge(actor=operator, child=ticket, parent=parent, reason="演示：重复诉求", now=self.later(t, 10, 60))
        if fate < 0.11:
            return self.act(ticket, self.cast.operator(), "withdraw", self.later(t, 30, 600), reason="居民自行解决，申请撤单")
        if ticket.state == State.SUBMITTED:
            if fate > 0.8:
                return ticket  # still waiting for a dispatcher
            t = self.later(t, 5, 60)
            self.act(ticket, staff, "dispatch", t, org=self.rng.choice(self.departments))
        handler = self.cast.handler(ticket.handling_org)
        t = self.later(t, 10, 200)
        self.act(ticket, handler, "accept", t)
        if fate < 0.13:
            return self.act(ticket, self.cast.checker(ticket, secretary=True), "close_unresolvable", self.later(t, 600, 4000), reason="涉及产权纠纷，需走司法程序")
        t = self.later(t, 10, 120)
        self.act(ticket, handler, "start", t)
        if self.rng.random() < 0.15:
            transitions.urge(actor=staff, ticket=ticket, reason="居民再次来电催促", now=min(self.later(t, 60, 900), self.now))
        if fate < 0.17:
            t = self.later(t, 60, 600)
            self.act(ticket, handler, "request_suspension", t, reason="等待配件到货")
            t = self.later(t, 10, 120)
            self.act(ticket, self.cast.checker(ticket), "suspend", t, reason="同意：等待配件到货")
            t = self.later(t, 1440, 4 * 1440)
            self.act(ticket, self.cast.checker(ticket), "resume", t)
        t = self.later(t, 120, 5 * 1440)
        self.act(ticket, handler, "resolve", t, reason="已处理完毕")
        t = self.later(t, 60, 2 * 1440)
        self.act(ticket, self.cast.checker(ticket, secretary=True), "verify", t)
        t = self.later(t, 60, 3 * 1440)
        if t > self.now or fate > 0.9:
            return ticket  # not called back yet (older ones expire as not rated below)
        self.callback(ticket, t, unhappy=fate < 0.25)

    def callback(self, ticket, t, *, unhappy):
        if unhappy:
            callbacks.record_callback(
                actor=self.cast.operator(), ticket=ticket, solved=False, satisfaction=Satisfaction.UNSATISFIED,
                comment="问题没有解决", reopen=True, now=t,
            )
            return
        satisfaction = self.rng.choices([Satisfaction.SATISFIED, Satisfaction.BASIC], weights=[85, 15])[0]
        callbacks.record_callback(actor=self.cast.operator(), ticket=ticket, solved=True, satisfaction=satisfaction, now=t)

    def whistle(self, days_ago, *, report_late):
        ticket = self.file("illegal-building", self.moment(days_ago))
        if ticket.state not in OPEN_STATES:
            return None
        blown_at = self.later(ticket.created_at, 60, 600)
        whistle = whistles.blow(
            actor=self.cast.secretary(), community=self.community, kind=self.rng.choice(WhistleCall.Kind.values), title="违章搭建联合整治",
            reason="多次劝导无效，需执法部门到场", tickets=[ticket], departments=self.departments[:2], now=blown_at,
        )
        for summons in whistle.summons.all():
            officer = self.cast.handler(summons.department)
            at = whistle.report_due + datetime.timedelta(hours=5) if report_late else self.later(blown_at, 20, 50)
            if at <= self.now:
                whistles.report_in(actor=officer, summons=summons, on_site=True, actions="已到现场核查", now=at)
                whistles.rate_summons(actor=self.cast.secretary(), summons=summons, rating=3 if report_late else 5, now=at)
        return whistle


class _Later(Exception):
    """The next step of a demo ticket would fall after `now`."""


def seed_demo_tickets(community, *, count=300, now=None, seed=2026):
    """Create `count` demo tickets (plus a few whistles) in `community`; returns how many
    tickets were made (0 when the community already has demo tickets or no residents)."""
    if Ticket.objects.filter(community=community, is_demo=True).exists():
        return 0
    now = now or clock.now()
    seeder = Seeder(community, now=now, rng=random.Random(seed))
    if not seeder.residents:
        return 0
    # Oldest first, so merges find earlier open tickets and callbacks follow verification.
    # More recent than old (x^1.5 skews toward now), so the open states are well represented.
    ages = sorted((0.05 + DEMO_DAYS * seeder.rng.random() ** 1.5 for _ in range(count)), reverse=True)
    made = 0
    for days_ago in ages:
        try:
            seeder.one(days_ago)
            made += 1
        except DomainError:
            continue  # a demo step the rules refuse is skipped, as a real user would be refused
    for days_ago, late in ((40, False), (25, True), (10, False), (0.02, False)):
        seeder.whistle(days_ago, report_late=late)
    whistles.flag_unreported(now)
    callbacks.expire_unrated(now)
    return made
