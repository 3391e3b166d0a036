"""志愿服务助邻: volunteers, teams, activities, the hours register, certificates, and the
雷锋超市 points ledger.

Two things are kept apart on purpose (docs/volunteering.md):
- hours (ServiceRecord): an honour that never shrinks by spending; recorded, confirmed,
  disputed and corrected as 民政部令第67号 asks, each step on the record's own chain;
- points (PointsAccount, Posting, Entry): spendable at the 雷锋超市 and expiring, kept as
  a double-entry ledger whose postings are chained per community, whose entries never
  change, and whose volunteer balances the database keeps from going below zero.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.chain import ChainedEvent
from liulin.core.models import AppendOnlyModel


class Rules(models.Model):
    """A community's numbers: what may differ between communities is data, not code."""

    community = models.OneToOneField("territory.Area", on_delete=models.PROTECT, related_name="volunteering_rules",
                                     verbose_name=_("社区"))
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("计时所需最低出勤比例（%）"), default=60,
        help_text=_("签到签退时长不足活动时长的该比例时，不计服务时长。"))
    points_per_hour = models.PositiveIntegerField(_("每服务一小时积分"), default=10)
    max_deed_points = models.PositiveIntegerField(_("好人好事单次积分上限"), default=50)
    points_valid_days = models.PositiveIntegerField(_("积分有效期（天）"), default=3 * 365)
    checkin_code_minutes = models.PositiveIntegerField(_("签到码有效期（分钟）"), default=15)
    seal = models.ImageField(_("社区印章图片"), upload_to="volunteering/seals/", blank=True,
                             help_text=_("出具志愿服务证明时盖在出具单位处；由社区上传本单位印章的扫描件。"))

    class Meta:
        verbose_name = _("志愿服务规则")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(min_attendance_percent__gte=1, min_attendance_percent__lte=100),
                                   name="volunteering_rules_attendance_percent"),
            models.CheckConstraint(condition=Q(points_valid_days__gte=1), name="volunteering_rules_valid_days"),
            models.CheckConstraint(condition=Q(checkin_code_minutes__gte=1), name="volunteering_rules_code_minutes"),
        ]

    def __str__(self):
        return str(self.community)


class Volunteer(models.Model):
    """A registered volunteer (志愿者注册): one per account, or one per resident for an elder
    without a phone whom his team enrols (he is checked in and out by the organiser). His
    points account is made with him."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="volunteer", verbose_name=_("账号"))
    resident = models.OneToOneField("people.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="volunteer", verbose_name=_("居民档案"))
    name = models.CharField(_("姓名"), max_length=32)
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    registered_at = models.DateTimeField(_("注册时间"), default=clock.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=Q(user__isnull=False) | Q(resident__isnull=False),
                                              name="volunteering_volunteer_is_someone")]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    """A volunteer in a team: he applies, the team (its leader or community staff) decides."""

    class State(models.TextChoices):
        APPLIED = "applied", _("待确认")
        ACTIVE = "active", _("在队")
        REJECTED = "rejected", _("未通过")
        LEFT = "left", _("已退出")

    team = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="volunteer_members",
                             verbose_name=_("队伍"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="teams", verbose_name=_("志愿者"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.APPLIED)
    applied_at = models.DateTimeField(_("申请时间"), default=clock.now)
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        constraints = [models.UniqueConstraint(fields=["team", "volunteer"], name="volunteering_one_membership_per_team")]

    def __str__(self):
        return f"{self.team} · {self.volunteer}"


class Activity(models.Model):
    """A service activity of a team, with posts (岗位) that each take a number of volunteers."""

    class State(models.TextChoices):
        OPEN = "open", _("报名中")
        FINISHED = "finished", _("已结束")
        CANCELLED = "cancelled", _("已取消")

    class Kind(models.TextChoices):
        ELDERLY = "elderly", _("敬老助老")
        DISABLED = "disabled", _("助残")
        STUDENTS = "students", _("助学")
        POVERTY = "poverty", _("扶贫济困")
        YOUTH = "youth", _("青少年关爱")
        COMMUNITY = "community", _("社区服务")

    team = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="volunteer_activities",
                             verbose_name=_("组织队伍"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", editable=False)
    title = models.CharField(_("活动名称"), max_length=64)
    kind = models.CharField(_("服务类别"), max_length=16, choices=Kind.choices, default=Kind.COMMUNITY)
    content = models.TextField(_("服务内容"), max_length=2000)
    place = models.CharField(_("服务地点"), max_length=64)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    for_minors = models.BooleanField(_("未成年人参加"), default=False,
                                     help_text=_("14 岁以下儿童参加须有监护人同意，并由成年人接送签到签退。"))
    points_per_hour = models.PositiveIntegerField(_("每小时积分"), null=True, blank=True,
                                                  help_text=_("留空按社区规则。"))
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("组织者"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # An activity another app ran and reported through core.service_hours (a culture team's
    # performance in `activities`): its origin, e.g. "activities.activity:12"; blank for the
    # register's own activities. Once per origin, so a repeated report records nothing new.
    origin = models.CharField(_("来源活动"), max_length=64, blank=True, default="", editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = verbose_name
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["team", "-starts_at"]), models.Index(fields=["community", "-starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="volunteering_activity_ends_after_start"),
            models.UniqueConstraint(fields=["origin"], condition=~Q(origin=""), name="volunteering_activity_origin_once"),
        ]

    def __str__(self):
        return self.title

    @property
    def length_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Post(models.Model):
    """A post (岗位) of an activity: its capacity and how many hold it, kept by a conditional
    update and a check so the last place is never given twice."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="posts")
    name = models.CharField(_("岗位"), max_length=32)
    capacity = models.PositiveIntegerField(_("人数"))
    taken = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["activity", "name"], name="volunteering_post_name_unique"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="volunteering_post_capacity_positive"),
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="volunteering_post_within_capacity"),
        ]

    def __str__(self):
        return self.name


