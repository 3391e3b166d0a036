"""Classes of the elderly university, culture and sports teams' practice, and community
events: what has places, who holds one, who waits, who came.

A class (班级) and an event (活动) share one model, `Activity`, because both are "a number
of places, enrolled fairly": the same capacity rule, waiting list, held offers, check-in
and no-show record serve both. A class adds its course, term, teacher and weekly slots.

Invariants held by the database, on SQLite and PostgreSQL alike:
- `taken + reserved <= capacity` (check): `taken` counts confirmed places and places held
  by a pending offer; it only moves by conditional UPDATEs in services, so no interleaving
  oversells;
- one live enrolment per person per activity (unique, conditional on the live states);
- one attendance row per enrolment per day (unique);
- one family link per pair, never to oneself (unique, check).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.chain import ChainedEvent

WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


class Term(models.Model):
    """A term of the elderly university, with its eligibility rules as data."""

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("学期"), max_length=64)
    starts_on = models.DateField(_("开学日期"))
    ends_on = models.DateField(_("结业日期"))
    min_age_female = models.PositiveSmallIntegerField(_("女性最低年龄"), default=50)
    min_age_male = models.PositiveSmallIntegerField(_("男性最低年龄"), default=55)
    max_age = models.PositiveSmallIntegerField(_("最高年龄（新生）"), default=80)
    residents_only = models.BooleanField(_("仅限本社区居民"), default=True)
    max_classes = models.PositiveSmallIntegerField(_("每人最多报班数"), default=2)
    renewal_attendance_percent = models.PositiveSmallIntegerField(
        _("续报所需出勤率（%）"), default=50, help_text=_("上学期出勤达到此比例的老学员可在续报阶段优先报名")
    )
    certificate_attendance_percent = models.PositiveSmallIntegerField(
        _("结业证书所需出勤率（%）"), default=80, help_text=_("班级结束后，出勤达到此比例的学员可下载结业证书")
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = verbose_name
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="activities_term_unique_name"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="activities_term_dates"),
            models.CheckConstraint(condition=Q(max_classes__gte=1), name="activities_term_max_classes"),
        ]

    def __str__(self):
        return self.name


class Course(models.Model):
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("课程"), max_length=64)
    description = models.TextField(_("简介"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = verbose_name
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="activities_course_unique_name")]

    def __str__(self):
        return self.name


class Activity(models.Model):
    class Kind(models.TextChoices):
        CLASS = "class", _("老年大学班级")
        EVENT = "event", _("社区活动")

    class State(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        RENEWAL = "renewal", _("老学员续报中")
        APPLYING = "applying", _("申请中（待抽签）")
        OPEN = "open", _("报名中")
        CLOSED = "closed", _("报名截止")
        FINISHED = "finished", _("已结束")
        CANCELLED = "cancelled", _("已取消")

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=80)
    description = models.TextField(_("介绍"), blank=True)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.PROTECT, related_name="classes", verbose_name=_("课程"))
    term = models.ForeignKey(Term, null=True, blank=True, on_delete=models.PROTECT, related_name="classes", verbose_name=_("学期"))
    organiser = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("主办组织"),
        help_text=_("老年大学、文体队伍或合作机构；其负责人可管理报名与签到"),
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("授课教师")
    )
    # Where it happens. Booking the place is the venues app's business (services.venue_hook).
    facility = models.ForeignKey(
        "territory.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("场地")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    reserved = models.PositiveIntegerField(_("预留名额"), default=0, help_text=_("留给到柜台办理或特殊人群的名额，不参与线上报名"))
    taken = models.PositiveIntegerField(_("已占名额"), default=0, editable=False)
    # How many enrolments have arrived: each takes the next number as its ticket, in the same
    # transaction as its place, so the waiting list is in the order the database served them.
    arrivals = models.PositiveIntegerField(default=0, editable=False)
    hold_hours = models.PositiveSmallIntegerField(_("候补保留时长（小时）"), default=48)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(_("提前取消截止（小时）"), default=24)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    # The lottery (services.lottery): a value published when applications open, the hash of
    # the applicant list at the draw, and the seed made of both.
    draw_public_value = models.CharField(_("抽签公开值"), max_length=200, blank=True)
    draw_applicants_hash = models.CharField(max_length=64, blank=True, editable=False)
    draw_seed = models.CharField(max_length=64, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("抽签时间"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("班级/活动")
        verbose_name_plural = verbose_name
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["community", "state", "starts_at"], name="activities_act_list")]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity") - F("reserved")), name="activities_never_oversold"),
            models.CheckConstraint(condition=Q(reserved__lte=F("capacity")), name="activities_reserved_within_capacity"),
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="activities_act_dates"),
            models.CheckConstraint(
                condition=~Q(kind="class") | (Q(course__isnull=False) & Q(term__isnull=False)),
                name="activities_class_has_course_and_term",
            ),
            models.CheckConstraint(condition=Q(hold_hours__gte=1), name="activities_hold_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def open_places(self):
        return self.capacity - self.reserved - self.taken


class WeeklySlot(models.Model):
    """A weekly time of a class (or a team's practice): weekday 0 = Monday."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("星期"))
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("上课时间")
        verbose_name_plural = verbose_name
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="activities_slot_weekday"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="activities_slot_order"),
        ]

    def __str__(self):
        return f"{self.weekday_label} {self.starts:%H:%M}-{self.ends:%H:%M}"

    @property
    def weekday_label(self):
        return WEEKDAYS[self.weekday]

    def overlaps(self, other):
        return self.weekday == other.weekday and self.starts < other.ends and other.starts < self.ends


