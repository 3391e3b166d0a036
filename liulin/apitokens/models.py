"""Per-user API tokens for integrators.

A token is shown once, at creation. Only its SHA-256 hash is stored, beside a short
random prefix that finds the row without scanning; comparing hashes is constant-time.
A request authenticated by a token acts as the token's user, with that user's scopes
(roles), further narrowed by the token's own scopes (read / write / <resource>:write).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liulin.core import clock

# Resources are the first path segment under /api/v1 (the router a request goes to).
RESOURCES = ("tickets", "territory", "people", "orgs")
SCOPES = ("read", "write", *[f"{r}:{mode}" for r in RESOURCES for mode in ("read", "write")])


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("账号"))
    name = models.CharField(_("用途"), max_length=64)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("权限范围"), default=list, help_text=_("read、write，或 tickets:write 之类的资源范围"))
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("到期"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > clock.now()

    def allows(self, method, resource):
        """May this token make a `method` request to `resource` (e.g. "tickets")?"""
        scopes = set(self.scopes)
        if method in ("GET", "HEAD", "OPTIONS"):
            return bool(scopes & {"read", "write", f"{resource}:read", f"{resource}:write"})
        return bool(scopes & {"write", f"{resource}:write"})
