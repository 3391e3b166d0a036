from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from liulin.core import clock


class Attachment(models.Model):
    """A photo or document of any object (its owner). The file lives in Django's default
    storage under `file`; it is served only by the access-checked view (`attachments:file`),
    to users who may see the owner."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("照片")
        DOCUMENT = "document", _("文件")

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    # Every owner here has an integer key (BigAutoField); an integer joins the owner's table
    # without a cast on PostgreSQL.
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    stage = models.CharField(max_length=32, help_text=_("用途，由应用定义，例如 intake 诉求照片、result 办结照片"))
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.CharField(max_length=255, help_text=_("默认存储中的文件名；只经权限检查的视图提供"))
    content_type = models.CharField(max_length=64, help_text=_("从内容判断的类型，不取文件名或客户端声明"))
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["owner_type", "owner_id", "stage"], name="attachment_owner")]

    def __str__(self):
        return self.file
