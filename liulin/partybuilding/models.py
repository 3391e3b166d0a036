"""党建引领惠邻: partner units' agreements and their 五联 activities, the three lists (needs,
resources, projects) with two-way claiming, in-service party members' 双报到 and service
records, and residents' 微心愿.

Every "one per" and capacity rule is a database constraint; the services add conditional
updates so a race is lost cleanly (docs/partybuilding.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.chain import ChainedEvent


class Partnership(models.Model):
    """A partner unit's agreement with a community (共建协议), made when the unit reports in
    (单位报到) and given a receipt number."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("共建单位"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("社区"))
    scope = models.TextField(_("共建内容"), max_length=2000)
    liaison = models.CharField(_("联络人"), max_length=32)
    starts_on = models.DateField(_("协议开始"))
    ends_on = models.DateField(_("协议结束"))
    receipt_no = models.CharField(_("报到回执号"), max_length=32, unique=True)
    reported_at = models.DateTimeField(_("报到时间"), default=clock.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("共建协议")
        verbose_name_plural = verbose_name
        ordering = ["community_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "community"], name="pb_partnership_one_per_community"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="pb_partnership_term_order"),
        ]

    def __str__(self):
        return f"{self.org} · {self.community}"


class LinkKind(models.Model):
    """A 五联 dimension (组织联建、活动联办、人才联育、资源联用、难题联解): configurable data."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("五联方式")
        verbose_name_plural = verbose_name
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class LinkActivity(models.Model):
    """One 五联 record: an activity held with a partner unit under one dimension."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="activities", verbose_name=_("共建协议"))
    kind = models.ForeignKey(LinkKind, on_delete=models.PROTECT, related_name="activities", verbose_name=_("五联方式"))
    title = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("日期"))
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    participant_names = models.TextField(_("参与人员"), max_length=2000, blank=True)
    description = models.TextField(_("内容"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("五联活动")
        verbose_name_plural = verbose_name
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class Category(models.TextChoices):
    """Service categories: for needs, resources, posts of members, and wishes."""

    POLICY = "policy", _("政策宣传")
    ENVIRONMENT = "environment", _("环境整治")
    CARE = "care", _("关爱帮扶")
    PATROL = "patrol", _("治安巡逻")
    CIVILITY = "civility", _("文明劝导")
    OTHER = "other", _("其他")


class Need(models.Model):
    """需求清单: what residents need, raised by a resident, a grid worker or staff, or from a
    雷锋哨 work order (its id kept in `source_ticket_id`)."""

    class Source(models.TextChoices):
        RESIDENT = "resident", _("居民提出")
        GRID = "grid", _("网格员收集")
        STAFF = "staff", _("社区提出")
        TICKET = "ticket", _("雷锋哨工单")

    class State(models.TextChoices):
        OPEN = "open", _("待认领")
        MATCHED = "matched", _("已认领")
        MET = "met", _("已解决")
        WITHDRAWN = "withdrawn", _("已撤回")

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    grid = models.ForeignKey("territory.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    title = models.CharField(_("需求"), max_length=100)
    description = models.TextField(_("说明"), max_length=4000, blank=True)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices, default=Category.CARE)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    source_ticket_id = models.PositiveBigIntegerField(_("来源工单"), null=True, blank=True, unique=True)
    beneficiary = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("受益居民"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=clock.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("需求清单")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="pb_need_community_state")]
        constraints = [
            models.CheckConstraint(condition=~Q(source="ticket") | Q(source_ticket_id__isnull=False), name="pb_need_ticket_source_has_ticket"),
        ]

    def __str__(self):
        return self.title


class Resource(models.Model):
    """资源清单: what a partner unit (or one of its members) offers, with a capacity: how many
    needs it can serve. `used` counts the projects it serves; never above capacity."""

    class Kind(models.TextChoices):
        VENUE = "venue", _("场地")
        SKILL = "skill", _("技能")
        FUNDS = "funds", _("资金")
        VOLUNTEERS = "volunteers", _("志愿者")
        GOODS = "goods", _("物资")

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="pb_resources", verbose_name=_("提供单位"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    kind = models.CharField(_("资源类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("资源"), max_length=100)
    description = models.TextField(_("说明"), max_length=4000, blank=True)
    capacity = models.PositiveIntegerField(_("可服务次数"), default=1)
    used = models.PositiveIntegerField(_("已使用"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("资源清单")
        verbose_name_plural = verbose_name
        ordering = ["org_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(used__lte=F("capacity")), name="pb_resource_within_capacity"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="pb_resource_capacity_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def remaining(self):
        return self.capacity - self.used


class Project(models.Model):
    """项目清单: a need matched with a unit (and perhaps one of its resources), with an owner,
    a plan and dates. One live project per need (a unique constraint over the live states):
    two units cannot both claim one need."""

    class Origin(models.TextChoices):
        CLAIMED = "claimed", _("单位认领")
        ASSIGNED = "assigned", _("社区派单")

    class State(models.TextChoices):
        PLANNED = "planned", _("已立项")
        IN_PROGRESS = "in_progress", _("实施中")
        DELIVERED = "delivered", _("待确认")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="projects", verbose_name=_("需求"))
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="pb_projects", verbose_name=_("实施单位"))
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="projects", verbose_name=_("资源"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    origin = models.CharField(_("方式"), max_length=16, choices=Origin.choices)
    owner_name = models.CharField(_("负责人"), max_length=32)
    plan = models.TextField(_("实施计划"), max_length=4000, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("计划完成"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PLANNED)
    result = models.TextField(_("实施结果"), max_length=4000, blank=True)
    volunteers_needed = models.PositiveSmallIntegerField(_("需要报到党员人数"), default=0)
    volunteers = models.PositiveSmallIntegerField(_("已报名党员"), default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    LIVE = ("planned", "in_progress", "delivered", "completed")

    class Meta:
        verbose_name = _("项目清单")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["need"], condition=~Q(state="cancelled"), name="pb_project_one_live_per_need"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="pb_project_dates_order"),
            models.CheckConstraint(condition=Q(volunteers__lte=F("volunteers_needed")), name="pb_project_volunteers_within_need"),
        ]

    def __str__(self):
        return f"{self.need} · {self.org}"


class Registration(models.Model):
    """双报到 of an in-service party member: he reports to the community where he lives, his
    employer's party organisation (a partner unit) confirms him, and he chooses posts."""

    class State(models.TextChoices):
        PENDING = "pending", _("待单位确认")
        CONFIRMED = "confirmed", _("已报到")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已退出")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pb_registrations", verbose_name=_("党员账号"))
    name = models.CharField(_("姓名"), max_length=32)
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("报到社区"))
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="pb_registrations", verbose_name=_("所在单位党组织"))
    posts = models.JSONField(_("认领岗位"), default=list)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    registered_at = models.DateTimeField(default=clock.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("在职党员报到")
        verbose_name_plural = verbose_name
        ordering = ["org_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community"], condition=Q(state__in=["pending", "confirmed"]), name="pb_registration_one_live_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.org}"


class ServiceRecord(models.Model):
    """One service a registered member gave, with photo and the beneficiary's (or a grid
    worker's) confirmation. Minutes, not hours: integers only."""

    class State(models.TextChoices):
        LOGGED = "logged", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("未确认")

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="services", verbose_name=_("报到党员"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("岗位"), max_length=16, choices=Category.choices)
    served_on = models.DateField(_("服务日期"))
    minutes = models.PositiveIntegerField(_("时长（分钟）"))
    description = models.TextField(_("服务内容"), max_length=2000)
    beneficiary = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务对象"))
    wish = models.ForeignKey("Wish", null=True, blank=True, on_delete=models.PROTECT, related_name="services")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="services")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.LOGGED)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = verbose_name
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1, minutes__lte=24 * 60), name="pb_service_minutes_in_a_day"),
        ]

    def __str__(self):
        return f"{self.registration} · {self.served_on}"


