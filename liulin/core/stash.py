"""An upload kept between a dry run and its confirmation.

An import page shows what a file would change and writes nothing; the person then confirms.
He confirms the file he saw, without sending it again: `keep` stores the bytes encrypted
(Fernet, `core.crypto`) under a random token and returns the token with the file's SHA-256;
the page keeps both (in the session and in the confirm form). `load` gives the bytes back
only if they still hash to the digest the preview was made from, so a file replaced or
altered in between is refused (`Conflict`, code `upload_changed`), never imported. Uploads
nobody confirmed are removed after `KEEP_HOURS`, so registers with names do not pile up.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.utils.translation import gettext as _

from . import clock, crypto
from .errors import Conflict, Invalid

KEEP_HOURS = 2
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Kept:
    token: str
    sha256: str


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _folder(kind):
    if not _KIND.match(kind):
        raise ValueError(kind)
    return Path(settings.MEDIA_ROOT) / "stash" / kind


def _path(kind, token):
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise Invalid(_("导入已过期，请重新上传。"), code="upload_expired")
    return _folder(kind) / f"{token}.bin"


def _drop_stale(folder):
    cutoff = clock.now().timestamp() - KEEP_HOURS * 3600
    for path in folder.glob("*.bin"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except FileNotFoundError:  # another process dropped it first
            pass


def keep(kind, data: bytes) -> Kept:
    """Store `data` encrypted until it is confirmed or dropped."""
    folder = _folder(kind)
    folder.mkdir(parents=True, exist_ok=True)
    _drop_stale(folder)
    token = secrets.token_urlsafe(24)
    _path(kind, token).write_text(crypto.encrypt(base64.b64encode(data).decode()))
    return Kept(token, digest(data))


def load(kind, token, *, sha256) -> bytes:
    """The bytes kept under `token`, if they are still the file whose digest is `sha256`."""
    path = _path(kind, token)
    try:
        data = base64.b64decode(crypto.decrypt(path.read_text()))
    except (FileNotFoundError, InvalidToken, ValueError):
        raise Invalid(_("导入已过期，请重新上传。"), code="upload_expired") from None
    if not hmac.compare_digest(digest(data), str(sha256)):
        raise Conflict(_("文件与预览时的不一致，未导入。请重新上传并核对。"), code="upload_changed")
    return data


def drop(kind, token):
    try:
        _path(kind, token).unlink(missing_ok=True)
    except Invalid:
        pass
