"""Append-only records shared by every app: the audit log (who changed what) and the access
log (who revealed which personal data, and why)."""

from django.conf import settings
from django.db import models

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
        verbose_name = "审计日志"
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
        verbose_name = "个人信息查看记录"
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
        verbose_name = "幂等键"
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
        verbose_name = "任务进程心跳"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.worker_id} {self.beat_at:%H:%M:%S}"