class SignUp(models.Model):
    class State(models.TextChoices):
        SIGNED_UP = "signed_up", _("已报名")
        CHECKED_IN = "checked_in", _("已签到")
        CHECKED_OUT = "checked_out", _("已签退")
        CANCELLED = "cancelled", _("已取消")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="signups", verbose_name=_("岗位"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.SIGNED_UP)
    signed_up_at = models.DateTimeField(default=clock.now)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_out_at = models.DateTimeField(null=True, blank=True)
    checked_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], condition=~Q(state="cancelled"),
                                    name="volunteering_one_signup_per_activity"),
            models.CheckConstraint(condition=Q(checked_out_at__isnull=True)
                                   | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                                   name="volunteering_signup_out_after_in"),
        ]

    def __str__(self):
        return f"{self.activity_id}:{self.volunteer_id} {self.state}"


class ServiceRecord(models.Model):
    """One entry of the hours register (志愿服务记录, 民政部令第67号 第八条): who served, what,
    where, when, for how long, recorded by whom. Minutes never exceed the activity's length
    (`cap_minutes`), by a check. A record without an activity is a service confirmed in
    another app and credited here through its hook (`source_ref` names it, once): an
    in-service party member's service (党建引领惠邻), whose `team` is his unit."""

    class State(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DISPUTED = "disputed", _("有异议")
        VOIDED = "voided", _("已作废")

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("签到签退")
        MANUAL = "manual", _("组织者补录")
        TEAM_EVENT = "team_event", _("队伍活动签到")  # checked in at a team's activity run elsewhere (core.service_hours)
        PARTYBUILDING = "partybuilding", _("在职党员服务")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records", verbose_name=_("志愿者"))
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="records",
                                 verbose_name=_("活动"))
    team = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", editable=False)
    served_on = models.DateField(_("服务日期"))
    content = models.CharField(_("服务内容"), max_length=200)
    place = models.CharField(_("服务地点"), max_length=64)
    minutes = models.PositiveIntegerField(_("服务时长（分钟）"))
    cap_minutes = models.PositiveIntegerField(editable=False)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    reason = models.CharField(_("补录理由"), max_length=200, blank=True)
    source_ref = models.CharField(_("来源记录"), max_length=64, null=True, blank=True, unique=True, editable=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = verbose_name
        ordering = ["-served_on", "-pk"]
        indexes = [models.Index(fields=["volunteer", "state"]), models.Index(fields=["team", "served_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1, minutes__lte=F("cap_minutes")),
                                   name="volunteering_record_minutes_within_activity"),
            models.CheckConstraint(condition=~Q(source="manual") | ~Q(reason=""), name="volunteering_manual_record_has_reason"),
            models.UniqueConstraint(fields=["activity", "volunteer"], condition=~Q(state="voided"),
                                    name="volunteering_one_record_per_activity"),
            models.CheckConstraint(condition=Q(activity__isnull=False, source__in=["attendance", "manual", "team_event"])
                                   | Q(activity__isnull=True, source="partybuilding", source_ref__isnull=False),
                                   name="volunteering_record_from_an_activity_or_a_hook"),
        ]

    def __str__(self):
        return f"{self.volunteer} {self.served_on} {self.minutes}"


class RecordEvent(ChainedEvent):
    """The chain of one service record: recorded, confirmed, disputed, upheld, corrected, voided."""

    subject_field = "record"
    record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "seq"], name="volunteering_record_event_seq")]


