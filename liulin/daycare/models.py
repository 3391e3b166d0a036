"""The 日间照料中心 at the 雷锋驿站: elders enrolled on weekly days, who came each day, who
was missed, and what was done for them.

Invariants held by the database, on SQLite and PostgreSQL alike:
- `0 <= taken <= capacity` for each weekday of a centre (check): a place on a weekday is
  only taken by a conditional UPDATE in services, so concurrent enrolments never oversell;
- one live enrolment per elder per centre (unique, conditional on the live states);
- one attendance row per enrolment per day, one absence call per enrolment per day (unique);
- an attendance's check-out is not before its check-in (check).

Health notes and family phone numbers are stored only as Fernet tokens (core.crypto), as
ID numbers are in the registry; they are shown to the centre's care staff only, and each
reveal is written to the access log.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.chain import ChainedEvent

WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


class Centre(models.Model):
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("名称"), max_length=64)
    address = models.CharField(_("地址"), max_length=128, blank=True)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="daycare_centres", verbose_name=_("照护人员"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("日间照料中心")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="daycare_centre_unique_name")]

    def __str__(self):
        return self.name


class DayPlace(models.Model):
    """The places of one weekday: how many elders the centre cares for that day."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="days", verbose_name=_("中心"))
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=list(enumerate(WEEKDAYS)))
    capacity = models.PositiveSmallIntegerField(_("名额"))
    taken = models.PositiveSmallIntegerField(_("已占用"), default=0)

    class Meta:
        verbose_name = _("每日名额")
        verbose_name_plural = verbose_name
        ordering = ["centre_id", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "weekday"], name="daycare_dayplace_once"),
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="daycare_dayplace_capacity"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="daycare_dayplace_weekday"),
        ]

    def __str__(self):
        return f"{self.centre_id} {self.get_weekday_display()} {self.taken}/{self.capacity}"


class Enrolment(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("候补")
        ACTIVE = "active", _("在托")
        SUSPENDED = "suspended", _("暂停")
        ENDED = "ended", _("已结束")

    LIVE = (State.WAITING, State.ACTIVE, State.SUSPENDED)

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("中心"))
    elder = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("长辈"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.WAITING)
    # Planned weekdays as digits, Monday 0: "024" is Monday, Wednesday and Friday.
    days = models.CharField(_("照料日"), max_length=7)
    care_tags = models.CharField(_("照护标签"), max_length=200, blank=True)
    care_plan = models.TextField(_("照护计划"), blank=True)
    health_cipher = models.TextField(_("健康备注（加密）"), blank=True, editable=False)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("托老登记")
        verbose_name_plural = verbose_name
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "elder"], condition=Q(state__in=["waiting", "active", "suspended"]),
                                    name="daycare_enrolment_one_live"),
            models.CheckConstraint(condition=~Q(days=""), name="daycare_enrolment_days"),
        ]

    def __str__(self):
        return f"{self.centre} #{self.pk}"

    @property
    def weekdays(self):
        return sorted({int(d) for d in self.days})

    def planned_on(self, day):
        return str(day.weekday()) in self.days

    def days_label(self):
        return "、".join(str(WEEKDAYS[d]) for d in self.weekdays)


class FamilyContact(models.Model):
    """An emergency contact; one with an account (`user`) is a consented proxy who checks the
    elder in at the door and reads the day's log."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=32)
    relation = models.CharField(_("关系"), max_length=16)
    phone_cipher = models.TextField(_("电话（加密）"), blank=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("家属账号"))
    consented_at = models.DateTimeField(_("授权时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("紧急联系人")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["enrolment", "user"], name="daycare_contact_once")]

    def __str__(self):
        return f"{self.relation} #{self.pk}"


class Attendance(models.Model):
    class State(models.TextChoices):
        PRESENT = "present", _("在站")
        LEFT = "left", _("已离站")

    class Method(models.TextChoices):
        STAFF = "staff", _("工作人员")
        QR = "qr", _("家属扫码")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendances")
    day = models.DateField(_("日期"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PRESENT)
    checked_in_at = models.DateTimeField(_("到站时间"))
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices)
    checked_out_at = models.DateTimeField(_("离站时间"), null=True, blank=True)
    checked_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="daycare_attendance_once"),
            models.CheckConstraint(condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                                   name="daycare_attendance_out_after_in"),
        ]

    def __str__(self):
        return f"#{self.enrolment_id} {self.day}"


class AbsenceCall(models.Model):
    """A call to make to the family when an elder planned for the day has not arrived."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="absence_calls")
    day = models.DateField(_("日期"))
    raised_at = models.DateTimeField(_("发起时间"), default=clock.now)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("缺勤电话")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="daycare_absence_once")]

    def __str__(self):
        return f"#{self.enrolment_id} {self.day}"


class CareLog(models.Model):
    class Kind(models.TextChoices):
        MEAL = "meal", _("用餐")
        ACTIVITY = "activity", _("活动")
        READING = "reading", _("测量")
        INCIDENT = "incident", _("意外情况")
        NOTE = "note", _("记录")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="logs")
    day = models.DateField(_("日期"))
    at = models.DateTimeField(_("时间"), default=clock.now)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("内容"), max_length=200)
    # A reading: "收缩压 128 mmHg" is text "收缩压", value 128, unit "mmHg".
    value = models.DecimalField(_("数值"), max_digits=7, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=12, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("照护记录")
        verbose_name_plural = verbose_name
        ordering = ["day", "at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="reading") | (Q(value__isnull=False) & ~Q(unit="")),
                                   name="daycare_log_reading_has_value"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class EnrolmentEvent(ChainedEvent):
    """The chained record of every step of one enrolment: enrolled, admitted, checked in and
    out, logged, health notes read."""

    subject_field = "enrolment"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "seq"], name="daycare_enr_event_seq")]
        ordering = ["enrolment_id", "seq"]
