"""Attachments in: checked, cleaned and written through Django's storage.

An upload is trusted for nothing: at most LIULIN_ATTACHMENT_MAX_BYTES are read, and the type
is sniffed from the bytes (never the file name or the client's content type). A picture is
opened by Pillow, turned upright by its EXIF orientation and re-encoded as a JPEG of at most
MAX_SIDE pixels a side; re-encoding drops every piece of metadata, above all the GPS position
of a resident's phone. A PDF (documents only) is kept as sent, after its header and end
marker are checked. Files go to `default_storage` as
<app>/<model>/<yyyy>/<mm>/<uuid>.<ext>, so the storage may be a folder, S3 or anything
Django's storage API offers.

    clean(upload, accept={IMAGE})                  -> CleanFile (nothing written)
    save_clean(owner=..., cleaned=..., stage=..., actor=...) -> Attachment
    attach(owner=..., upload=..., stage=..., actor=...)      both at once
    discard(attachments)                           remove files whose rows were rolled back
    from_base64(text, field=...)                   an API's base64 photo as an upload for clean()
"""

import base64
import binascii
import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from liulin.core import clock
from liulin.core.errors import Invalid, TooLarge

from .models import Attachment

IMAGE = Attachment.Kind.IMAGE
DOCUMENT = Attachment.Kind.DOCUMENT
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 2048
JPEG_QUALITY = 85
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the multi-picture JPEG some phones write

try:  # HEIF/HEIC (iPhone photos) only when the optional pillow-heif plugin is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    IMAGE_FORMATS |= {"HEIF", "HEIC"}
except ImportError:
    pass


@dataclass(frozen=True)
class CleanFile:
    """A checked upload, re-encoded where it is a picture, not yet written anywhere."""

    data: bytes
    kind: str
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def from_base64(text, *, field="photos"):
    """A base64 photo sent to an API as a file for `clean`, which checks what it holds; a
    data: URL prefix is allowed, as browsers' FileReader writes one."""
    _prefix, _comma, body = str(text).rpartition(",")
    try:
        return io.BytesIO(base64.b64decode(body, validate=True))
    except (binascii.Error, ValueError):
        raise Invalid(_("照片不是有效的 base64 编码。"), code="not_an_image", field=field) from None


def max_bytes():
    return int(getattr(settings, "LIULIN_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _too_large(accept, field):
    megabytes = max_bytes() // (1024 * 1024)
    if accept == {IMAGE}:
        return TooLarge(_("照片不能超过 %(mb)s MB。") % {"mb": megabytes}, code="photo_too_large", field=field)
    return TooLarge(_("文件不能超过 %(mb)s MB。") % {"mb": megabytes}, code="file_too_large", field=field)


def _refused(accept, field):
    if accept == {IMAGE}:
        return Invalid(_("只能上传 JPEG、PNG 或 WebP 格式的照片。"), code="not_an_image", field=field)
    return Invalid(_("只能上传 JPEG、PNG、WebP 格式的照片或 PDF 文件。"), code="unsupported_file", field=field)


def _read_capped(upload, accept, field):
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(accept, field)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(accept, field)
    return data


def _is_pdf(data):
    # A PDF starts with its version header and ends with %%EOF (a few trailing bytes allowed).
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def _open_image(data, accept, field):
    """The picture in `data`, or None when it is no picture at all; refuses a broken one."""
    try:
        probe = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None
    except Image.DecompressionBombError:
        raise Invalid(_("照片像素过大。"), code="photo_too_large", field=field) from None
    try:
        if probe.format not in IMAGE_FORMATS:
            raise _refused(accept, field)
        probe.verify()  # walks the file; a truncated or forged body fails here
        image = Image.open(io.BytesIO(data))
        image.load()
        return image
    except Image.DecompressionBombError:
        raise Invalid(_("照片像素过大。"), code="photo_too_large", field=field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refused(accept, field) from None


def _flatten(image):
    """RGB on a white background (a JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _reencoded(image):
    image = _flatten(ImageOps.exif_transpose(image))
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    # No exif=, no icc_profile=: the new file carries pixels only.
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanFile(out.getvalue(), IMAGE, "image/jpeg", "jpg", image.width, image.height)


def clean(upload, *, accept=frozenset({IMAGE}), field="file"):
    """Check one upload and re-encode it if it is a picture; raises TooLarge/Invalid (with
    `field` for the form or API) and writes nothing. `accept`: the kinds allowed."""
    accept = set(accept)
    data = _read_capped(upload, accept, field)
    if IMAGE in accept:
        image = _open_image(data, accept, field)
        if image is not None:
            return _reencoded(image)
    if DOCUMENT in accept and _is_pdf(data):
        return CleanFile(data, DOCUMENT, "application/pdf", "pdf")
    raise _refused(accept, field)


def _name(owner, extension, now):
    meta = owner._meta
    return f"{meta.app_label}/{meta.model_name}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{extension}"


def save_clean(*, owner, cleaned, stage, actor, now=None):
    """Write a cleaned file and its row; the file is removed again if the row fails."""
    now = now or clock.now()
    name = default_storage.save(_name(owner, cleaned.extension, now), ContentFile(cleaned.data))
    try:
        return Attachment.objects.create(
            owner_type=ContentType.objects.get_for_model(owner),
            owner_id=owner.pk,
            stage=stage,
            kind=cleaned.kind,
            file=name,
            content_type=cleaned.content_type,
            size=len(cleaned.data),
            width=cleaned.width,
            height=cleaned.height,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            uploaded_at=now,
        )
    except BaseException:
        default_storage.delete(name)
        raise


def attach(*, owner, upload, stage, actor, accept=frozenset({IMAGE}), field="file", now=None):
    return save_clean(owner=owner, cleaned=clean(upload, accept=accept, field=field), stage=stage, actor=actor, now=now)


def discard(attachments):
    """Remove the files of attachments whose rows were rolled back."""
    for attachment in attachments:
        default_storage.delete(attachment.file)
