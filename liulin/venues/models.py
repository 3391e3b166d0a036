"""Venues: bookable resources (the hall, rooms, courts), their rules as data, bookings that
never overlap, and the smart gym's memberships.

No double booking is the database's rule, not the application's: a booking writes one
`Occupancy` row for its resource and for every resource inside it (booking the gymnasium
claims its courts too), and two occupancies of one resource may not overlap in time. On
PostgreSQL that is an exclusion constraint (btree_gist); on SQLite a trigger that aborts the
insert (migration 0002). Intervals are half-open, [start, end): a booking ending at 10:00
and one starting at 10:00 touch and do not overlap.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liulin.core.chain import ChainedEvent


class Resource(models.Model):
    """A bookable place: one per territory Facility, in the facilities' hierarchy."""

    facility = models.OneToOneField("territory.Facility", on_delete=models.PROTECT, related_name="venue", verbose_name=_("设施"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="parts", verbose_name=_("所属场馆"))
    name = models.CharField(_("名称"), max_length=64)
    bookable = models.BooleanField(_("可预约"), default=True)
    requires_approval = models.BooleanField(_("须审批"), default=False, help_text=_("大型场地：填写用途、人数与安全预案，由场馆管理员审批。"))
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("时段长度（分钟）"), default=60)
    buffer_minutes = models.PositiveSmallIntegerField(_("间隔时间（分钟）"), default=0, help_text=_("两次预约之间留出的整理时间。"))
    min_notice_minutes = models.PositiveIntegerField(_("最少提前（分钟）"), default=0)
    max_days_ahead = models.PositiveSmallIntegerField(_("最多提前（天）"), default=14, help_text=_("0 表示只能预约当天。"))
    window_opens_at = models.TimeField(_("每日开放预约时间"), null=True, blank=True, help_text=_("例如 08:00：每天此时起开放预约。"))
    price_fen = models.PositiveIntegerField(_("价格（分/时段）"), default=0)
    hold_minutes = models.PositiveSmallIntegerField(_("候补保留（分钟）"), default=30, help_text=_("空出的时段为候补第一位保留多久。"))
    max_hours_per_week = models.PositiveSmallIntegerField(_("每人每周最多小时"), null=True, blank=True)
    max_bookings_per_day = models.PositiveSmallIntegerField(_("每人每天最多次数"), null=True, blank=True)
    max_team_hours_per_week = models.PositiveSmallIntegerField(_("每支队伍每周最多小时"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = verbose_name
        ordering = ["community_id", "parent_id", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=15), name="venues_resource_slot_at_least_15"),
            models.CheckConstraint(condition=Q(buffer_minutes__lte=240), name="venues_resource_buffer_at_most_240"),
            models.CheckConstraint(condition=Q(max_days_ahead__lte=366), name="venues_resource_window_at_most_366"),
        ]

    def __str__(self):
        return self.name