# --- the points ledger ------------------------------------------------------------------------


class Ledger(models.Model):
    """A community's points ledger: the subject its postings are chained to."""

    community = models.OneToOneField("territory.Area", on_delete=models.PROTECT, related_name="points_ledger")

    class Meta:
        verbose_name = _("积分账本")
        verbose_name_plural = verbose_name

    def __str__(self):
        return str(self.community)


class PointsAccount(models.Model):
    """A balance: a volunteer's (never below zero, by a check), or one of the community's own
    accounts that the other side of each posting lands on."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("志愿者积分")
        ISSUED = "issued", _("社区发放")  # negative: the points in circulation
        SHOP = "shop", _("雷锋超市兑换")
        EXPIRED = "expired", _("过期积分")

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    volunteer = models.OneToOneField(Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="account")
    balance = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=~Q(kind="volunteer") | Q(balance__gte=0, volunteer__isnull=False),
                                   name="volunteering_volunteer_balance_never_negative"),
            models.UniqueConstraint(fields=["ledger", "kind"], condition=Q(volunteer__isnull=True),
                                    name="volunteering_one_community_account_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.balance}"


class Posting(ChainedEvent):
    """One ledger transaction: its entries (and stock entries) sum to zero per unit, it carries
    the idempotency key that makes a replay create nothing, and it is a link of the
    community's chain, whose data repeats the entries so an edited entry breaks `verify`."""

    class Kind(models.TextChoices):
        EARN = "earn", _("服务积分")
        DEED = "deed", _("好人好事")
        CORRECT = "correct", _("更正")
        REDEEM = "redeem", _("兑换")
        REVERSE = "reverse", _("冲正")
        EXPIRE = "expire", _("过期")
        RESTOCK = "restock", _("入库")

    subject_field = "ledger"
    hashed_fields = ("key", "reason")
    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="postings")
    key = models.CharField(max_length=128)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("积分过账")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["ledger", "seq"], name="volunteering_posting_seq"),
            models.UniqueConstraint(fields=["ledger", "key"], name="volunteering_posting_key_once"),
        ]


class Entry(AppendOnlyModel):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()

    class Meta:
        verbose_name = _("积分分录")
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="volunteering_entry_not_zero")]


