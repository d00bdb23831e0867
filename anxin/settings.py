"""Django settings for Anxin (安薪).

Every deployment-specific value comes from an environment variable (see docs/operations.md);
a present but unreadable value stops start-up (anxin.envconf).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from anxin import zones
from anxin.envconf import ImproperEnv, env_bool, env_choice, env_int, env_key, env_list, env_str, load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)

# The network zone this process serves (anxin/zones.py, docs/operations.md): "internal" (default:
# the whole system, what `make run` starts) or "public" (the internet-facing worker portal only).
ANXIN_ZONE = zones.check(env_str("ANXIN_ZONE", zones.INTERNAL).strip().lower())

# Development defaults are only accepted with DEBUG on; production must set its own secrets.
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105 (accepted only with DEBUG on)
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWNoYW5nZS1tZS0xMjM="  # 32 bytes, dev only

SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not SECRET_KEY:
    raise ImproperEnv("SECRET_KEY is required when DEBUG is off")
if not DEBUG and len(SECRET_KEY) < 40:
    raise ImproperEnv("SECRET_KEY must be at least 40 characters when DEBUG is off")
FIELD_ENCRYPTION_KEY = env_key("FIELD_ENCRYPTION_KEY", _DEV_FIELD_KEY if DEBUG else None)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperEnv("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, overridden in anxin/templates/django/forms/ (FORM_RENDERER)
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "auditlog",
    "axes",
    "csp",
    "captcha",
    "django_tasks",
    "django_tasks_db",
    # Anxin, in the order of the flow: an app may import only those above it.
    "anxin.core",
    "anxin.org",
    "anxin.notify",
    "anxin.registry",
    "anxin.intake",
    "anxin.monitoring",
    "anxin.cases",
    "anxin.money",
    "anxin.sites",
    "anxin.credit",
    "anxin.conference",
    "anxin.reports",
    "anxin.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "anxin.core.middleware.RequestSizeMiddleware",
    "anxin.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "anxin.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "anxin.core.once.OnceMiddleware",
    "anxin.core.middleware.IdleTimeoutMiddleware",
    "anxin.org.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "anxin.core.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

INSTALLED_APPS = zones.installed_apps(ANXIN_ZONE, INSTALLED_APPS)
MIDDLEWARE = zones.middleware(ANXIN_ZONE, MIDDLEWARE)

ROOT_URLCONF = zones.urlconf(ANXIN_ZONE)
# Links written into officers' notices point into the internal zone, whichever zone wrote them.
INTERNAL_URLCONF = zones.URLCONFS[zones.INTERNAL]
# The internet zone's portal reads no enterprise, unit or user (its database role may not): a
# worker's report is written unrouted and the internal zone's tick routes it; notices to officers
# wait for the tick to reach their inboxes (docs/operations.md, "两个网络区域").
PORTAL_DEFERS_ROUTING = ANXIN_ZONE == zones.PUBLIC
NOTICES_DEFERRED = ANXIN_ZONE == zones.PUBLIC
# Whether the portal's pages read the district's data behind them (cases, claims, the listings and
# their enterprises) or the copies the internal zone's tick writes for the internet zone, whose
# database role may not read the originals.
PORTAL_READS_DISTRICT_DATA = ANXIN_ZONE == zones.INTERNAL
# On the internal zone of a two-zone deployment: keep the copies the internet zone's portal reads
# (progress records, notice-board projects, 计酬手册, public listings) up to date on every tick
# (anxin.zones.for_public_zone). A single-zone deployment reads the originals and needs none.
PUBLIC_ZONE_COPIES = env_bool("ANXIN_PUBLIC_ZONE_COPIES", False)
# How the internet zone's portal reaches the internal zone's data (docs/operations.md §15.4):
# "database" (default: the portal's database role connects across the boundary) or "files" (a
# district whose boundary lets no database connection through: the portal runs on its own
# database and bundles of files are carried across, ``manage.py portal_exchange``).
PORTAL_EXCHANGE = env_choice("ANXIN_PORTAL_EXCHANGE", "DATABASE", ["DATABASE", "FILES"]).lower()
# The portal host of such a district: its actions on older reports (material, ratings) are told to
# the units where the exchange applies them, inside, not written as notices here.
PORTAL_EXCHANGES_FILES = ANXIN_ZONE == zones.PUBLIC and PORTAL_EXCHANGE == "files"
# The key both sides sign the exchange's bundles with (HMAC-SHA256), base64 of 32 bytes; needed
# only where ``portal_exchange`` runs (the command refuses without it).
EXCHANGE_KEY = env_key("ANXIN_EXCHANGE_KEY", None) if env_str("ANXIN_EXCHANGE_KEY") else None
# During a key change: the key being replaced, still accepted on import (never used to sign), so
# the bundles the other side signed before it changed its key are imported, not exported again.
EXCHANGE_KEY_PREVIOUS = (
    env_key("ANXIN_EXCHANGE_KEY_PREVIOUS", None) if env_str("ANXIN_EXCHANGE_KEY_PREVIOUS") else None
)
if PORTAL_EXCHANGES_FILES and EXCHANGE_KEY is None:
    raise ImproperEnv("ANXIN_EXCHANGE_KEY is required with ANXIN_PORTAL_EXCHANGE=files")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "anxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": zones.context_processors(
                ANXIN_ZONE,
                [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                    "anxin.core.context_processors.shell",
                    "anxin.notify.context_processors.inbox",
                ],
            ),
            # ``{% csrf_token %}`` also renders the form's one-time token (anxin.core.once).
            "builtins": ["anxin.core.templatetags.once"],
        },
    },
]

# Widgets render through TEMPLATES, so anxin/templates/django/forms/widgets/ gives radio buttons and
# check-box lists Tabler's form-check markup everywhere (issue #14: radios sat above their labels).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "anxin.wsgi.application"

# Database: embedded SQLite (WAL) by default, PostgreSQL through DATABASE_URL.
_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'anxin.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=60)}
except ValueError as exc:
    raise ImproperEnv(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)
elif DATABASES["default"]["ENGINE"] not in {"django.db.backends.postgresql"}:
    raise ImproperEnv("DATABASE_URL must point to SQLite or PostgreSQL")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "anxin.core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {
        "NAME": "anxin.core.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": env_int("PASSWORD_MIN_CLASSES", 3, minimum=1, maximum=4)},
    },
    {"NAME": "anxin.core.passwords.UsernameValidator"},
    {"NAME": "anxin.core.passwords.CommonPasswordValidator"},
    {"NAME": "anxin.core.passwords.PatternValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"  # never served as-is: attachments go through views that check access

# Limits on what one request or one uploaded file may make the server hold (docs/security/limits.md).
# The whole body: refused with 413 before anything reads it (nginx's client_max_body_size is the same).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 20 * 1024 * 1024, minimum=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # a form's or a JSON body's fields (files not counted): 2.5 MB
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # a larger uploaded file goes to a temporary file, not memory
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20  # the most any form takes is the portal's photos and a few attachments
# An .xlsx is a zip: its central directory is judged before any part is decompressed.
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int(
    "IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024, minimum=1024 * 1024
)
IMPORT_MAX_WHOLE_PART_BYTES = env_int("IMPORT_MAX_WHOLE_PART_BYTES", 6 * 1024 * 1024, minimum=1024 * 1024)
IMPORT_MAX_MEMBER_RATIO = env_int("IMPORT_MAX_MEMBER_RATIO", 100, minimum=10)
IMPORT_MAX_MEMBERS = env_int("IMPORT_MAX_MEMBERS", 200, minimum=20)
# JSON bodies of the API: deeper nesting than this is refused with 400 (no request needs more than 5).
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 32, minimum=8, maximum=200)

# SMS: a dotted path to an anxin.notify.sms.SmsBackend subclass (docs/operations.md).
SMS_BACKEND = env_str("SMS_BACKEND", "anxin.notify.sms.LogFileBackend")
SMS_LOG_FILE = Path(env_str("SMS_LOG_FILE", str(BASE_DIR / "var" / "log" / "sms.log")))
# The public portal's address as a worker's phone reaches it: every SMS to a worker links to their status page.
PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000")

# Background tasks (django-tasks with django-tasks-db): the database is the queue. Outgoing SMS are
# queued there and sent by the worker (`manage.py db_worker`, deploy/anxin-tasks.service), never
# inside the request. With DEBUG on (`make run`) the web process also runs what it queued, in a
# short thread after each enqueue, so the demo needs no second process (docs/security/reliab.md).
TASKS = {
    "default": {
        "BACKEND": "anxin.notify.queue.DatabaseBackend",
        # "default": outgoing SMS (deploy/anxin-tasks.service); "scan": the shards of a full risk
        # scan (deploy/anxin-scan@.service — any number of workers, on any machine of the database).
        "QUEUES": ["default", "scan"],
        "OPTIONS": {"drain_in_process": DEBUG},
    }
}
# The tick's full scan split into this many shards, queued for the "scan" workers (0: the tick
# scans in its own process). Only worth it with workers to run them; see docs/operations.md.
SCAN_SHARDS = env_int("SCAN_SHARDS", 0, minimum=0, maximum=1000)

# Captcha on the public portal (django-simple-captcha): digits only, easy to read on a phone.
CAPTCHA_CHALLENGE_FUNCT = "anxin.intake.portal.digits_challenge"
CAPTCHA_LENGTH = 4
CAPTCHA_LETTER_ROTATION = (-25, 25)
CAPTCHA_IMAGE_SIZE = (120, 44)
CAPTCHA_FONT_SIZE = 30
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_2X_IMAGE = True

# Security headers and cookies. SECURE_SSL_REDIRECT and HSTS follow HTTPS (set behind TLS).
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 12 * 3600  # hard cap; the idle timeout is a policy parameter
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Tabler and ECharts set element styles; scripts stay strictly same-origin.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# django-axes: failures and cool-off come from policy parameters (security.*).
AXES_FAILURE_LIMIT = "anxin.core.security.axes_failure_limit"
AXES_COOLOFF_TIME = "anxin.core.security.axes_cooloff"
AXES_LOCKOUT_PARAMETERS = ["username"]
# Lockout is per account (the 等保 rule). Locking by IP would lock out a whole town office behind
# one NAT address on the district intranet; docs/operations.md says so.
# HSTS preload lists are for public internet hosts; Anxin is served on the district intranet.
SILENCED_SYSTEM_CHECKS = zones.silenced_checks(ANXIN_ZONE, ["axes.W006", "security.W021"])
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # django-rest-knox tokens (hashed, expiring), refusing an account whose password is one-time.
        "anxin.org.auth.TokenAuthentication",
        "anxin.org.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "anxin.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "anxin.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

# API tokens (django-rest-knox): stored as SHA-512 digests, valid API_TOKEN_TTL_DAYS days from
# issue (``manage.py issue_token``), revoked on a password change or set, deactivation, lockout.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30, minimum=1, maximum=366)
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "安薪 Anxin API",
    "DESCRIPTION": "新北区预防和解决企业欠薪问题平台接口。金额为两位小数的元字符串；企业以统一社会信用代码（uscc）寻址。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No online validator badge: the docs page must not call out of the intranet.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Two choice sets share the field name "kind": name them apart.
    "ENUM_NAME_OVERRIDES": {
        "SignalKindEnum": "anxin.intake.models.SignalKind",
        "PostableSignalKindEnum": "anxin.intake.api.POSTABLE_KINDS",
        "ActionKindEnum": "anxin.cases.models.ActionKind",
        "CaseOutcomeEnum": "anxin.cases.models.Outcome",
        "CaseStageEnum": "anxin.cases.models.Stage",
        "SignalStageEnum": "anxin.intake.models.Stage",
        "PaymentSourceEnum": "anxin.money.models.PaymentSource",
        "RecordableSourceEnum": "anxin.money.models.RECORDABLE_SOURCE_CHOICES",
        "ProceedsSourceEnum": "anxin.money.models.PROCEEDS_SOURCE_CHOICES",
        "ConfirmedFactEnum": "anxin.money.funds_api.CONFIRMED_FACT_CHOICES",
        "PublicityKindEnum": "anxin.reports.models.PublicityKind",
        "SchemeIndicatorKindEnum": "anxin.assessment.models.IndicatorKind",
    },
    # The error answers of every operation, the Idempotency-Key header, JSON-only bodies
    # (anxin/core/api_schema.py); the enum hook first, as drf-spectacular's default.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "anxin.core.api_schema.contract_hook",
    ],
}

# Repeats write once (anxin.core.once, docs/security/once.md): a form's one-time token lives this
# long; a repeat waits this long to learn where the first submission went; an API Idempotency-Key
# is remembered this long; identical self-reports and identical steps of a legal action within
# these windows are recognised as one.
ONCE_FORM_MAX_AGE_HOURS = env_int("ONCE_FORM_MAX_AGE_HOURS", 24, minimum=1, maximum=24 * 7)
ONCE_WAIT_SECONDS = env_int("ONCE_WAIT_SECONDS", 5, minimum=0, maximum=30)
ONCE_IDEMPOTENCY_HOURS = env_int("ONCE_IDEMPOTENCY_HOURS", 24, minimum=1, maximum=24 * 30)
ONCE_SELF_REPORT_WINDOW_HOURS = env_int("ONCE_SELF_REPORT_WINDOW_HOURS", 24, minimum=0, maximum=24 * 90)
ONCE_STEP_WINDOW_MINUTES = env_int("ONCE_STEP_WINDOW_MINUTES", 10, minimum=0, maximum=24 * 60)

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_MASK_CALLABLE = "anxin.core.validators.mask_sensitive"

# The district whose configuration load_district reads (another district replaces the file).
DISTRICT_FILE = Path(env_str("DISTRICT_FILE", str(BASE_DIR / "anxin" / "districts" / "xinbei.yaml")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"]),
    },
    "loggers": {"axes": {"level": "WARNING"}},
}
