"""Issuing and revoking API tokens (every change audited)."""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from liulin.core import audit, clock
from liulin.core.errors import Invalid, NotFound

from .models import SCOPES, ApiToken

TOKEN_PREFIX = "ll"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _split(raw: str):
    """`ll_<prefix>_<secret>` -> (prefix, raw) or None when the shape is wrong."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


@transaction.atomic
def create_token(*, actor, user, name, scopes, expires_at=None):
    """Create a token for `user`; returns (token row, the raw token shown once)."""
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise Invalid(f"未知或缺少的权限范围：{', '.join(unknown) or '（空）'}；可选 {', '.join(SCOPES)}", field="scopes")
    if not name.strip():
        raise Invalid(_("请填写令牌用途。"), field="name")
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:64], prefix=prefix, key_hash=hash_key(raw), scopes=scopes, expires_at=expires_at
    )
    audit.record(actor=actor, action="apitoken.create", target=token, user=user.pk, scopes=scopes)
    return token, raw


def find_active(raw: str):
    """The active token for a raw bearer value, or None. Constant-time hash comparison."""
    prefix = _split(raw or "")
    if prefix is None:
        return None
    # The user comes in the same statement: every API request needs both.
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_key(raw)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    return token


def touch(token):
    """Stamp last use, at most once a minute (no write on every request)."""
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def revoke_token(*, actor, token):
    if token.revoked_at is not None:
        raise Invalid(_("该令牌已吊销。"))
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="apitoken.revoke", target=token)
    return token


def token_by_prefix(prefix):
    token = ApiToken.objects.filter(prefix=prefix).first()
    if token is None:
        raise NotFound(_("没有这个令牌。"))
    return token
