"""雷锋哨 work orders.

A Ticket moves through the states of `workflow.py`; every move, comment, urging and
callback is a TicketEvent, hash-chained per ticket so tampering shows. Deadlines come from
the category's time-limit policy for the ticket's urgency, counted on the work calendar.
"""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.chain import ChainedEvent


class ResponsibleKind(models.TextChoices):
    PROPERTY = "property_company", _("物业公司")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("职能部门")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("紧急")
    NORMAL = "normal", _("一般")
    COMPLEX = "complex", _("复杂")


class Tier(models.IntegerChoices):
    GRID = 1, _("网格")
    COMMUNITY = 2, _("社区")
    WHISTLE = 3, _("吹哨")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("热线电话")
    SELF_SERVICE = "self_service", _("居民自助")
    GRID_PATROL = "grid_patrol", _("网格巡查")
    API = "api", _("接口")
    OPEN311 = "open311", "Open311"
    DELIBERATION = "deliberation", _("议事结果")
    PROACTIVE = "proactive", _("未诉先办")
    HOUSING = "housing", _("公寓验房")
    PROPERTY = "property", _("物业监督")


class State(models.TextChoices):
    SUBMITTED = "submitted", _("已下单")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已接单")
    IN_PROGRESS = "in_progress", _("处理中")
    SUSPENDED = "suspended", _("挂起")
    RESOLVED = "resolved", _("已办结")
    VERIFIED = "verified", _("已核单")
    CLOSED = "closed", _("已回访")
    FORWARDED = "forwarded", _("非职责已转出")
    MERGED = "merged", _("重复已合并")
    WITHDRAWN = "withdrawn", _("已撤单")
    UNRESOLVABLE = "unresolvable", _("无法办理")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    NOT_RATED = "not_rated", _("未评价")


class SlaPolicy(models.Model):
    """A time limit: how long to accept and to resolve, counted in working or calendar time."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    accept_minutes = models.PositiveIntegerField(_("接单时限（分钟）"))
    resolve_minutes = models.PositiveIntegerField(_("办结/反馈时限（分钟）"))
    working_time = models.BooleanField(_("按工作时间计"), default=True, help_text=_("否则按自然时间连续计算"))
    remind_before_minutes = models.PositiveIntegerField(_("到期前提醒（分钟）"), default=60)
    escalate_on_breach = models.BooleanField(
        _("超时自动升级"), default=True, help_text=_("办结超时，或接单超时超过宽限仍未接单，自动上升一个层级（网格→社区→吹哨）")
    )
    # Data, not code: communities differ in how long a missed acceptance may wait for the
    # next tier. Counted in calendar minutes from the accept deadline; empty = only flag.
    accept_escalate_after_minutes = models.PositiveIntegerField(
        _("接单超时升级宽限（分钟）"), null=True, blank=True, default=60,
        help_text=_("接单超时后仍未接单，再过这么久自动升级一个层级；留空则只标记超时"),
    )

    class Meta:
        verbose_name = _("时限标准")
        verbose_name_plural = verbose_name
        ordering = ["accept_minutes"]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A node of the category tree (物业服务/电梯故障 ...). Children inherit what they leave empty."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级"))
    code = models.SlugField(_("代码"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    responsible_kind = models.CharField(_("默认责任方"), max_length=32, choices=ResponsibleKind.choices, blank=True)
    responsible_org = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("指定责任部门")
    )
    keywords = models.CharField(_("关键词"), max_length=255, blank=True, help_text=_("以空格或逗号分隔，用于自动分类与派单"))
    verify_org = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("核单部门"),
        help_text=_("办结后由该协同治理部门核单；不填则沿用上级类别，仍为空时由社区核单"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = verbose_name
        ordering = ["sort", "code"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name")]

    def __str__(self):
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name

    def lineage(self):
        """This category and its parents, nearest first (at most 16: a deeper tree is a loop)."""
        chain, node = [], self
        while node is not None and len(chain) < 16:
            chain.append(node)
            node = node.parent
        return chain


class CategoryPolicy(models.Model):
    """Which time limit applies to a category at an urgency (inherited down the tree)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="policies")
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("类别时限")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["category", "urgency"], name="category_policy_unique")]

    def __str__(self):
        return f"{self.category} · {self.get_urgency_display()} · {self.policy}"


