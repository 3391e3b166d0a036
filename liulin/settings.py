"""Settings for Liulin.

Development defaults: SQLite in the project folder, debug on, demo keys. Every value that
matters in production comes from the environment (see liulin/settings_production.py and
docs/deployment.md).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from liulin.core.maps import tile_csp_sources

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

# Personal-data keys. Development keys are fixed so `make run` needs no set-up; production
# refuses to start without its own (settings_production.py).
LIULIN_FERNET_KEYS = [
    k for k in os.environ.get("LIULIN_FERNET_KEYS", "ZGV2LW9ubHktZmVybmV0LWtleS0zMmJ5dGVzLWxvbmc=").split(",") if k
]
LIULIN_HMAC_KEY = os.environ.get("LIULIN_HMAC_KEY", "dev-only-hmac-key")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    # Before django_tasks_db: core's `db_worker` (with a heartbeat) takes the package's name.
    "liulin.core",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "liulin.core.notifications",
    "liulin.core.attachments",
    "liulin.accounts",
    "liulin.territory",
    "liulin.people",
    "liulin.orgs",
    "liulin.whistle",
    "liulin.partybuilding",
    "liulin.deliberation",
    "liulin.notices",
    "liulin.votes",
    "liulin.volunteering",
    "liulin.venues",
    "liulin.activities",
    "liulin.canteen",
    "liulin.daycare",
    "liulin.counselling",
    "liulin.housing",
    "liulin.property",
    "liulin.dashboard",
    "liulin.apitokens",
    "liulin.open311",
    "liulin.demo",
    "django.forms",  # after the apps: liulin/core/templates overrides two of its widget templates
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "liulin.core.middleware.UserLanguageMiddleware",
    "liulin.core.middleware.HtmxLoginRedirectMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "liulin.core.middleware.InputHygieneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "liulin.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liulin.urls"
# Widgets render through TEMPLATES, so core's option templates (translate="no" on database
# rows in choices) replace Django's.
FORM_RENDERER = "liulin.core.forms.Renderer"  # labels without ":", length messages naming the field
WSGI_APPLICATION = "liulin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "liulin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "liulin.core.context_processors.ui",
            ],
            "builtins": ["liulin.core.templatetags.data"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiling pays off for long analytic scans, not for page queries: on a worklist it
    # spent 130 ms compiling what runs in 5 ms (PostgreSQL turns it on above a cost estimate).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    # This User has no username, e-mail or names of Django's kind: compare with his own fields.
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("mobile", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failures (django-axes), counted per mobile number and, separately,
# per client address: one password sprayed over many accounts from one address is stopped,
# and so is one account guessed from many addresses.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "liulin.core.net.client_address"
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# How many reverse proxies in front of the application append to X-Forwarded-For (0: none,
# the header is ignored and REMOTE_ADDR is the client). Used by the lockout and every rate
# limit (liulin/core/net.py).
LIULIN_TRUSTED_PROXIES = int(os.environ.get("LIULIN_TRUSTED_PROXIES", "0"))

# The cache holds the rate limits' counters, so it must be shared by every process and
# machine: the database cache by default (core migration 0002 creates its table), Redis
# when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "liulin.core.cache.DatabaseCache",
            "LOCATION": "liulin_cache",
            # Culling deletes entries at random once the table holds this many: keep it
            # above the live counters (a few per active client and window).
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Rate limits (liulin/core/limits.py): "count/period" with s, m, h or d; "off" disables.
LIULIN_API_RATE_LIMIT_TOKEN = os.environ.get("LIULIN_API_RATE_LIMIT_TOKEN", "1200/m")  # per API token
LIULIN_API_RATE_LIMIT_USER = os.environ.get("LIULIN_API_RATE_LIMIT_USER", "600/m")  # per session user
LIULIN_REVEAL_RATE_LIMIT = os.environ.get("LIULIN_REVEAL_RATE_LIMIT", "60/h")  # reveals per user

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "liulin" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from npm (package.json) and are served from node_modules;
# nothing vendored into the repository.
STATICFILES_DIRS = [
    BASE_DIR / "liulin" / "static",  # the project's own css/js ("liulin" itself is not an app)
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    # The QR decoder for camera check-in where the browser has no BarcodeDetector; the package
    # ships its ES modules at its top level (decode.js imports ./index.js), no dist folder.
    ("vendor/qr", BASE_DIR / "node_modules" / "qr"),
]
# Static files are served by WhiteNoise, gzip- (and brotli-, with the package) compressed
# when the browser asks. `make run` collects and compresses them first and sets
# LIULIN_STATIC_COLLECTED=1 so the compressed collected copy is what is served (runserver
# --nostatic); other development runs read them straight from the folders above (WhiteNoise's
# default follows DEBUG, so production never uses the finders).
if os.environ.get("LIULIN_STATIC_COLLECTED") == "1":
    WHITENOISE_USE_FINDERS = False
MEDIA_ROOT = Path(os.environ.get("LIULIN_MEDIA_ROOT", BASE_DIR / "media"))
# Uploads are served only through access-checked views; nothing is routed at this prefix.
MEDIA_URL = "/private-media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("LIULIN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Task workers beat every few seconds; a RUNNING task whose worker has not beaten for the
# lease goes back to the queue (liulin/core/workers.py). Keep the lease several beats long.
LIULIN_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("LIULIN_WORKER_HEARTBEAT_SECONDS", "10"))
LIULIN_WORKER_LEASE_SECONDS = float(os.environ.get("LIULIN_WORKER_LEASE_SECONDS", "60"))

# Maps draw without third-party tiles; a deployment may name one tile server (liulin/core/maps.py),
# whose host then, and only then, joins img-src.
LIULIN_MAP_TILE_URL = os.environ.get("LIULIN_MAP_TILE_URL", "").strip()
LIULIN_MAP_TILE_ATTRIBUTION = os.environ.get("LIULIN_MAP_TILE_ATTRIBUTION", "").strip()

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *tile_csp_sources(LIULIN_MAP_TILE_URL)],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "liulin@localhost")
# Django's SMTP backend (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend) reads these.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = 10

# Notifications (kernel, docs/deployment.md): the channels besides the inbox this deployment
# offers, the SMS provider class, webhook delivery, and how often a failed delivery is retried.
LIULIN_NOTIFY_CHANNELS = [c for c in os.environ.get("LIULIN_NOTIFY_CHANNELS", "email,sms,webhook").split(",") if c]
LIULIN_SMS_PROVIDER = os.environ.get("LIULIN_SMS_PROVIDER", "liulin.core.notifications.sms.ConsoleSmsProvider")
LIULIN_SMS_FILE = os.environ.get("LIULIN_SMS_FILE", str(BASE_DIR / "sms.jsonl"))
LIULIN_WEBHOOK_TIMEOUT = float(os.environ.get("LIULIN_WEBHOOK_TIMEOUT", "10"))
# Webhooks to loopback and private addresses only where they cannot reach internal services.
LIULIN_WEBHOOK_ALLOW_PRIVATE = os.environ.get("LIULIN_WEBHOOK_ALLOW_PRIVATE", "1" if DEBUG else "0") == "1"
LIULIN_NOTIFY_RETRY_SECONDS = [60, 300, 1800, 7200]  # after attempts 1..4; the 5th failure is final
LIULIN_SITE_URL = os.environ.get("LIULIN_SITE_URL", "http://localhost:8000")  # links in mail and webhooks

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "liulin.core.pagination.BoundedLimitOffsetPagination"

# How many demo work orders `seed_demo` files (through the real intake and workflow).
LIULIN_DEMO_TICKETS = int(os.environ.get("LIULIN_DEMO_TICKETS", "150"))

# 雷锋哨 intake and supervision (all overridable per deployment).
# The cap on one uploaded photo or document (core.attachments); LIULIN_PHOTO_MAX_BYTES is its
# former name, still read.
LIULIN_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("LIULIN_ATTACHMENT_MAX_BYTES", os.environ.get("LIULIN_PHOTO_MAX_BYTES", 8 * 1024 * 1024))
)
LIULIN_CALLBACK_DAYS = int(os.environ.get("LIULIN_CALLBACK_DAYS", "7"))  # then closed as "not rated"
# Report-in deadlines of a whistle (Nanjing Gulou practice): emergency within 1 hour of
# calendar time; work progress and hard problems within 3 and 5 working days.
LIULIN_WHISTLE_REPORT_DEADLINES = {
    "emergency": {"minutes": 60, "working_time": False},
    "progress": {"working_days": 3},
    "hard": {"working_days": 5},
}
# Which open tickets are offered as likely the same problem (whistle.routing.DuplicateRule,
# docs/duplicates.md): any of radius_m, window_hours, related_category, threshold,
# max_results, and weights {distance, time, category, text}; empty keeps the defaults.
LIULIN_WHISTLE_DUPLICATES = {}

# Open311 GeoReport v2 (/open311/v2/, docs/open311.md).
OPEN311_JURISDICTION_ID = os.environ.get("OPEN311_JURISDICTION_ID", "")
OPEN311_RATE_LIMIT = os.environ.get("OPEN311_RATE_LIMIT", "60/m")  # per api_key and per client address
OPEN311_MAX_BODY = 64 * 1024
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "")
OPEN311_KEY_SERVICE = os.environ.get("OPEN311_KEY_SERVICE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
