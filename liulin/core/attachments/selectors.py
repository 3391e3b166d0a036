"""Attachments out: only to users who may see their owner.

Each app registers, once (AppConfig.ready), the permission that lets a user see an owner of
its models: `register_owner(Ticket, perm="whistle.view")`. An attachment is then found
through `core.permissions.scoped` on its owner's model, so the same rule that hides a ticket
hides its photos; anything else, an unregistered owner included, is "not found" (404).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from liulin.core.errors import NotFound
from liulin.core.permissions import scoped

from .models import Attachment

_owner_perms = {}


def register_owner(model, *, perm):
    """Attachments of `model`'s rows are seen by whoever may `perm` the row."""
    _owner_perms[model._meta.label_lower] = perm


def _not_found():
    return NotFound(_("找不到该附件，或您无权查看。"))


def for_owner(owner, stage=None):
    """The attachments of an owner the caller has already shown to be visible, in upload order."""
    rows = Attachment.objects.filter(owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk)
    if stage is not None:
        rows = rows.filter(stage=stage)
    return rows.order_by("stage", "id")


def attachment_for(user, pk):
    """The attachment `pk` if `user` may see its owner; else NotFound."""
    attachment = Attachment.objects.select_related("owner_type").filter(pk=pk).first()
    if attachment is None:
        raise _not_found()
    model = attachment.owner_type.model_class()
    perm = _owner_perms.get(model._meta.label_lower) if model is not None else None
    if perm is None or not scoped(user, model._default_manager.filter(pk=attachment.owner_id), perm).exists():
        raise _not_found()
    return attachment


def open_for(user, attachment_or_pk):
    """(attachment, its file opened for reading from default_storage), if `user` may see its
    owner; else NotFound."""
    pk = getattr(attachment_or_pk, "pk", attachment_or_pk)
    attachment = attachment_for(user, pk)
    if not default_storage.exists(attachment.file):
        raise NotFound(_("附件文件已不存在。"))
    return attachment, default_storage.open(attachment.file, "rb")