class RoutingRule(models.Model):
    """Category and keywords (any of them found in the description) -> responsible unit."""

    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    community = models.ForeignKey(
        "territory.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("适用社区")
    )
    keywords = models.CharField(_("关键词"), max_length=255, blank=True)
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("责任单位"))
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100, help_text=_("数字小者优先"))

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = verbose_name
        ordering = ["priority", "id"]

    def __str__(self):
        return f"{self.category or '全部类别'} {self.keywords} → {self.org}"


class CareUrgencyRule(models.Model):
    """A vulnerable requester raises the urgency: a resident with this care tag (独居老人,
    高龄, 残疾 ...) asking about this category (or one under it) is handled at least at this
    urgency. Applied at intake (services.intake.care_urgency) for every channel that names
    the requester."""

    care_tag = models.ForeignKey("people.CareTag", on_delete=models.CASCADE, related_name="+", verbose_name=_("关爱标签"))
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="care_rules", verbose_name=_("诉求类别"))
    urgency = models.CharField(_("至少按"), max_length=16, choices=Urgency.choices, default=Urgency.EMERGENCY)

    class Meta:
        verbose_name = _("关爱对象紧急程度")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["care_tag", "category"], name="care_urgency_rule_unique")]

    def __str__(self):
        return f"{self.care_tag} · {self.category} → {self.get_urgency_display()}"


class Landmark(models.Model):
    """A place callers name that is not a building: a park, a hall, a station, a road
    (同心公园, 初心讲堂, 中传路). Free-text addresses are located against these, besides
    estates, buildings and facilities (routing.locate_address). Without a grid the landmark
    places a request in its community only (a road crossing several grids)."""

    community = models.ForeignKey(
        "territory.Area", on_delete=models.CASCADE, related_name="+", limit_choices_to={"kind": "community"}, verbose_name=_("社区")
    )
    name = models.CharField(_("名称"), max_length=64)
    aliases = models.CharField(_("别称"), max_length=255, blank=True, help_text=_("以空格或逗号分隔"))
    grid = models.ForeignKey(
        "territory.Grid", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("所在网格"),
        help_text=_("跨网格的道路等不填，只定位到社区"),
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("地标")
        verbose_name_plural = verbose_name
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="landmark_unique_name_per_community")]

    def __str__(self):
        return self.name

    def names(self):
        """The name and every alias."""
        return [self.name, *(word for word in re.split(r"[\s,，、;；]+", self.aliases) if word)]


# The open states after dispatch (selectors.WORKLIST_STATES): the condition of the partial
# indexes that worklists and boards read. Written out here, as a migration needs it; a test
# keeps the two the same.
OPEN_AFTER_DISPATCH = models.Q(state__in=["dispatched", "accepted", "in_progress", "suspended", "resolved"])
# The ticket's columns through which users reach it (core.permissions scope terms), with the
# short names of their indexes.
SCOPE_COLUMNS = (("handling_org", "org"), ("verify_org", "verifier"), ("grid", "grid"), ("community", "community"), ("building", "building"))
# Those a ticket may lack (no unit yet, no verifying department, no building). A scope term
# asks for `column = x` or `column IN (...)`, which no NULL matches, so their indexes hold
# only the tickets that have one.
OPTIONAL_SCOPE_COLUMNS = ("handling_org", "verify_org", "building")
# Links most tickets lack (a resident record, an app account, a household, a merged
# ticket's parent): indexed only where set, so a ticket without one writes no index entry.
SPARSE_LINKS = ("requester", "requester_user", "household", "parent")


