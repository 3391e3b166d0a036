"""Production settings: everything secret or site-specific comes from the environment.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, LIULIN_FERNET_KEYS,
LIULIN_HMAC_KEY. See docs/deployment.md.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from liulin.settings import *  # noqa: F403


def _required(name):
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"Environment variable {name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = _required("DJANGO_ALLOWED_HOSTS").split(",")
LIULIN_FERNET_KEYS = _required("LIULIN_FERNET_KEYS").split(",")
LIULIN_HMAC_KEY = _required("LIULIN_HMAC_KEY")
# A webhook endpoint is typed in by users: never let one point at the servers' own network.
LIULIN_WEBHOOK_ALLOW_PRIVATE = os.environ.get("LIULIN_WEBHOOK_ALLOW_PRIVATE", "0") == "1"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
