"""Records and configuration shared by every app: the audit log (who changed what), the access
log (who revealed which personal data, and why), and the work calendar (core.calendar)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import clock


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """Rows are written once: saving an existing row or deleting one raises."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only")


class AuditLog(AppendOnlyModel):
    at = models.DateTimeField(default=clock.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


class AccessLog(AppendOnlyModel):
    """One row per reveal of masked personal data, per search on its hidden digits, and per
    check of a typed ID number against the stored one."""

    at = models.DateTimeField(default=clock.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    field = models.CharField(max_length=32)
    reason = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.field} {self.target_type}#{self.target_id}"


class IdempotencyKey(models.Model):
    """One client's Idempotency-Key: the request it was first used with (its fingerprint) and
    that request's answer, `status` empty while the request runs. See core.idempotency."""

    owner = models.CharField(max_length=64)  # "user:12", "open311:3": whose key it is
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(default=b"", blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="core_idempotency_owner_key_unique")]

    def __str__(self):
        return f"{self.owner} {self.key}"


class WorkerHeartbeat(models.Model):
    """A task worker that is alive says so here every few seconds (core.workers). A task left
    RUNNING by a worker whose last beat is older than the lease is taken back."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField()
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = _("任务进程心跳")
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.worker_id} {self.beat_at:%H:%M:%S}"


class WorkCalendar(models.Model):
    """Working hours; which days are worked comes from China's statutory calendar
    (core.calendar), with single days overridden by CalendarOverride rows."""

    name = models.CharField(_("名称"), max_length=32, unique=True)
    morning_start = models.TimeField(_("上午上班"), default="08:30")
    morning_end = models.TimeField(_("上午下班"), default="12:00")
    afternoon_start = models.TimeField(_("下午上班"), default="14:00")
    afternoon_end = models.TimeField(_("下午下班"), default="17:30")
    is_default = models.BooleanField(_("默认日历"), default=False)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_work_calendar"),
        ]

    def __str__(self):
        return self.name


class CalendarOverride(models.Model):
    """One day an administrator sets against the statutory calendar (a local holiday, a day
    the package does not know yet, a correction); it wins over chinesecalendar."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("工作日历"))
    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("上班"), default=False, help_text=_("放假不勾选；上班（如调休）勾选"))
    name = models.CharField(_("说明"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("日期调整")
        verbose_name_plural = verbose_name
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_override_unique")]

    def __str__(self):
        return f"{self.date} {self.name}"