def _where_set(column, condition=None):
    """`condition`, and `column IS NOT NULL` where a ticket may lack the column's value."""
    if column not in OPTIONAL_SCOPE_COLUMNS and column not in SPARSE_LINKS:
        return condition
    is_set = models.Q(**{f"{column}__isnull": False})
    return is_set if condition is None else condition & is_set


# What a worklist segment filters on besides the deadline (selectors._segments).
WORKLIST_FLAGS = ["resolve_overdue", "accept_overdue"]
# Open tickets waiting for a supervisor: a suspension to approve or a resolution to verify.
AWAITING_DECISION = OPEN_AFTER_DISPATCH & (models.Q(suspension_requested=True) | models.Q(state="resolved"))


class Ticket(models.Model):
    # Unique by Meta.constraints, and `state` indexed by Meta.indexes: on PostgreSQL a unique
    # or indexed CharField gets a second, LIKE-pattern index, which no query here needs.
    number = models.CharField(_("工单号"), max_length=24)
    client_request_id = models.CharField(max_length=64, null=True, blank=True, editable=False)
    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("类别"))
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.TextField(_("诉求内容"), max_length=4000)
    # Asked at filing (default by channel: intake.publish_by_default). Without it the public
    # outputs show no word of the description; with it, the redacted text (whistle.publication).
    publish_description = models.BooleanField(_("同意公开诉求内容"), default=False)

    # Who asked. A hotline caller may not be a registered resident.
    # Indexed where set (Meta.indexes, SPARSE_LINKS), as are the household and the parent.
    requester = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("诉求人"),
        db_index=False,
    )
    requester_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="requested_tickets",
        db_index=False,
    )
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="filed_tickets"
    )
    call_started_at = models.DateTimeField(null=True, blank=True)
    call_ended_at = models.DateTimeField(null=True, blank=True)

    # Where. The grid and community are derived at intake and drive scoping.
    household = models.ForeignKey("territory.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    building = models.ForeignKey("territory.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    address = models.CharField(_("地点"), max_length=128, blank=True)
    # The address could not be located (routing.locate_address): filed to the community tier
    # for a dispatcher, on the community's first grid until someone places it.
    needs_location = models.BooleanField(_("待定位"), default=False)
    # The scope columns' indexes are composite (Meta.indexes: "..._filed").
    grid = models.ForeignKey("territory.Grid", on_delete=models.PROTECT, related_name="tickets", db_index=False)
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="tickets", db_index=False)

    # Who handles it, at which tier.
    handling_org = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("承办单位"),
        db_index=False,
    )
    verify_org = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets_to_verify", verbose_name=_("核单部门"),
        db_index=False,
    )
    forwarded_to = models.CharField(_("转交单位"), max_length=100, blank=True)
    tier = models.PositiveSmallIntegerField(_("层级"), choices=Tier.choices, default=Tier.GRID)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.SUBMITTED)
    state_before_suspension = models.CharField(max_length=16, choices=State.choices, blank=True)
    suspension_requested = models.BooleanField(default=False)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", db_index=False)

    # Time limits (recomputed at each step; a suspension moves them by the paused time).
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="+")
    accept_due = models.DateTimeField(null=True, blank=True)
    resolve_due = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    accept_overdue = models.BooleanField(default=False)
    resolve_overdue = models.BooleanField(default=False)
    reminded = models.BooleanField(default=False)
    accept_escalated = models.BooleanField(default=False)  # this round's accept breach has raised the tier

    created_at = models.DateTimeField(default=clock.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    urge_count = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    cosign_count = models.PositiveIntegerField(default=0)
    solved = models.BooleanField(null=True)
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices, blank=True)

    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state"], name="ticket_state"),
            # Worklists, one per way a user reaches tickets: the open tickets of a unit, grid,
            # community or building in deadline order, so a page (deep ones too) reads 26 entries.
            # The overdue flags ride along, so the worklist's segments (overdue, on time) are
            # read from the index alone: a property company's sixteen buildings' overdue
            # segment visited 1,529 table pages for 1,126 rows (5.0 ms), now 0.7 ms.
            *(
                models.Index(
                    fields=[key, "resolve_due", "id"],
                    name=f"ticket_{label}_worklist",
                    condition=_where_set(key, OPEN_AFTER_DISPATCH),
                    include=WORKLIST_FLAGS,
                )
                for key, label in SCOPE_COLUMNS
            ),
            # Lists in filing order (the ticket list API, newest first), one per way a user
            # reaches tickets. They replace the plain foreign-key indexes (which serve the same
            # lookups); the state rides along so a filtered list is read from the index alone:
            # a community's last page of open tickets read 4 million rows of the city's
            # created_at index (12 s at 5 million tickets), now its own 13,000.
            *(
                models.Index(fields=[key, "created_at", "id"], name=f"ticket_{label}_filed", include=["state"], condition=_where_set(key))
                for key, label in SCOPE_COLUMNS
            ),
            *(models.Index(fields=[link], name=f"ticket_{link}", condition=_where_set(link)) for link in SPARSE_LINKS),
            # Wide scopes (a district, the city) read their worklist in deadline order from here.
            models.Index(fields=["resolve_due", "id"], name="ticket_open_by_due", condition=OPEN_AFTER_DISPATCH),
            # The supervisor board's "most urged": the few open tickets someone has urged.
            models.Index(
                fields=["-urge_count", "resolve_due", "id"],
                name="ticket_open_urged",
                condition=OPEN_AFTER_DISPATCH & models.Q(urge_count__gt=0),
            ),
            # The board's "awaiting approval or verification", about one open ticket in ten:
            # in deadline order city-wide (wide scopes find theirs early) and per community.
            models.Index(fields=["resolve_due", "id"], name="ticket_open_pending", condition=AWAITING_DECISION),
            models.Index(fields=["community", "resolve_due", "id"], name="ticket_community_pending", condition=AWAITING_DECISION),
            # The deadline sweep's candidates: clocks still running and not yet flagged. Partial,
            # so a pass reads the tickets whose moment may have come, not every overdue one.
            models.Index(
                fields=["accept_due"], name="ticket_accept_running", condition=models.Q(state="dispatched", accept_overdue=False)
            ),
            models.Index(
                fields=["resolve_due"],
                name="ticket_resolve_running",
                condition=models.Q(state__in=["dispatched", "accepted", "in_progress"], resolve_overdue=False),
            ),
            # Reminders: the same, less the tickets already reminded (most of a reminder window),
            # by policy first: a reminder check reads its lead time's policies only. By deadline
            # alone, the seven-hour window's check read 2,350 tickets of other policies from the
            # table to filter them out: 32 ms of a pass when those pages were not cached, now
            # 0.03 ms.
            models.Index(
                fields=["policy", "accept_due"],
                name="ticket_accept_unreminded",
                condition=models.Q(state="dispatched", accept_overdue=False, reminded=False),
            ),
            models.Index(
                fields=["policy", "resolve_due"],
                name="ticket_resolve_unreminded",
                condition=models.Q(state__in=["accepted", "in_progress"], resolve_overdue=False, reminded=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="ticket_number_unique"),
            models.UniqueConstraint(fields=["client_request_id"], name="ticket_client_request_id_unique"),
            models.CheckConstraint(
                name="ticket_dispatched_has_unit",
                condition=models.Q(state__in=["submitted", "merged", "withdrawn", "forwarded", "unresolvable"])
                | models.Q(handling_org__isnull=False),
            ),
        ]

    def __str__(self):
        return self.number


