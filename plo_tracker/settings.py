"""Django settings for PLO Tracker: one module, driven by environment variables.

Defaults suit local development (`make run`). Production is switched on by
``DEBUG=false`` and then requires a real ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``DATABASE_URL``; with those set, ``manage.py check --deploy`` reports nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from plo_tracker.lib.env import (
    check_redis_url,
    env_bool,
    env_hosts_by_code,
    env_int,
    env_list,
    env_port,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

_DEV_SECRET_KEY = "development-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters when DEBUG=false.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names when DEBUG=false.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "knox",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "plo_tracker",
    "cases",
    "reporting",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Security headers on every response Django makes (WhiteNoise, above, serves static files before them).
    "csp.middleware.CSPMiddleware",
    "plo_tracker.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "plo_tracker.middleware.SignedInNoStoreMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "plo_tracker.middleware.SessionTimeoutMiddleware",
    # No page but signing in before the second factor (after the time-out: an ended session signs in again).
    "accounts.middleware.SecondFactorRequiredMiddleware",
    # The request in one transaction in which the database shows the user's LA's rows only (row-level security).
    "cases.middleware.LocalAuthorityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "plo_tracker.urls"
WSGI_APPLICATION = "plo_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plo_tracker.context_processors.service",
                "plo_tracker.context_processors.capabilities",
            ],
        },
    },
]

# Database: DATABASE_URL, else (development only) an embedded PostgreSQL in .pgdata/.
_database_url = env_str("DATABASE_URL")
if not _database_url:
    if not DEBUG:
        raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG=false.")
    from plo_tracker.lib.embedded_postgres import database_url

    _database_url = database_url()
DATABASES = {"default": parse_database_url(_database_url)}
# Maintenance work (migrations, the demo seed, metrics, board packs, the facts check, purges) runs as
# the maintenance role through this alias (plo_tracker.lib.tenancy.maintenance); the app's own
# role, in DATABASE_URL, is bound by row-level security. Unset: the one login does everything.
_maintenance_url = env_str("MAINTENANCE_DATABASE_URL")
if _maintenance_url:
    DATABASES["maintenance"] = parse_database_url(_maintenance_url, name="MAINTENANCE_DATABASE_URL")
    if any(DATABASES["maintenance"][key] != DATABASES["default"][key] for key in ("NAME", "HOST", "PORT")):
        raise ImproperlyConfigured(
            "MAINTENANCE_DATABASE_URL must name the same database (host, port and name) as DATABASE_URL: "
            "only the login differs."
        )
else:
    DATABASES["maintenance"] = dict(DATABASES["default"])
for _database in DATABASES.values():
    _database["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", default=0 if DEBUG else 60, minimum=0)
    _database["CONN_HEALTH_CHECKS"] = True
# One physical database: tests run both aliases on the test database, over one login.
DATABASES["maintenance"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cases.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Signing in (see accounts/): a password, then a code from an authenticator app (django-otp) or a
# single-use recovery code, for every user; accounts.middleware opens no other page before both.
# django-axes counts failed passwords, on this site's sign-in and the admin's alike: at
# PLO_SIGN_IN_FAILURE_LIMIT failures for one username (from anywhere), or
# PLO_SIGN_IN_ADDRESS_FAILURE_LIMIT from one address (for any usernames: offices share addresses),
# signing in is refused until PLO_SIGN_IN_COOL_OFF_MINUTES pass with no further failure.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "accounts.lockout.SignInLockoutHandler"
AXES_FAILURE_LIMIT = env_int("PLO_SIGN_IN_FAILURE_LIMIT", default=5, minimum=1)
PLO_SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("PLO_SIGN_IN_ADDRESS_FAILURE_LIMIT", default=30, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("PLO_SIGN_IN_COOL_OFF_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"
# How many proxies in front of the app append to X-Forwarded-For (the compose file's deployment sits
# behind one TLS-terminating proxy): the client address the lock-out counts is read past them.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1, minimum=0, maximum=10)
# Authenticator secrets stay out of the admin's pages and QR codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A password reset link works for an hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 60 * 60

# Email (password reset links) through Django's SMTP backend. In development with no EMAIL_HOST,
# messages are printed to the console instead.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env_port("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PLO Tracker <no-reply@localhost>")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Writes to a temporary file and links it under its name when complete (no half-written packs).
    "default": {"BACKEND": "plo_tracker.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Redis: broker and cache. Without REDIS_URL (development only) Celery tasks run
# in-process so the app works with no Redis at all.
_redis_url = env_str("REDIS_URL")
REDIS_URL = check_redis_url(_redis_url) if _redis_url else None
if not REDIS_URL and not DEBUG:
    raise ImproperlyConfigured("REDIS_URL must be set when DEBUG=false.")

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The first retry of a failed board pack build comes up to this long after (it doubles each time).
PLO_PACK_RETRY_BACKOFF_SECONDS = env_int("PLO_PACK_RETRY_BACKOFF_SECONDS", default=300, minimum=1)
# A metrics run that found another holding its lock is tried again this much later.
PLO_METRICS_LOCKED_RETRY_SECONDS = env_int("PLO_METRICS_LOCKED_RETRY_SECONDS", default=60, minimum=1)
# A task whose whole worker died (acks_late) goes back to the queue once this has passed: just over
# the hard time limit, so no task still running is handed out twice (Redis's default is an hour).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("PLO_BROKER_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 5 * 60, minimum=10)
}
# A static schedule in UK time. Times avoid 01:00-02:00, the hour UK clocks change.
CELERY_BEAT_SCHEDULE: dict = {
    # The job outbox: jobs asked for while Redis was down are sent once it is back (plo_tracker/lib/queue.py).
    # A relay not picked up within the minute is dropped: the next one does the same work.
    "send-queued-jobs": {
        "task": "cases.send_queued_jobs",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    # Before the metrics: the tracker's stored facts are checked against their definition.
    "nightly-tracker-facts-check": {
        "task": "cases.repair_tracker_facts",
        "schedule": crontab(hour=2, minute=15),
    },
    "nightly-metrics": {
        "task": "reporting.compute_metrics",
        "schedule": crontab(hour=2, minute=30),
    },
    # After the metrics: the regional data exercise's counts are stored as a new snapshot (the page reads it).
    "nightly-data-exercise": {
        "task": "reporting.compute_completeness",
        "schedule": crontab(hour=2, minute=45),
    },
    # After the metrics: the breach forecast is retrained (with its backtest) and this month's stored.
    "nightly-forecast": {
        "task": "reporting.train_forecast",
        "schedule": crontab(hour=2, minute=50),
    },
    # Read audit rows past PLO_AUDIT_RETENTION_DAYS, through the database's one purge path.
    # Uploaded tracker files past PLO_IMPORT_RETENTION_DAYS (the import history stays).
    "nightly-import-files-purge": {
        "task": "cases.purge_import_files",
        "schedule": crontab(hour=3, minute=30),
    },
    "nightly-read-audit-purge": {
        "task": "cases.purge_read_audit",
        "schedule": crontab(hour=3, minute=15),
    },
    # Each user's one email of what is overdue or due in the next PLO_REMINDER_DAYS days (My tasks);
    # after the night's tracker facts check, before the working day. At most one a day per user.
    "daily-task-reminders": {
        "task": "cases.send_task_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    # Runs on the first weekdays; the task builds last month's pack on the first working day only,
    # after that night's metrics.
    "monthly-board-pack": {
        "task": "reporting.build_board_pack_monthly",
        "schedule": crontab(hour=6, minute=0, day_of_month="1-7", day_of_week="mon-fri"),
    },
}

if REDIS_URL:
    # Pages carry on while Redis is down (plo_tracker/cache.py); short timeouts so they do not wait on it.
    CACHES = {
        "default": {
            "BACKEND": "plo_tracker.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security: production behaviour follows DEBUG=false.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 60 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): only the service's own scripts, styles, images and fonts
# (built into static/build), no inline script or style, no plug-ins, no framing, forms posted only
# to the service. Favicon and GOV.UK Frontend images may be data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# Permissions-Policy (plo_tracker.middleware): browser features the service never uses, off.
PLO_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Signed-in users are signed out after this many minutes without a request (plo_tracker.middleware),
# and SESSION_COOKIE_AGE seconds after signing in however active they are.
PLO_IDLE_TIMEOUT_MINUTES = env_int("PLO_IDLE_TIMEOUT_MINUTES", default=30, minimum=1, maximum=SESSION_COOKIE_AGE // 60)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The API (cases/api/): people with their browser session (second factor verified), case systems
# and data teams with a service account's token (django-rest-knox: only a SHA-512 hash is stored).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so a request without credentials gets 401 with "WWW-Authenticate: Token".
        "cases.api.auth.ServiceTokenAuthentication",
        "cases.api.auth.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["cases.api.filtering.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.ChangesCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["cases.api.auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env_str("PLO_API_THROTTLE_RATE", "1200/minute")},
    "DEFAULT_SCHEMA_CLASS": "cases.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "cases.api.errors.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API tokens expire after this many days unless the administrator who issues one picks a shorter life.
PLO_API_TOKEN_MAX_DAYS = env_int("PLO_API_TOKEN_MAX_DAYS", default=90, minimum=1, maximum=366)
# How long the answer to a POST sent with an Idempotency-Key is kept (a retry within it is not re-applied).
PLO_API_IDEMPOTENCY_HOURS = env_int("PLO_API_IDEMPOTENCY_HOURS", default=24, minimum=1, maximum=24 * 30)
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=PLO_API_TOKEN_MAX_DAYS),
    "AUTO_REFRESH": False,
    "TOKEN_PREFIX": "plo_",
    "AUTH_HEADER_PREFIX": "Token",
}
DRF_STANDARDIZED_ERRORS = {"ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True}
SPECTACULAR_SETTINGS = {
    "TITLE": "PLO Tracker API",
    "DESCRIPTION": (
        "Case records of the Public Law Outline (pre-proceedings and care proceedings) for the LAs' "
        "case systems and data teams. Every list is a changes feed (updated_since, cursor pages); "
        "updates need If-Match with the record's ETag; a POST may carry an Idempotency-Key."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        # Choice sets several fields share: one name each.
        "CarePlanEnum": "cases.constants.CarePlan.choices",
        "HearingStatusEnum": "cases.constants.HearingStatus.choices",
        "ImportStatusEnum": "cases.models.ImportStatus.choices",
        "ImportRowStatusEnum": "cases.api.imports.ROW_STATUSES",
    },
    # In place of drf-spectacular's own enum hook: it also names the error bodies' enums.
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO (including its own stylesheets at import).
    # django-axes says at INFO that it started, in every process; its failed sign-ins are WARNINGs.
    "loggers": {"pgserver": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Product settings (local policy, not statute): see README "Configuration".
# Change history (django-pghistory): the admin lists every event with its label, values,
# changes and context (who, which URL).
PGHISTORY_ADMIN_LIST_DISPLAY = ["pgh_created_at", "pgh_label", "pgh_obj_model", "pgh_obj_id", "pgh_diff", "pgh_data"]
# It spans every LA: superusers only (the admin's other pages show staff their own LA's rows).
PGHISTORY_ADMIN_CLASS = "cases.admin.HistoryEventsAdmin"

PLO_SERVICE_NAME = "PLO Tracker"
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = PLO_SERVICE_NAME
PLO_SMALL_NUMBER_THRESHOLD = env_int("PLO_SMALL_NUMBER_THRESHOLD", default=5, minimum=1)
# How far ahead a planned date (a due, listed or review date) may be, in years: a sanity bound on
# input, so a mistyped year is refused rather than stored. At most 100, far inside the calendar.
PLO_MAX_YEARS_AHEAD = env_int("PLO_MAX_YEARS_AHEAD", default=5, minimum=1, maximum=100)
# Hosts of each LA's own document store, by DfE code (``881=docs.essex.example,.essex.gov.uk;935=...``):
# a case's document link must point at one of them. An LA not named may link to any http(s) host.
PLO_DOCUMENT_HOSTS = env_hosts_by_code("PLO_DOCUMENT_HOSTS")
# Years a case is kept after it closes, for an LA with no retention period of its own; then
# `manage.py purge_closed_cases` removes it, unless it is on legal hold (README "Retention").
PLO_RETENTION_YEARS = env_int("PLO_RETENTION_YEARS", default=6, minimum=1, maximum=100)
# How long the read audit (who looked at which children's records) is kept, in days: about six
# years by default. Older rows are removed nightly (cases.purge_read_audit, manage.py purge_read_audit).
PLO_AUDIT_RETENTION_DAYS = env_int("PLO_AUDIT_RETENTION_DAYS", default=6 * 365, minimum=1)
# Task reminders (My tasks): the daily email lists items overdue or due within this many days.
PLO_REMINDER_DAYS = env_int("PLO_REMINDER_DAYS", default=7, minimum=0, maximum=365)
# Tracker imports (cases/imports): the largest file and the most rows taken; files with more rows
# than PLO_IMPORT_ASYNC_ROWS run as a Celery job with a progress page; an uploaded file is kept
# PLO_IMPORT_RETENTION_DAYS days (then deleted; its checksum and counts stay in the import history).
PLO_IMPORT_MAX_BYTES = env_int("PLO_IMPORT_MAX_BYTES", default=20 * 1024 * 1024, minimum=1024)
PLO_IMPORT_MAX_ROWS = env_int("PLO_IMPORT_MAX_ROWS", default=50_000, minimum=1)
PLO_IMPORT_ASYNC_ROWS = env_int("PLO_IMPORT_ASYNC_ROWS", default=500, minimum=0)
PLO_IMPORT_RETENTION_DAYS = env_int("PLO_IMPORT_RETENTION_DAYS", default=30, minimum=1, maximum=3650)
# The address people reach the service at, for the links in emails sent with no request to take
# it from (the task reminders), e.g. https://plo-tracker.example.gov.uk. No trailing slash.
PLO_SITE_URL = env_str("PLO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not PLO_SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("PLO_SITE_URL must be the service's address, starting with https:// (or http://).")
