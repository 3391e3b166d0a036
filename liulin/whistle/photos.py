"""Photos of a request: checked, cleaned and kept out of public reach.

An upload is trusted for nothing: at most LIULIN_PHOTO_MAX_BYTES are read, the type is
sniffed by Pillow from the bytes (never the file name or the client's content type), and
the picture is turned upright by its EXIF orientation and re-encoded as a JPEG of at most
MAX_SIDE pixels a side. Re-encoding drops every piece of metadata — above all the GPS
position of a resident's phone. Files live under MEDIA_ROOT/tickets/<yyyy>/<mm>/<uuid>.jpg
and are served only through `open_for`, which checks the viewer may see the ticket.
"""

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from liulin.core import clock
from liulin.core.errors import Invalid, NotFound, TooLarge
from liulin.core.permissions import can

from .models import Photo

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 2048
JPEG_QUALITY = 85
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the multi-picture JPEG some phones write

try:  # HEIF/HEIC (iPhone photos) only when the optional pillow-heif plugin is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    ACCEPTED_FORMATS |= {"HEIF", "HEIC"}
except ImportError:
    pass


@dataclass(frozen=True)
class CleanPhoto:
    """A checked, re-encoded picture not yet written anywhere."""

    data: bytes
    width: int
    height: int


def max_bytes():
    return int(getattr(settings, "LIULIN_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def _read_capped(uploaded_file):
    limit = max_bytes()
    too_large = TooLarge(f"照片不能超过 {limit // (1024 * 1024)} MB。", code="photo_too_large", field="photos")
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


def _not_an_image():
    return Invalid(_("只能上传 JPEG、PNG 或 WebP 格式的照片。"), code="not_an_image", field="photos")


def _open_image(data):
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.format not in ACCEPTED_FORMATS:
            raise _not_an_image()
        probe.verify()  # walks the file; a truncated or forged body fails here
        image = Image.open(io.BytesIO(data))
        image.load()
        return image
    except Image.DecompressionBombError:
        raise Invalid(_("照片像素过大。"), code="photo_too_large", field="photos") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_an_image() from None


def _flatten(image):
    """RGB on a white background (a JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def clean(uploaded_file):
    """Check and re-encode one upload; raises TooLarge/Invalid and writes nothing."""
    image = _open_image(_read_capped(uploaded_file))
    image = _flatten(ImageOps.exif_transpose(image))
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    # No exif=, no icc_profile=: the new file carries pixels only.
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), image.width, image.height)


def _relative_path(now):
    return f"tickets/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.jpg"


def absolute_path(relative):
    return Path(settings.MEDIA_ROOT) / relative


def save_clean(*, ticket, photo, actor, stage="intake", now=None):
    """Write a cleaned picture and its row; the file is removed again if the row fails."""
    now = now or clock.now()
    relative = _relative_path(now)
    path = absolute_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo.data)
    try:
        return Photo.objects.create(
            ticket=ticket,
            file=relative,
            width=photo.width,
            height=photo.height,
            size=len(photo.data),
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            uploaded_at=now,
            stage=stage,
        )
    except Exception:
        path.unlink(missing_ok=True)
        raise


def store(*, ticket, uploaded_file, actor, stage="intake", now=None):
    return save_clean(ticket=ticket, photo=clean(uploaded_file), actor=actor, stage=stage, now=now)


def discard(photos):
    """Remove the files of photos whose rows were rolled back."""
    for photo in photos:
        absolute_path(photo.file).unlink(missing_ok=True)


def open_for(user, photo):
    """The photo's file opened for reading, if `user` may view its ticket; else NotFound."""
    if not can(user, "whistle.view", photo.ticket):
        raise NotFound(_("找不到该照片，或您无权查看。"))
    path = absolute_path(photo.file)
    if not path.is_file():
        raise NotFound(_("照片文件已不存在。"))
    return path.open("rb")
