"""The 55 青年人才公寓: apartments, rounds of applications with their eligibility rules as data,
applications and their documents, the public lottery, offers, leases, invoices and
move-in / move-out inspections.

Invariants the database keeps:
- one live lease per apartment at a time (a unique constraint on the apartment over the
  pending and active leases), and one live application per person per round;
- a lease's term is 1 to 60 months (≤ 5 years), its rent and deposit are non-negative fen;
- one outstanding offer per apartment; one invoice per lease and month;
- one published draw per round (earlier draws are kept, superseded, with the re-run's reason).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liulin.core.chain import ChainedEvent


class Apartment(models.Model):
    class Layout(models.TextChoices):
        STUDIO = "studio", _("单间")
        ONE_BED = "one_bed", _("一室一厅")
        TWO_BED = "two_bed", _("两室一厅")

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    building = models.ForeignKey("territory.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("楼栋"))
    number = models.CharField(_("房号"), max_length=32)
    layout = models.CharField(_("户型"), max_length=16, choices=Layout.choices)
    area_dm2 = models.PositiveIntegerField(_("面积（平方分米）"), help_text=_("建筑面积，以 0.01 平方米计"))
    rent_fen = models.PositiveIntegerField(_("月租金（分）"))
    deposit_fen = models.PositiveIntegerField(_("押金（分）"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("人才公寓")
        verbose_name_plural = verbose_name
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["community", "number"], name="housing_apartment_number")]

    def __str__(self):
        return self.number

    @property
    def area_m2(self):
        return f"{self.area_dm2 // 100}.{self.area_dm2 % 100:02d}"


class Round(models.Model):
    """One call for applications: open → 审核 → 公示 (the qualified list in the 公示栏,
    `notice_id`, through core.publication) → 名单确定 (hash published) → 已抽签 (public value
    entered, ranks published)."""

    class State(models.TextChoices):
        OPEN = "open", _("受理申请")
        REVIEWING = "reviewing", _("资格审核")
        PUBLICITY = "publicity", _("资格公示")
        FINAL = "final", _("名单确定待抽签")
        DRAWN = "drawn", _("已抽签")

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    title = models.CharField(_("名称"), max_length=100)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    notice_id = models.PositiveBigIntegerField(_("资格公示"), null=True, blank=True)
    list_hash = models.CharField(_("申请人名单哈希"), max_length=64, blank=True)
    list_published_at = models.DateTimeField(_("名单哈希公布时间"), null=True, blank=True)
    offer_days = models.PositiveSmallIntegerField(_("选房答复期限（天）"), default=7)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("申请批次")
        verbose_name_plural = verbose_name
        ordering = ["-id"]

    def __str__(self):
        return self.title


class Rule(models.Model):
    """An eligibility rule of a round, as data: the applicant's answer to `key` must be true
    (`yes`), at most (`max`) or at least (`min`) `limit`; `document` names the proof."""

    class Kind(models.TextChoices):
        YES = "yes", _("须满足")
        NO = "no", _("须不满足")
        MAX = "max", _("不超过")
        MIN = "min", _("不少于")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="rules")
    key = models.SlugField(_("代码"), max_length=32)
    label = models.CharField(_("条件"), max_length=100)
    kind = models.CharField(_("规则"), max_length=8, choices=Kind.choices)
    limit = models.BigIntegerField(_("限值"), null=True, blank=True)
    document = models.CharField(_("证明材料"), max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "key"], name="housing_rule_key"),
            models.CheckConstraint(condition=Q(kind__in=["yes", "no"]) | Q(limit__isnull=False), name="housing_rule_limit"),
        ]

    def __str__(self):
        return self.label

    def holds(self, value):
        if self.kind == self.Kind.YES:
            return value is True
        if self.kind == self.Kind.NO:
            return value is False
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return value <= self.limit if self.kind == self.Kind.MAX else value >= self.limit


class Tier(models.Model):
    """A talent tier of a round; its `group` is the lottery's priority group (lower first)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tiers")
    code = models.SlugField(max_length=32)
    label = models.CharField(_("人才层次"), max_length=100)
    group = models.PositiveSmallIntegerField(_("优先组"))

    class Meta:
        ordering = ["group", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "code"], name="housing_tier_code")]

    def __str__(self):
        return self.label


LIVE_APPLICATION = ["submitted", "returned", "qualified", "waiting", "offered", "accepted", "housed"]


class Application(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已提交待审核")
        RETURNED = "returned", _("退回补充材料")
        QUALIFIED = "qualified", _("资格审核通过")
        REJECTED = "rejected", _("不予通过")
        WITHDRAWN = "withdrawn", _("已撤回")
        WAITING = "waiting", _("已摇号轮候中")
        OFFERED = "offered", _("已通知选房")
        ACCEPTED = "accepted", _("已接受待签约")
        DECLINED = "declined", _("放弃选房")
        EXPIRED = "expired", _("逾期未答复")
        HOUSED = "housed", _("已签约入住")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.SUBMITTED)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("人才层次"))
    answers = models.JSONField(_("申报情况"), default=dict)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    # The draw
    draw_group = models.PositiveSmallIntegerField(null=True, blank=True)
    rank = models.PositiveIntegerField(_("轮候序号"), null=True, blank=True)
    # The current or last offer
    offered_apartment = models.ForeignKey(Apartment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    offer_deadline = models.DateTimeField(_("答复期限"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("公寓申请")
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "applicant"], condition=Q(state__in=LIVE_APPLICATION), name="housing_one_live_application"),
            models.UniqueConstraint(fields=["offered_apartment"], condition=Q(state="offered"), name="housing_one_offer_per_apartment"),
            models.UniqueConstraint(fields=["round", "rank"], name="housing_unique_rank"),
        ]

    def __str__(self):
        return f"{self.round} #{self.pk}"