class TicketEvent(ChainedEvent):
    """One step in a ticket's life, chained per ticket (core.chain): `hash` covers the previous
    event's hash, so the chain of a ticket breaks visibly if any stored event is altered or
    removed."""

    subject_field = "ticket"
    hashed_fields = ("from_state", "to_state", "reason", "internal")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)
    internal = models.BooleanField(default=False, help_text=_("内部备注，居民看不到"))

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = verbose_name
        ordering = ["ticket_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["ticket", "seq"], name="ticket_event_seq_unique")]
        indexes = [models.Index(fields=["action", "at"], name="ticket_event_action_at")]

    def __str__(self):
        return f"{self.ticket_id}#{self.seq} {self.action}"


class CoSign(models.Model):
    """"Me too": another resident affected by the same problem."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="cosigns")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="cosign_once")]

    def __str__(self):
        return f"{self.ticket_id} +1"


class Callback(models.Model):
    """回访: the requester's verdict, by phone (operator) or self-service."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        SELF = "self", _("居民自评")
        TIMEOUT = "timeout", _("逾期未评价")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="callbacks")
    round = models.PositiveSmallIntegerField(help_text=_("第几轮办理（重办后加一）"))
    method = models.CharField(max_length=16, choices=Method.choices)
    solved = models.BooleanField(null=True)
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["ticket", "round"], name="one_callback_per_round")]

    def __str__(self):
        return f"{self.ticket_id} 第{self.round}轮 {self.get_satisfaction_display()}"