class FamilyLink(models.Model):
    """A verified tie between a resident and a relative who may act for him: a guardian of a
    minor, or a family member who enrols an elder by proxy."""

    class Kind(models.TextChoices):
        GUARDIAN = "guardian", _("监护人")
        FAMILY = "family", _("家属")

    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+", verbose_name=_("居民"))
    relative = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+", verbose_name=_("亲属"))
    kind = models.CharField(_("关系"), max_length=12, choices=Kind.choices)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("核验人"))
    verified_at = models.DateTimeField(_("核验时间"), default=clock.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("亲属关系")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["resident", "relative"], name="activities_family_link_once"),
            models.CheckConstraint(condition=~Q(resident=F("relative")), name="activities_family_link_not_self"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class NoShowPolicy(models.Model):
    """After `threshold` no-shows (a late cancellation counts, a timely one does not) within
    `lookback_days`, a resident may only join waiting lists for `restriction_days`."""

    community = models.OneToOneField("territory.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    threshold = models.PositiveSmallIntegerField(_("爽约次数"), default=3)
    lookback_days = models.PositiveSmallIntegerField(_("统计天数"), default=180)
    restriction_days = models.PositiveSmallIntegerField(_("仅可候补天数"), default=30)

    class Meta:
        verbose_name = _("爽约规则")
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=Q(threshold__gte=1), name="activities_noshow_threshold")]

    def __str__(self):
        return f"{self.threshold} / {self.lookback_days} → {self.restriction_days}"


LIVE_STATES = ("applied", "confirmed", "waiting", "offered", "attended", "no_show")


class Enrolment(models.Model):
    class State(models.TextChoices):
        APPLIED = "applied", _("已申请待抽签")
        WAITING = "waiting", _("候补中")
        OFFERED = "offered", _("候补递补待确认")
        CONFIRMED = "confirmed", _("已报名")
        ATTENDED = "attended", _("已参加")
        NO_SHOW = "no_show", _("爽约")
        CANCELLED = "cancelled", _("已取消")
        DECLINED = "declined", _("放弃递补")
        EXPIRED = "expired", _("递补逾期")

    class Channel(models.TextChoices):
        SELF = "self", _("本人报名")
        FAMILY = "family", _("家属代报")
        COUNTER = "counter", _("柜台代办")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="enrolments")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("报名人"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices)
    ticket = models.PositiveIntegerField(_("报名序号"), editable=False)
    channel = models.CharField(_("报名方式"), max_length=8, choices=Channel.choices, default=Channel.SELF)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    offer_expires_at = models.DateTimeField(_("递补保留至"), null=True, blank=True)
    # A minor's guardian, or an elder's family member, who consented, and when.
    consent_by = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    safety_pledge = models.BooleanField(_("已签安全承诺"), default=False)
    late_cancel = models.BooleanField(_("逾期取消"), default=False)
    tier = models.PositiveSmallIntegerField(_("抽签优先级"), default=0, help_text=_("0 优先：本学期尚未报其他班"))
    draw_rank = models.PositiveIntegerField(_("抽签顺位"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = verbose_name
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["activity", "state", "ticket"], name="activities_enr_queue"),
            models.Index(fields=["resident", "state"], name="activities_enr_person"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["activity", "ticket"], name="activities_one_ticket_each"),
            models.UniqueConstraint(
                fields=["activity", "resident"], condition=Q(state__in=LIVE_STATES), name="activities_one_live_enrolment"
            ),
            models.CheckConstraint(condition=~Q(state="offered") | Q(offer_expires_at__isnull=False), name="activities_offer_has_expiry"),
        ]

    def __str__(self):
        return f"{self.activity} · {self.get_state_display()}"


class Attendance(models.Model):
    """One person admitted on one day: by QR, roll-call or ID number; a minor is signed in
    and out by a named adult."""

    class Method(models.TextChoices):
        QR = "qr", _("扫码")
        ROLL = "roll", _("点名")
        ID = "id", _("身份证核验")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendances")
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("签到时间"), default=clock.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("签到人"))
    method = models.CharField(_("方式"), max_length=4, choices=Method.choices)
    adult_in = models.CharField(_("接送人（签到）"), max_length=32, blank=True)
    adult_out = models.CharField(_("接送人（签退）"), max_length=32, blank=True)
    out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["enrolment", "on"], name="activities_attend_once_a_day")]

    def __str__(self):
        return f"{self.on} {self.get_method_display()}"