class OpeningHours(models.Model):
    """When a resource may be booked on a weekday (local time); several rows a day are several sessions."""

    WEEKDAYS = [(0, _("周一")), (1, _("周二")), (2, _("周三")), (3, _("周四")), (4, _("周五")), (5, _("周六")), (6, _("周日"))]

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="hours", verbose_name=_("场地"))
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=WEEKDAYS)
    opens = models.TimeField(_("开放"))
    closes = models.TimeField(_("关闭"))
    closed_on_holidays = models.BooleanField(_("法定节假日不开放"), default=False)

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = verbose_name
        ordering = ["resource_id", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="venues_hours_opens_before_closes"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="venues_hours_weekday_0_6"),
            models.UniqueConstraint(fields=["resource", "weekday", "opens"], name="venues_hours_unique_session"),
        ]

    def __str__(self):
        return f"{self.resource} {self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Blackout(models.Model):
    """A period a resource (and everything inside it) cannot be booked: repairs, a community event."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="blackouts", verbose_name=_("场地"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    reason = models.CharField(_("原因"), max_length=128)

    class Meta:
        verbose_name = _("停用时段")
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="venues_blackout_starts_before_ends")]

    def __str__(self):
        return f"{self.resource} {self.reason}"


class TeamBlock(models.Model):
    """A team (or, with no team, every team) may not book a resource, or anything inside it,
    on a weekday between two times: e.g. the square is kept quiet for the school's exams."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="team_blocks", verbose_name=_("场地"))
    team = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("队伍"),
                             help_text=_("留空表示所有队伍。"))
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=OpeningHours.WEEKDAYS)
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))
    reason = models.CharField(_("原因"), max_length=128)

    class Meta:
        verbose_name = _("队伍限用时段")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=F("ends")), name="venues_teamblock_starts_before_ends"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="venues_teamblock_weekday_0_6"),
        ]

    def __str__(self):
        return f"{self.resource} {self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class NoShowPolicy(models.Model):
    """`count` no-shows within `within_days` days bar a person from booking for `ban_days` days
    after the last of them. One per community."""

    community = models.OneToOneField("territory.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    count = models.PositiveSmallIntegerField(_("爽约次数"), default=3)
    within_days = models.PositiveSmallIntegerField(_("统计天数"), default=30)
    ban_days = models.PositiveSmallIntegerField(_("暂停预约天数"), default=30)

    class Meta:
        verbose_name = _("爽约规则")
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="venues_noshow_count_at_least_1")]

    def __str__(self):
        return f"{self.count}/{self.within_days}d -> {self.ban_days}d"


class BookingSeries(models.Model):
    """A team's weekly practice: the same hours every `every_days` days from `first_day` to
    `last_day`. Each date is a Booking of its own (linked here); dates the team chose to skip
    (a holiday, a clash) are listed in `skipped`."""

    resource = models.ForeignKey("Resource", on_delete=models.PROTECT, related_name="series", verbose_name=_("场地"))
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("预约人"))
    team = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("队伍"))
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))
    first_day = models.DateField(_("首次日期"))
    last_day = models.DateField(_("末次日期"))
    every_days = models.PositiveSmallIntegerField(_("间隔天数"), default=7)
    skipped = models.JSONField(_("跳过的日期"), default=list, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("提交时间"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("定期预约")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=F("ends")), name="venues_series_starts_before_ends"),
            models.CheckConstraint(condition=Q(first_day__lte=F("last_day")), name="venues_series_first_before_last"),
            models.CheckConstraint(condition=Q(every_days__gte=1), name="venues_series_every_at_least_1"),
        ]

    def __str__(self):
        return f"{self.resource} {self.starts:%H:%M} {self.first_day}–{self.last_day}"


