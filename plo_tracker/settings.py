"""Django settings for PLO Tracker: one module, driven by environment variables.

Defaults suit local development (`make run`). Production is switched on by
``DEBUG=false`` and then requires a real ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``DATABASE_URL``; with those set, ``manage.py check --deploy`` reports nothing.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from plo_tracker.lib.env import (
    check_redis_url,
    env_bool,
    env_int,
    env_list,
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
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "plo_tracker",
    "cases",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", default=0 if DEBUG else 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
# A static schedule in UK time. Times avoid 01:00-02:00, the hour UK clocks change.
CELERY_BEAT_SCHEDULE: dict = {
    # Before the metrics: the tracker's stored facts are checked against their definition.
    "nightly-tracker-facts-check": {
        "task": "cases.repair_tracker_facts",
        "schedule": crontab(hour=2, minute=15),
    },
    "nightly-metrics": {
        "task": "reporting.compute_metrics",
        "schedule": crontab(hour=2, minute=30),
    },
    # Runs on the first weekdays; the task builds last month's pack on the first working day only,
    # after that night's metrics.
    "monthly-board-pack": {
        "task": "reporting.build_board_pack_monthly",
        "schedule": crontab(hour=6, minute=0, day_of_month="1-7", day_of_week="mon-fri"),
    },
}

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
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
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {"TITLE": "PLO Tracker API", "VERSION": "0.1.0"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO (including its own stylesheets at import).
    "loggers": {"pgserver": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Product settings (local policy, not statute): see README "Configuration".
# Change history (django-pghistory): the admin lists every event with its label, values,
# changes and context (who, which URL).
PGHISTORY_ADMIN_LIST_DISPLAY = ["pgh_created_at", "pgh_label", "pgh_obj_model", "pgh_obj_id", "pgh_diff", "pgh_data"]

PLO_SERVICE_NAME = "PLO Tracker"
PLO_SMALL_NUMBER_THRESHOLD = env_int("PLO_SMALL_NUMBER_THRESHOLD", default=5, minimum=1)
# How far ahead a planned date (a due, listed or review date) may be, in years: a sanity bound on
# input, so a mistyped year is refused rather than stored. At most 100, far inside the calendar.
PLO_MAX_YEARS_AHEAD = env_int("PLO_MAX_YEARS_AHEAD", default=5, minimum=1, maximum=100)