class WhistleCall(models.Model):
    """吹哨 (a whistle blown): the community summons departments to a problem it cannot settle
    alone. Not named `Whistle`: that is the app."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("应急处置")
        PROGRESS = "progress", _("工作推进")
        HARD = "hard", _("疑难问题")

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="whistles")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("事由"), max_length=100)
    reason = models.TextField(_("情况说明"), blank=True)
    tickets = models.ManyToManyField(Ticket, related_name="whistles", verbose_name=_("工单"))
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    blown_at = models.DateTimeField(default=clock.now)
    report_due = models.DateTimeField(_("报到时限"))

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = verbose_name
        ordering = ["-blown_at"]

    def __str__(self):
        return self.title


class Summons(models.Model):
    """One department called by a whistle: its report-in, actions, verification and rating."""

    whistle = models.ForeignKey(WhistleCall, on_delete=models.CASCADE, related_name="summons")
    department = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="summons")
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on_site = models.BooleanField(null=True)
    actions = models.TextField(_("处置情况"), blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(_("逾期未报到"), default=False)
    rating = models.PositiveSmallIntegerField(_("社区评价"), null=True, blank=True, help_text=_("1–5 星"))
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("报到")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["whistle", "department"], name="summons_once_per_department"),
            models.CheckConstraint(name="summons_rating_range", condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5)),
        ]

    def __str__(self):
        return f"{self.whistle_id} {self.department}"


# ---------------------------------------------------------------------------------------
# KPI rollups (三率 and friends), kept by whistle/rollups.py in the same transaction that
# appends a ticket event. See docs/kpi.md for what each counter means.
# ---------------------------------------------------------------------------------------


class KpiRollup(models.Model):
    """Additive KPI counters for one month and one cell of (community, grid, category,
    handling unit). Every KPI for any period, area, unit or category is a SUM over rows.

    Three grains hold the same events at three resolutions, so large areas read few rows:
    ``grid`` rows carry the grid; ``community`` rows have grid_key 0 (all grids of the
    community) and are what unit and category figures sum; ``area`` rows also have
    category_key and org_key 0, one row per community and month, and are what the totals of
    a district or the city sum. Keys are plain integers (0 = none / all) so the unique key
    has no NULLs and one INSERT ... ON CONFLICT upserts.
    """

    class Grain(models.TextChoices):
        GRID = "grid", _("网格")
        COMMUNITY = "community", _("社区")
        AREA = "area", _("社区合计")

    grain = models.CharField(max_length=12, choices=Grain.choices)
    month = models.DateField(help_text=_("当月第一天（北京时间）"))
    area_path = models.CharField(max_length=255, help_text=_("社区的路径，用于按区、街道前缀汇总与授权"))
    community_key = models.BigIntegerField()
    grid_key = models.BigIntegerField(default=0)
    category_key = models.BigIntegerField()
    org_key = models.BigIntegerField(default=0, help_text=_("承办单位 id；0 为尚无承办单位"))

    filed = models.BigIntegerField(default=0)
    dispatched = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    accepted_in_time = models.BigIntegerField(default=0)
    accept_minutes_sum = models.BigIntegerField(default=0)
    resolved = models.BigIntegerField(default=0)
    resolved_in_time = models.BigIntegerField(default=0)
    resolve_minutes_sum = models.BigIntegerField(default=0)
    callbacks = models.BigIntegerField(default=0)
    callbacks_valid = models.BigIntegerField(default=0)
    callbacks_solved = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    satisfied = models.BigIntegerField(default=0)
    basic = models.BigIntegerField(default=0)
    unsatisfied = models.BigIntegerField(default=0)
    urges = models.BigIntegerField(default=0)
    reopens = models.BigIntegerField(default=0)
    escalations = models.BigIntegerField(default=0)
    closed_grid = models.BigIntegerField(default=0)
    closed_community = models.BigIntegerField(default=0)
    closed_whistle = models.BigIntegerField(default=0)
    merged = models.BigIntegerField(default=0)
    withdrawn = models.BigIntegerField(default=0)
    forwarded = models.BigIntegerField(default=0)
    unresolvable = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("考核汇总")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "month", "community_key", "grid_key", "category_key", "org_key"], name="kpi_rollup_cell"
            ),
        ]
        indexes = [
            models.Index(fields=["grain", "org_key", "month"], name="kpi_rollup_org"),
            models.Index(fields=["grain", "grid_key", "month"], name="kpi_rollup_grid"),
            models.Index(fields=["grain", "month", "area_path"], name="kpi_rollup_area"),
            # A district's or subdistrict's rows by path prefix (LIKE 'p%' needs the pattern
            # operators on PostgreSQL under a non-C collation; other databases ignore them).
            models.Index(
                fields=["grain", "area_path", "month"],
                name="kpi_rollup_area_prefix",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.grain} {self.month:%Y-%m} c{self.community_key} g{self.grid_key} k{self.category_key} o{self.org_key}"


class Intake(models.Model):
    """A filing accepted into the intake queue (`POST /api/v1/tickets/intake`): stored at once
    with one insert and answered 202, then filed by `manage.py drain_intake` in batches,
    through the same checks, routing, deadlines and events as a direct filing. The caller
    follows it at `GET /api/v1/tickets/intake/{id}`: queued, then filed (the ticket with the
    same client_request_id) or rejected (with the error a direct filing would have answered)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        FILED = "filed", _("已生成工单")
        REJECTED = "rejected", _("未受理")

    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_request_id = models.CharField(max_length=64)  # unique: Meta.constraints, as Ticket's
    channel = models.CharField(max_length=16, choices=Channel.choices)
    payload = models.JSONField(help_text=_("提交的诉求字段（与直接提交相同）"))
    received_at = models.DateTimeField(default=clock.now)
    # Filed: the ticket is the one with this client_request_id (its unique column links them).
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error_code = models.CharField(max_length=48, blank=True)
    error_detail = models.CharField(max_length=255, blank=True)
    error_field = models.CharField(max_length=48, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("排队受理的诉求")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["client_request_id"], name="intake_client_request_id_unique")]
        indexes = [
            # What the drain claims next: the queued rows alone, oldest first.
            models.Index(fields=["received_at", "id"], name="intake_queued", condition=models.Q(status="queued")),
        ]

    def __str__(self):
        return self.client_request_id
