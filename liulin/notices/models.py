"""公示: notices with a kind's legal period, objections answered in time, versions kept,
the 居务公开 catalogue with its schedule, and per-household delivery receipts.

docs/notices.md has the rules, their numbers and their sources.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.chain import ChainedEvent


class DayBasis(models.TextChoices):
    CALENDAR = "calendar", _("自然日")
    WORKING = "working", _("工作日")


class NoticeKind(models.Model):
    """A kind of notice and its required period: configuration, one row per kind."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    period_days = models.PositiveSmallIntegerField(_("公示期（天）"))
    period_basis = models.CharField(_("公示期计算"), max_length=10, choices=DayBasis.choices, default=DayBasis.CALENDAR)
    answer_days = models.PositiveSmallIntegerField(_("异议答复期限（天）"), default=3)
    answer_basis = models.CharField(_("答复期限计算"), max_length=10, choices=DayBasis.choices, default=DayBasis.WORKING)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("公示类别")
        verbose_name_plural = verbose_name
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(period_days__gte=1) & Q(period_days__lte=366), name="notices_kind_period_range"),
            models.CheckConstraint(condition=Q(answer_days__gte=1) & Q(answer_days__lte=60), name="notices_kind_answer_range"),
        ]

    def __str__(self):
        return self.name


class Schedule(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")


SCHEDULE_MONTHS = {Schedule.MONTHLY: 1, Schedule.QUARTERLY: 3, Schedule.HALF_YEARLY: 6, Schedule.YEARLY: 12}


class CatalogueItem(models.Model):
    """An item of a community's 居务公开目录, published on a schedule."""

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    title = models.CharField(_("公开事项"), max_length=80)
    kind = models.ForeignKey(NoticeKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("公示类别"))
    schedule = models.CharField(_("公开频次"), max_length=12, choices=Schedule.choices)
    since = models.DateField(_("起始日期"), default=clock.today)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("居务公开目录")
        verbose_name_plural = verbose_name
        ordering = ["community", "title"]
        constraints = [
            models.UniqueConstraint(fields=["community", "title"], name="notices_catalogue_unique_title"),
            models.CheckConstraint(condition=Q(schedule__in=Schedule.values), name="notices_catalogue_schedule_valid"),
        ]

    def __str__(self):
        return self.title


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("公示中")
    FINALISED = "finalised", _("已办结")
    DISCARDED = "discarded", _("已作废")


class Notice(models.Model):
    """A matter put on public notice. Its text lives in versions; the newest is the one in
    force, a correction adds a version and restarts the period, the old ones stay visible."""

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    kind = models.ForeignKey(NoticeKind, on_delete=models.PROTECT, related_name="notices", verbose_name=_("公示类别"))
    catalogue_item = models.ForeignKey(CatalogueItem, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="notices", verbose_name=_("居务公开目录"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    ends_at = models.DateTimeField(_("公示期满"), null=True, blank=True)
    last_day = models.DateField(_("公示期最后一日"), null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    # A notice another app published through core.publication: which app's matter, and where it
    # is; its period may be longer than the kind's (never shorter).
    origin = models.CharField(_("来源"), max_length=40, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject_url = models.CharField(max_length=200, blank=True)
    period_days = models.PositiveSmallIntegerField(_("公示期（天）"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="notices_notice_state_valid"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "discarded"]) | (Q(published_at__isnull=False) & Q(ends_at__gt=models.F("published_at"))),
                name="notices_published_has_period"),
            models.CheckConstraint(condition=~Q(state="finalised") | Q(finalised_at__gte=models.F("ends_at")),
                                   name="notices_finalised_after_period"),
            models.UniqueConstraint(fields=["origin", "subject_id"], condition=~Q(origin=""), name="notices_one_per_subject"),
            models.CheckConstraint(condition=Q(origin="") | Q(subject_id__isnull=False), name="notices_origin_has_subject"),
            models.CheckConstraint(condition=Q(period_days__isnull=True) | (Q(period_days__gte=1) & Q(period_days__lte=366)),
                                   name="notices_period_days_range"),
        ]

    def __str__(self):
        return f"{self.pk}"

    @property
    def days(self):
        """The period this notice runs: its own where its app set a longer one, else its kind's."""
        return self.period_days or self.kind.period_days


class NoticeVersion(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(_("标题"), max_length=80)
    body = models.TextField(_("公示内容"))
    reason = models.CharField(_("更正理由"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["notice", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "number"], name="notices_version_unique_number"),
            models.CheckConstraint(condition=Q(number=1) | ~Q(reason=""), name="notices_correction_has_reason"),
        ]

    def __str__(self):
        return self.title


class NoticeEvent(ChainedEvent):
    subject_field = "notice"
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["notice", "seq"]
        constraints = [models.UniqueConstraint(fields=["notice", "seq"], name="notices_event_seq_unique")]


class Objection(models.Model):
    """An objection filed inside the window, answered by its due time."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("异议"))
    # What the objection is about where the publishing app lists items (a nomination, an
    # application), and whether the answer found it upheld: the app acts on upheld items.
    item = models.CharField(_("异议对象"), max_length=40, blank=True)
    item_label = models.CharField(_("异议对象"), max_length=100, blank=True)
    raised_at = models.DateTimeField(default=clock.now)
    answer_due = models.DateTimeField()
    answer = models.TextField(_("答复"), blank=True)
    upheld = models.BooleanField(_("异议成立"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["notice", "raised_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(answered_at__isnull=True) | ~Q(answer=""), name="notices_answer_has_text"),
            models.CheckConstraint(condition=Q(upheld__isnull=True) | Q(answered_at__isnull=False), name="notices_upheld_when_answered"),
            models.CheckConstraint(condition=Q(answer_due__gt=models.F("raised_at")), name="notices_answer_due_after_raised"),
        ]

    def __str__(self):
        return self.text[:40]


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WEBHOOK = "webhook", _("Webhook")


class Receipt(models.Model):
    """Proof of service: a notice delivered to one household by one channel, and when a
    member of the household read it."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="receipts")
    household = models.ForeignKey("territory.Household", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    delivered_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["notice", "household", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "household", "channel"], name="notices_one_receipt_per_channel"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="notices_receipt_channel_valid"),
            models.CheckConstraint(condition=Q(read_at__isnull=True) | Q(read_at__gte=models.F("delivered_at")),
                                   name="notices_read_after_delivered"),
        ]

    def __str__(self):
        return f"{self.notice_id}:{self.household_id}:{self.channel}"