class Document(models.Model):
    """One line of an application's checklist: the proof a rule asks for; its files are
    attachments (core.attachments, stage "document") of this row."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="+")
    provided = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "rule"], name="housing_document_once")]

    def __str__(self):
        return f"{self.application_id}:{self.rule_id}"


class Draw(models.Model):
    """A published lottery of a round. A re-run keeps every earlier draw (superseded, with
    the reason); exactly one is current."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="draws")
    public_value = models.CharField(_("公开随机值"), max_length=200)
    list_hash = models.CharField(max_length=64)
    seed = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=120)
    ranks = models.JSONField(default=list, help_text=_("[[申请编号, 申请人编号, 优先组]] 按名次"))
    drawn_at = models.DateTimeField()
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    current = models.BooleanField(default=True)
    rerun_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round"], condition=Q(current=True), name="housing_one_current_draw")]

    def __str__(self):
        return f"{self.round_id} {self.drawn_at:%Y-%m-%d}"


class Lease(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待签约")
        ACTIVE = "active", _("履约中")
        ENDED = "ended", _("已退租")
        RENEWED = "renewed", _("已续约")
        CANCELLED = "cancelled", _("已取消")
        TERMINATED = "terminated", _("已解除")

    LIVE = ["pending", "active"]

    apartment = models.ForeignKey(Apartment, on_delete=models.PROTECT, related_name="leases")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="leases")
    tenant = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("承租人"))
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    starts_on = models.DateField(_("起租日"))
    term_months = models.PositiveSmallIntegerField(_("租期（月）"))
    ends_on = models.DateField(_("到期日"))
    rent_fen = models.PositiveIntegerField(_("月租金（分）"))
    deposit_fen = models.PositiveIntegerField(_("押金（分）"))
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("租赁合同")
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["apartment"], condition=Q(state__in=["pending", "active"]), name="housing_one_live_lease"),
            models.CheckConstraint(condition=Q(term_months__gte=1, term_months__lte=60), name="housing_lease_term_5y"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="housing_lease_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.apartment} {self.starts_on}–{self.ends_on}"


class RenewalRequest(models.Model):
    """A tenant's request to renew his lease, made in the lease's renewal window with his
    answers to the round's rules as they stand now. The manager renews the lease (the answers
    re-checked against the rules; the request is then `renewed`) or refuses with a reason;
    the tenant may withdraw it. One open request per lease."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("已申请待办理")
        RENEWED = "renewed", _("已续租")
        REFUSED = "refused", _("不予续租")
        WITHDRAWN = "withdrawn", _("已撤回")

    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="renewal_requests")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.REQUESTED)
    answers = models.JSONField(_("申报情况"), default=dict)
    term_months = models.PositiveSmallIntegerField(_("续租期限（月）"))
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    decided_at = models.DateTimeField(_("办理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("续租申请")
        verbose_name_plural = verbose_name
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["lease"], condition=Q(state="requested"), name="housing_one_open_renewal_request"),
            models.CheckConstraint(condition=Q(term_months__gte=1, term_months__lte=60), name="housing_renewal_term_5y"),
        ]

    def __str__(self):
        return f"{self.lease_id} {self.requested_at:%Y-%m-%d}"


class Invoice(models.Model):
    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="invoices")
    month = models.DateField(_("账期"), help_text=_("该月第一天"))
    amount_fen = models.PositiveIntegerField(_("应收（分）"))
    paid_at = models.DateTimeField(_("缴费时间"), null=True, blank=True)

    class Meta:
        ordering = ["lease_id", "month"]
        constraints = [models.UniqueConstraint(fields=["lease", "month"], name="housing_invoice_once")]

    def __str__(self):
        return f"{self.lease_id} {self.month:%Y-%m}"


class Inspection(models.Model):
    class Kind(models.TextChoices):
        MOVE_IN = "move_in", _("入住验房")
        MOVE_OUT = "move_out", _("退租验房")

    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    notes = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lease", "kind"], name="housing_inspection_once")]

    def __str__(self):
        return f"{self.lease_id} {self.kind}"


class Defect(models.Model):
    """A defect found at an inspection; its photos are attachments (stage "defect"); it is
    repaired through a 雷锋哨 work order filed via core.workorders."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="defects")
    description = models.CharField(_("问题"), max_length=300)
    work_order_id = models.BigIntegerField(null=True, blank=True)
    work_order_number = models.CharField(max_length=32, blank=True)
    work_order_state = models.CharField(max_length=32, blank=True)

    def __str__(self):
        return self.description


class RoundEvent(ChainedEvent):
    subject_field = "round"
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "seq"], name="housing_round_event_seq")]
        ordering = ["round_id", "seq"]


class ApplicationEvent(ChainedEvent):
    subject_field = "application"
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "seq"], name="housing_app_event_seq")]
        ordering = ["application_id", "seq"]


class LeaseEvent(ChainedEvent):
    subject_field = "lease"
    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lease", "seq"], name="housing_lease_event_seq")]
        ordering = ["lease_id", "seq"]