class Wish(models.Model):
    """微心愿: a small wish of an elder or a child, collected by a grid worker or staff,
    reviewed, published, claimed by one member or jointly by up to `capacity`, delivered with
    proof and confirmed by the beneficiary. `claimed` never exceeds `capacity` (constraint)."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("物品")
        SERVICE = "service", _("服务")
        STUDY = "study", _("学习")
        COMPANY = "company", _("陪伴")

    class State(models.TextChoices):
        COLLECTED = "collected", _("待审核")
        PUBLISHED = "published", _("待认领")
        CLAIMED = "claimed", _("已认领")
        DELIVERED = "delivered", _("待确认")
        FULFILLED = "fulfilled", _("已实现")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    grid = models.ForeignKey("territory.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    title = models.CharField(_("心愿"), max_length=100)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    beneficiary = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("心愿人"))
    beneficiary_label = models.CharField(_("公开称呼"), max_length=32, help_text=_("公开页只显示此称呼，例如“独居老人”"))
    capacity = models.PositiveSmallIntegerField(_("认领人数"), default=1)
    claimed = models.PositiveSmallIntegerField(_("已认领人数"), default=0)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.COLLECTED)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    published_at = models.DateTimeField(null=True, blank=True)
    raised_at = models.DateTimeField(_("提请社区时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    story = models.TextField(_("心愿故事"), max_length=2000, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="pb_wish_community_state")]
        constraints = [
            models.CheckConstraint(condition=Q(claimed__lte=F("capacity")), name="pb_wish_claims_within_capacity"),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=10), name="pb_wish_capacity_range"),
        ]

    def __str__(self):
        return self.title


class WishClaim(models.Model):
    """One member's claim of a wish: once per member per wish."""

    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="claims")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="wish_claims")
    claimed_at = models.DateTimeField(default=clock.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("心愿认领")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["wish", "registration"], name="pb_wish_claim_once_per_member")]

    def __str__(self):
        return f"{self.wish_id} · {self.registration_id}"