class TeamPractice(models.Model):
    """A culture or sports team's regular practice: where and when. Booking the place is
    the venues app's (services.venue_hook)."""

    team = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("队伍"))
    facility = models.ForeignKey("territory.Facility", on_delete=models.PROTECT, related_name="+", verbose_name=_("场地"))
    weekday = models.PositiveSmallIntegerField(_("星期"))
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("队伍训练时间")
        verbose_name_plural = verbose_name
        ordering = ["team_id", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="activities_practice_weekday"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="activities_practice_order"),
            models.UniqueConstraint(fields=["team", "weekday", "starts"], name="activities_practice_once"),
        ]

    def __str__(self):
        return f"{self.weekday_label} {self.starts:%H:%M}"

    @property
    def weekday_label(self):
        return WEEKDAYS[self.weekday]


class ActivityEvent(ChainedEvent):
    """The chained record of an activity's own state changes (open, close, finish, cancel)."""

    subject_field = "activity"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "seq"], name="activities_event_seq")]
        ordering = ["activity_id", "seq"]


class EnrolmentEvent(ChainedEvent):
    """The chained record of every step of one enrolment: joined, offered, accepted,
    expired, cancelled, checked in. One chain per enrolment, so a rush of enrolments on
    one class writes to as many chains and waits on none of them."""

    subject_field = "enrolment"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "seq"], name="activities_enr_event_seq")]
        ordering = ["enrolment_id", "seq"]


# --- 好家风 selection ---------------------------------------------------------------------------


class Selection(models.Model):
    """A 好家风 (good family tradition) selection: nominations, review, a real-name public vote,
    a jury, a weighted score, the ranking on 公示 in the 公示栏 (`notice_id`, through
    core.publication: the notices app keeps its period and objections), then publication. The
    weights, the number of choices per ballot and the days of 公示 (at least the notice kind's)
    are data."""

    class State(models.TextChoices):
        NOMINATING = "nominating", _("推荐中")
        REVIEWING = "reviewing", _("资格审核")
        VOTING = "voting", _("群众投票")
        PUBLICITY = "publicity", _("公示中")
        PUBLISHED = "published", _("已公布")

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    title = models.CharField(_("名称"), max_length=80)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.NOMINATING)
    choices_per_ballot = models.PositiveSmallIntegerField(_("每票可选家庭数"), default=3)
    public_weight = models.PositiveSmallIntegerField(_("群众投票权重（%）"), default=60)
    jury_weight = models.PositiveSmallIntegerField(_("评委评分权重（%）"), default=40)
    winners = models.PositiveSmallIntegerField(_("评选名额"), default=10)
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=5)
    notice_id = models.PositiveBigIntegerField(_("公示"), null=True, blank=True)
    result = models.JSONField(_("公布结果"), default=list, blank=True, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("好家风评比")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(public_weight__lte=100) & Q(jury_weight__lte=100), name="activities_sel_weights_pct"),
            models.CheckConstraint(condition=Q(choices_per_ballot__gte=1), name="activities_sel_choices"),
            models.CheckConstraint(condition=Q(notice_id__isnull=True) | Q(state__in=["publicity", "published"]),
                                   name="activities_sel_notice_when_publicised"),
        ]

    def __str__(self):
        return self.title


class Nomination(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        ACCEPTED = "accepted", _("审核通过")
        REJECTED = "rejected", _("未通过")

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="nominations")
    household = models.ForeignKey("territory.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("家庭"))
    family_name = models.CharField(_("家庭称呼"), max_length=40, help_text=_("公开展示的称呼，如“王家”"))
    story = models.TextField(_("家风故事"), max_length=2000)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.SUBMITTED)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("好家风推荐")
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["selection", "household"], name="activities_nominated_once")]

    def __str__(self):
        return self.family_name


class Ballot(models.Model):
    """One real-name ballot: one per account per selection per day."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    at = models.DateTimeField(default=clock.now)
    choices = models.ManyToManyField(Nomination, related_name="ballots")

    class Meta:
        verbose_name = _("投票")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["selection", "voter", "day"], name="activities_one_ballot_a_day")]

    def __str__(self):
        return f"{self.selection_id} {self.day}"


class JuryScore(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="jury_scores")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("评分"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nomination", "juror"], name="activities_one_score_per_juror"),
            models.CheckConstraint(condition=Q(score__lte=100), name="activities_score_range"),
        ]

    def __str__(self):
        return f"{self.nomination_id}: {self.score}"


class SelectionEvent(ChainedEvent):
    subject_field = "selection"

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["selection", "seq"], name="activities_sel_event_seq")]
        ordering = ["selection_id", "seq"]
