"""Open311 GeoReport v2: attribute definitions of services, api keys, and the link between
a request filed through Open311 and the work order it became.

A service is a leaf of the 雷锋哨 category tree (its code is the service_code). An api key
belongs to a named integrator and acts through a service user: every request it files is
filed by that user through the same intake service as the hotline, so the user must hold a
role that may file at the place (a 接线员 hotline_operator role over the jurisdiction).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liulin.core import clock


class ServiceAttribute(models.Model):
    """One attribute of a service definition (GeoReport v2 `attribute`)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("单行文字")
        NUMBER = "number", _("数字")
        DATETIME = "datetime", _("日期时间")
        TEXT = "text", _("多行文字")
        SINGLEVALUELIST = "singlevaluelist", _("单选")
        MULTIVALUELIST = "multivaluelist", _("多选")

    category = models.ForeignKey(
        "whistle.Category", on_delete=models.CASCADE, related_name="open311_attributes", verbose_name=_("类别")
    )
    code = models.SlugField(_("代码"), max_length=48, help_text=_("提交时作为 attribute[代码]"))
    variable = models.BooleanField(_("需要填写"), default=True, help_text=_("否：仅作说明文字，不收集数值"))
    datatype = models.CharField(_("类型"), max_length=16, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("必填"), default=False)
    datatype_description = models.CharField(_("格式说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    description = models.CharField(_("问题"), max_length=300)
    values = models.JSONField(
        _("选项"), default=list, blank=True, help_text=_('单选/多选的选项：[{"key": "1", "name": "一楼"}, ...]')
    )

    class Meta:
        verbose_name = _("Open311 服务属性")
        verbose_name_plural = verbose_name
        ordering = ["category_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_unique_code")]

    def __str__(self):
        return f"{self.category} · {self.code}"

    @property
    def is_list(self):
        return self.datatype in (self.Datatype.SINGLEVALUELIST, self.Datatype.MULTIVALUELIST)

    def keys(self):
        return [str(v.get("key")) for v in self.values or [] if isinstance(v, dict)]


class Open311Key(models.Model):
    """An integrator's api_key. Only the SHA-256 of the key is stored."""

    name = models.CharField(_("名称"), max_length=64, unique=True)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="open311_keys",
        verbose_name=_("服务账号"),
        help_text=_("以此账号的身份下单；须持有可下单的角色（如辖区的接线员）"),
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "Open311 api_key"
        verbose_name_plural = verbose_name
        ordering = ["name"]

    def __str__(self):
        return self.name


class Open311Request(models.Model):
    """What an Open311 POST carried beyond the work order itself."""

    ticket = models.OneToOneField("whistle.Ticket", on_delete=models.PROTECT, related_name="open311")
    key = models.ForeignKey(Open311Key, on_delete=models.PROTECT, related_name="requests")
    token = models.CharField(max_length=32, unique=True)
    attributes = models.JSONField(default=dict, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    account_id = models.CharField(max_length=64, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    address_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("Open311 请求")
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.ticket_id} ({self.token})"