class ProjectMember(models.Model):
    """A registered member who took a task on a project (认领任务): once per member per
    project, never more than the project asks for."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="members")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="project_tasks")
    joined_at = models.DateTimeField(default=clock.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("项目认领党员")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["project", "registration"], name="pb_project_member_once")]

    def __str__(self):
        return f"{self.project_id} · {self.registration_id}"


class Evaluation(models.Model):
    """The community's annual evaluation of a registered member."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("合格")
        POOR = "poor", _("不合格")

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("评定"), max_length=16, choices=Grade.choices)
    comment = models.TextField(_("评语"), max_length=2000, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evaluated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("年度评议")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["registration", "year"], name="pb_evaluation_once_a_year")]

    def __str__(self):
        return f"{self.registration} · {self.year}"


class ReportDispatch(models.Model):
    """A quarter's reports sent to a unit's party organisation: from the unit's page by a
    person (`sent_by`), or by the periodic job in the first days after the quarter ends
    (`automatic`), which sends each unit's quarter once: its row is the claim, under a unique
    constraint, so a second run or another node sends nothing."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("共建单位"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    members = models.PositiveIntegerField(_("报告党员人数"), default=0)
    automatic = models.BooleanField(_("自动发送"), default=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("发送时间"), default=clock.now)

    class Meta:
        verbose_name = _("季度报告发送记录")
        verbose_name_plural = verbose_name
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="pb_dispatch_quarter_range"),
            models.UniqueConstraint(fields=["org", "year", "quarter"], condition=Q(automatic=True), name="pb_dispatch_automatic_once"),
        ]

    def __str__(self):
        return f"{self.org_id} · {self.year} Q{self.quarter}"


# --- events: every state change, hash-chained per subject (core.chain) ---------------------


class _Event(ChainedEvent):
    hashed_fields = ("from_state", "to_state", "reason")

    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        abstract = True


class NeedEvent(_Event):
    subject_field = "need"
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["need_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["need", "seq"], name="pb_need_event_seq_unique")]


class ProjectEvent(_Event):
    subject_field = "project"
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["project_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="pb_project_event_seq_unique")]


class WishEvent(_Event):
    subject_field = "wish"
    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["wish_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["wish", "seq"], name="pb_wish_event_seq_unique")]


class RegistrationEvent(_Event):
    subject_field = "registration"
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["registration_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["registration", "seq"], name="pb_registration_event_seq_unique")]


class ServiceEvent(_Event):
    subject_field = "service"
    service = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["service_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["service", "seq"], name="pb_service_event_seq_unique")]