class PublishedHash(models.Model):
    """The chain's latest link as published on a day: anyone who kept it can later show that
    the ledger up to that link was not rewritten."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="published")
    day = models.DateField()
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["ledger", "day"], name="volunteering_one_hash_a_day")]

    def __str__(self):
        return f"{self.day} {self.seq} {self.hash[:12]}"


# --- 雷锋超市 -----------------------------------------------------------------------------------


class Good(models.Model):
    """An item of the 雷锋超市: its price in points and the stock on the shelf (never below zero)."""

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("物品"), max_length=32)
    price_points = models.PositiveIntegerField(_("兑换积分"))
    stock = models.IntegerField(_("库存"), default=0, editable=False)
    is_active = models.BooleanField(_("上架"), default=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("超市物品")
        verbose_name_plural = verbose_name
        ordering = ["price_points", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="volunteering_good_name_unique"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="volunteering_stock_never_negative"),
            models.CheckConstraint(condition=Q(price_points__gte=1), name="volunteering_price_positive"),
        ]

    def __str__(self):
        return self.name


class StockEntry(AppendOnlyModel):
    """The stock ledger, double-entry in pieces: each posting's stock entries of a good sum to
    zero across places (supplier → shelf on restock, shelf → redeemed on a redemption)."""

    class Place(models.TextChoices):
        SUPPLIER = "supplier", _("入库来源")
        SHELF = "shelf", _("货架")
        REDEEMED = "redeemed", _("已兑出")

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="stock_entries")
    good = models.ForeignKey(Good, on_delete=models.PROTECT, related_name="stock_entries")
    place = models.CharField(max_length=16, choices=Place.choices)
    quantity = models.IntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="volunteering_stock_entry_not_zero")]


class Redemption(models.Model):
    """A redemption at the counter: final unless staff reverse it with a reason."""

    class State(models.TextChoices):
        DONE = "done", _("已兑换")
        REVERSED = "reversed", _("已冲正")

    posting = models.OneToOneField(Posting, on_delete=models.PROTECT, related_name="redemption")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="redemptions")
    good = models.ForeignKey(Good, on_delete=models.PROTECT, related_name="redemptions")
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    points = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.DONE)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)
    reversal = models.OneToOneField(Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_redemption")
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("兑换记录")
        verbose_name_plural = verbose_name
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="volunteering_redemption_quantity_positive"),
            models.CheckConstraint(condition=Q(state="done") | (Q(reversal__isnull=False) & ~Q(reason="")),
                                   name="volunteering_reversal_has_reason"),
        ]

    def __str__(self):
        return f"{self.good_id} × {self.quantity} ({self.state})"


# --- certificates ------------------------------------------------------------------------------


class Certificate(models.Model):
    """志愿服务证明 (民政部令第67号 第十三条): issued by the community from confirmed records.
    Its public page, reached by number and code, shows the masked name, hours and content
    only."""

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("证明编号"), max_length=32, unique=True)
    code = models.CharField(max_length=32, unique=True)  # the secret half of the public URL
    masked_name = models.CharField(max_length=32)
    masked_id = models.CharField(max_length=18, blank=True)
    minutes = models.PositiveIntegerField()
    content = models.TextField()
    period_from = models.DateField()
    period_to = models.DateField()
    issuer = models.CharField(max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField(default=clock.today)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = verbose_name
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return self.number


# --- 雷锋号 youth care station ------------------------------------------------------------------


class GuardianConsent(models.Model):
    """A guardian's consent for a child under 14 to take part (个人信息保护法 第三十一条),
    recorded by staff, withdrawable."""

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    child_name = models.CharField(_("儿童姓名"), max_length=32)
    child_birth_date = models.DateField(_("出生日期"))
    guardian_name = models.CharField(_("监护人姓名"), max_length=32)
    guardian_relation = models.CharField(_("与儿童关系"), max_length=16)
    guardian_mobile = models.CharField(_("监护人手机号"), max_length=11)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("监护人同意")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.child_name


class ChildAttendance(models.Model):
    """A child at a 雷锋号 activity: only with a consent in force, signed in and out by a named adult."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="children")
    consent = models.ForeignKey(GuardianConsent, on_delete=models.PROTECT, related_name="attendances")
    signed_in_at = models.DateTimeField()
    signed_in_adult = models.CharField(_("送达成年人"), max_length=32)
    signed_out_at = models.DateTimeField(null=True, blank=True)
    signed_out_adult = models.CharField(_("接走成年人"), max_length=32, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "consent"], name="volunteering_child_once_per_activity"),
            models.CheckConstraint(condition=~Q(signed_in_adult=""), name="volunteering_child_in_by_adult"),
            models.CheckConstraint(condition=Q(signed_out_at__isnull=True) | ~Q(signed_out_adult=""),
                                   name="volunteering_child_out_by_adult"),
        ]

    def __str__(self):
        return f"{self.activity_id}:{self.consent_id}"