class Booking(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        HELD = "held", _("候补保留中")
        CONFIRMED = "confirmed", _("已确认")
        CHECKED_IN = "checked_in", _("已签到")
        REJECTED = "rejected", _("未通过")
        CANCELLED = "cancelled", _("已取消")
        NO_SHOW = "no_show", _("爽约释放")

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("场地"))
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="venue_bookings", verbose_name=_("预约人"))
    # An elder without an account, for whom her proxy (people.proxies, "venues") booked: the
    # booking is hers (her quota, her no-shows), made and held by the booker, who checks in
    # and cancels. Null for everyone else (an elder with an account is the booker herself).
    for_resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     db_index=False, verbose_name=_("预约给"))
    team = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("队伍"))
    series = models.ForeignKey(BookingSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("定期预约"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    headcount = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    safety_plan = models.TextField(_("安全预案"), blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices)
    price_fen = models.PositiveIntegerField(_("费用（分）"), default=0)
    created_at = models.DateTimeField(_("提交时间"))
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    hold_until = models.DateTimeField(_("保留至"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = verbose_name
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["resource", "starts_at"], name="venues_bk_resource_start"),
            models.Index(fields=["booker", "starts_at"], name="venues_bk_booker_start"),
            # An elder's quota and no-shows (rules.Person); few bookings have one.
            models.Index(fields=["for_resident", "starts_at"], name="venues_bk_for_resident_start",
                         condition=Q(for_resident__isnull=False)),
            models.Index(fields=["state", "starts_at"], name="venues_bk_state_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="venues_booking_starts_before_ends"),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(state="checked_in"), name="venues_booking_checkin_only_when_checked_in"
            ),
            models.CheckConstraint(condition=~Q(state="held") | Q(hold_until__isnull=False), name="venues_booking_held_has_deadline"),
        ]

    def __str__(self):
        return f"{self.resource} {self.starts_at:%Y-%m-%d %H:%M}"


# The states in which a booking holds its time (its occupancies exist).
HOLDING_STATES = frozenset({Booking.State.REQUESTED, Booking.State.HELD, Booking.State.CONFIRMED, Booking.State.CHECKED_IN})


class WaitlistEntry(models.Model):
    """Someone waiting for a taken time. When a booking overlapping it is released, the first
    in line whose time has become free gets a booking held for him (`Booking.State.HELD`)
    for the resource's `hold_minutes`; he accepts it or it passes to the next."""

    class State(models.TextChoices):
        WAITING = "waiting", _("候补中")
        OFFERED = "offered", _("已为其保留")
        WITHDRAWN = "withdrawn", _("已退出")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="waitlist", verbose_name=_("场地"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("候补人"))
    # A team waiting for the taken dates of its weekly practice: the offered booking is the team's.
    team = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("队伍"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.WAITING)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("候补")
        verbose_name_plural = verbose_name
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["resource", "state", "starts_at"], name="venues_wait_resource")]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="venues_wait_starts_before_ends"),
            models.UniqueConstraint(fields=["resource", "user", "starts_at"], condition=Q(state="waiting"), name="venues_wait_once"),
        ]

    def __str__(self):
        return f"{self.resource} {self.starts_at:%Y-%m-%d %H:%M}"


