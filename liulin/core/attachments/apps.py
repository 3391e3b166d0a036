from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    """Kernel: photos and documents for any object. Its own app (label `attachments`) because it
    has a model, migrations and a view; it imports no domain app, apps register their owners."""

    name = "liulin.core.attachments"
    label = "attachments"
    verbose_name = _("附件")
