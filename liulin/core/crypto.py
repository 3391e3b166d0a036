"""Encryption at rest for personal identifiers.

Fernet (MultiFernet, so keys can be rotated: the first key encrypts, all keys decrypt) and a
keyed HMAC-SHA256 that allows exact lookup and uniqueness without storing the plain value.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _fernet():
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in settings.LIULIN_FERNET_KEYS])


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def keyed_hash(plain: str) -> str:
    return hmac.new(settings.LIULIN_HMAC_KEY.encode(), plain.encode(), hashlib.sha256).hexdigest()