class Occupancy(models.Model):
    """The time a booking holds on one resource (its own, and every resource inside it), up to
    the end plus the resource's buffer. Exists while the booking holds; never two overlapping
    on one resource (database-enforced, see the module docstring)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="occupancies")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="occupancies")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["resource", "starts_at"], name="venues_occ_resource_start")]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="venues_occupancy_starts_before_ends"),
            models.UniqueConstraint(fields=["booking", "resource"], name="venues_occupancy_once_per_resource"),
        ]

    def __str__(self):
        return f"{self.resource_id} {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"


class BookingEvent(ChainedEvent):
    subject_field = "booking"
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["booking_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["booking", "seq"], name="venues_bookingevent_unique_seq")]


# --- the smart gym --------------------------------------------------------------------------


class MembershipPlan(models.Model):
    """A membership type of a gym: so many months for so many fen (智慧健身房: 1 month, 2500 fen)."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="plans", verbose_name=_("健身房"))
    name = models.CharField(_("名称"), max_length=64)
    months = models.PositiveSmallIntegerField(_("月数"), default=1)
    price_fen = models.PositiveIntegerField(_("价格（分）"))
    hourly_capacity = models.PositiveSmallIntegerField(_("同时在场人数上限"), null=True, blank=True)
    pause_min_days = models.PositiveSmallIntegerField(_("每次暂停最少天数"), default=7)
    pause_max_days = models.PositiveSmallIntegerField(_("每次暂停最多天数"), default=30)
    pause_days_per_year = models.PositiveSmallIntegerField(_("每年暂停最多天数"), default=60)
    active = models.BooleanField(_("在售"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("会员类型")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(months__gte=1) & Q(months__lte=24), name="venues_plan_months_1_24"),
            models.CheckConstraint(condition=Q(pause_min_days__lte=F("pause_max_days")), name="venues_plan_pause_min_le_max"),
            models.UniqueConstraint(fields=["resource", "name"], name="venues_plan_unique_name"),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """One paid period of a member at a gym, [starts_on, ends_on). A person's live periods
    (awaiting payment, active, paused) never overlap: database-enforced like occupancies."""

    class State(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("待付款")
        ACTIVE = "active", _("有效")
        PAUSED = "paused", _("暂停中")
        EXPIRED = "expired", _("已到期")
        CANCELLED = "cancelled", _("已取消")

    plan = models.ForeignKey(MembershipPlan, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("会员类型"))
    # The plan's gym, kept beside it so the database can compare a person's periods per gym.
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("健身房"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gym_memberships", verbose_name=_("会员"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期（不含）"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices)
    price_fen = models.PositiveIntegerField(_("金额（分）"))
    receipt_no = models.CharField(_("收据号"), max_length=32, blank=True)
    paused_until = models.DateField(_("暂停至（不含）"), null=True, blank=True)
    created_at = models.DateTimeField(_("办理时间"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("健身会员")
        verbose_name_plural = verbose_name
        ordering = ["member_id", "starts_on"]
        indexes = [models.Index(fields=["member", "resource", "starts_on"], name="venues_membership_member")]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lt=F("ends_on")), name="venues_membership_starts_before_ends"),
            models.CheckConstraint(condition=~Q(state="active") | ~Q(receipt_no=""), name="venues_membership_active_has_receipt"),
            models.CheckConstraint(condition=~Q(state="paused") | Q(paused_until__isnull=False), name="venues_membership_paused_has_end"),
            models.UniqueConstraint(fields=["plan", "receipt_no"], condition=~Q(receipt_no=""), name="venues_membership_unique_receipt"),
        ]

    def __str__(self):
        return f"{self.plan} {self.starts_on}-{self.ends_on}"


LIVE_MEMBERSHIP_STATES = frozenset({Membership.State.AWAITING_PAYMENT, Membership.State.ACTIVE, Membership.State.PAUSED})


class MembershipEvent(ChainedEvent):
    subject_field = "membership"
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["membership_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["membership", "seq"], name="venues_membershipevent_unique_seq")]


class GymVisit(models.Model):
    """One entry (and later exit) of a member; live occupancy is the visits with no exit."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="visits")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(left_at__isnull=True) | Q(left_at__gte=F("entered_at")), name="venues_visit_leaves_after_entering"),
            # Inside once at a time: a second entry before the exit is refused.
            models.UniqueConstraint(fields=["member"], condition=Q(left_at__isnull=True), name="venues_visit_one_open_per_member"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.entered_at:%Y-%m-%d %H:%M}"


class Payment(models.Model):
    """Money for a membership, through a provider (services/payments.py): created → pending →
    confirmed (or failed), confirmed → refunded. Integer fen. A provider's reference is unique,
    so a repeated callback finds the payment it already confirmed."""

    class State(models.TextChoices):
        CREATED = "created", _("已创建")
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已到账")
        FAILED = "failed", _("失败")
        REFUNDED = "refunded", _("已退款")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="payments", verbose_name=_("健身会员"))
    provider = models.CharField(_("渠道"), max_length=16)
    reference = models.CharField(_("流水号/收据号"), max_length=64)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.CREATED)
    created_at = models.DateTimeField(_("创建时间"))
    confirmed_at = models.DateTimeField(_("到账时间"), null=True, blank=True)
    confirmed_on = models.DateField(_("到账日期"), null=True, blank=True)  # local day, for the daily reconciliation
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("付款")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["confirmed_on", "state"], name="venues_payment_day")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="venues_payment_positive"),
            models.UniqueConstraint(fields=["provider", "reference"], name="venues_payment_unique_reference"),
            models.CheckConstraint(
                condition=~Q(state__in=["confirmed", "refunded"]) | Q(confirmed_at__isnull=False, confirmed_on__isnull=False),
                name="venues_payment_confirmed_has_time",
            ),
            # One payment that counts per membership period.
            models.UniqueConstraint(fields=["membership"], condition=Q(state__in=["pending", "confirmed"]), name="venues_payment_one_live"),
        ]

    def __str__(self):
        return f"{self.provider}:{self.reference}"
