"""A notification to one user about any object, the user's channel preferences, webhook
endpoints, and one row per delivery outside the app (with each attempt of it)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liulin.core import clock


def label(text):
    """A value that is itself a word of the interface (a unit's kind, a tier, a deadline's
    name), not data: stored in the source language and translated when read, like the text."""
    with translation.override(None):
        return {"label": str(text)}


def fill(text, params, *, translated=False, marked=False):
    """`text` filled from `params`, with `label` values in the source language or, when
    `translated`, in the active one. `marked`: HTML, the data values (names, categories,
    reasons) in `translate="no"` spans, the rest escaped."""
    values = {
        name: (gettext(value["label"]) if translated else value["label"]) if isinstance(value, dict) else value
        for name, value in params.items()
    }
    if marked:
        data = {name for name, value in params.items() if not isinstance(value, dict)}
        values = {
            name: format_html('<span translate="no">{}</span>', value) if name in data else conditional_escape(value)
            for name, value in values.items()
        }
        return mark_safe(conditional_escape(text).format(**values))  # noqa: S308 - every part escaped above
    return text.format(**values)


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WEBHOOK = "webhook", "Webhook"


class NotificationQuerySet(models.QuerySet):
    def about(self, obj):
        """The notifications whose target is `obj`."""
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk))

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One notice to one user; read or unread is his alone.

    `text` is the message in the source language (Chinese) with `{name}` placeholders and
    `params` its values, so a reader in another language gets it translated at render;
    `message` is the same text filled in, kept for mail, search and rows whose text cannot be
    translated (those moved in from before the kernel had `text`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=50)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    text = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    message = models.CharField(_("内容"), max_length=200)
    at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["target_type", "target_id"], name="notification_target"),
        ]

    def __str__(self):
        return self.message

    def rendered(self, *, marked=False):
        """The text in the reader's language (the active one); `marked`: as HTML with its
        data values marked translate="no" (see `fill`)."""
        if not self.text:
            return conditional_escape(self.message) if marked else self.message
        try:
            return fill(gettext(self.text), self.params, translated=True, marked=marked)
        except (KeyError, IndexError, ValueError, TypeError):  # a translation that names a placeholder wrongly
            return conditional_escape(self.message) if marked else self.message

    def rendered_html(self):
        return self.rendered(marked=True)


class Preference(models.Model):
    """Which channels besides the inbox a user wants, for one kind or (kind "") for all kinds
    he has not set one by one. No row: the inbox only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("类型"), max_length=50, blank=True)
    email = models.BooleanField(_("电子邮件"), default=False)
    sms = models.BooleanField(_("短信"), default=False)
    webhook = models.BooleanField("Webhook", default=False)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_one_per_kind")]

    def __str__(self):
        return f"{self.user_id} {self.kind or '*'}"

    def channels(self):
        return {c for c in (Channel.EMAIL, Channel.SMS, Channel.WEBHOOK) if getattr(self, c)}


class WebhookEndpoint(models.Model):
    """Where notifications are POSTed, signed with `secret`: a user's own endpoint (when he
    opts in to the webhook channel) or an organisation's (for notices a domain app addresses
    to the organisation)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    org = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("地址"), max_length=300)
    secret = models.CharField(_("签名密钥"), max_length=128)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("Webhook 地址")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, org__isnull=True) | Q(user__isnull=True, org__isnull=False),
                name="webhook_endpoint_user_xor_org",
            ),
            models.UniqueConstraint(fields=["user"], condition=Q(user__isnull=False), name="webhook_endpoint_one_per_user"),
        ]

    def __str__(self):
        return self.url


class Delivery(models.Model):
    """One notification (or one organisation notice) sent through one channel to one address."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("失败")

    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    endpoint = models.ForeignKey(WebhookEndpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    address = models.CharField(_("地址"), max_length=300)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["status", "created_at"], name="delivery_status")]

    def __str__(self):
        return f"{self.channel} → {self.address}"


class Attempt(models.Model):
    """One try of a delivery: when, how it ended, the HTTP status where there is one."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=clock.now)
    ok = models.BooleanField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.delivery_id} {self.response_code or self.error}"
