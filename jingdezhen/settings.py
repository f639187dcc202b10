"""Settings for the Jingdezhen Live Base.

Everything that differs between a laptop and production comes from the environment. PostgreSQL is
the only database engine: DATABASE_URL names it (``make run`` starts an embedded one and sets it;
unset, the machine's PostgreSQL on 127.0.0.1:5432 is assumed). REDIS_URL names Redis or Valkey,
the cache and the Celery broker; without it Celery tasks run in the calling process.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "jingdezhen",
    "merchants",
    "livestreams",
    "orders",
    "training",
]

MIDDLEWARE = [
    # First: every later middleware, the view and the response log with the request's id.
    "jingdezhen.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who changed what (jingdezhen/core/history.py): the user of every writing request, also
    # the API's token user, whom DRF authenticates inside the view.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Reads write nothing worth a history: only writing requests open pghistory's context.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The event tables are a record: no update or delete of an event from the application.
PGHISTORY_APPEND_ONLY = True

ROOT_URLCONF = "jingdezhen.urls"
WSGI_APPLICATION = "jingdezhen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jingdezhen.pages.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default="postgres://postgres@127.0.0.1:5432/jingdezhen",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Django's PostgreSQL backend whose check of a kept connection asks the socket before it asks the
# server (jingdezhen/core/postgresql/base.py): no SELECT 1 round trip on every request.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "jingdezhen.core.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "merchants.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitations (merchants/invitations.py): a link to set one's password, usable once, for so many
# days; password-reset links last as long.
INVITATION_TTL_DAYS = int(os.environ.get("INVITATION_TTL_DAYS", "7"))
PASSWORD_RESET_TIMEOUT = INVITATION_TTL_DAYS * 24 * 60 * 60
# API tokens (jingdezhen/core/tokens.py) are refused once this old; logout and a new password
# revoke them sooner.
API_TOKEN_TTL_HOURS = float(os.environ.get("API_TOKEN_TTL_HOURS", str(24 * 7)))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The proxies in front of the app that we run (the README's TLS proxy is one): the client's
# address is the entry the outermost of them appended to X-Forwarded-For; 0 = none, REMOTE_ADDR.
# Every throttle (axes, DRF) keys on jingdezhen.core.clients.client_address, so extra entries a
# client prepends to X-Forwarded-For change nothing.
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))

# Login throttling: five failures for one username from one address lock that pair for 15
# minutes; the same username from another client is not locked out.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "jingdezhen.core.clients.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# One catalogue per app, edited by translators; listed here so they take precedence over the
# third-party apps' own (admin's "Log out", celery beat's "Name"). The first one also holds the
# project-wide templates' strings (see jingdezhen/management/commands/makemessages.py).
LOCALE_PATHS = [
    BASE_DIR / app / "locale"
    for app in ("jingdezhen", "merchants", "livestreams", "orders", "training")
]
TIME_ZONE = "Asia/Shanghai"
# How dates read in each language (2026年12月3日 / 3 December 2026): jingdezhen/formats/.
FORMAT_MODULE_PATH = ["jingdezhen.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the root of the site (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Private uploads (breakage-claim photos) are never under MEDIA_ROOT: empty means a folder beside
# it (media -> media-private), which nothing serves; the view that checks reach hands a file to
# the proxy's internal location PRIVATE_FILES_ACCEL (nginx X-Accel-Redirect), or sends it itself.
PRIVATE_MEDIA_ROOT = os.environ.get("PRIVATE_MEDIA_ROOT", "")
PRIVATE_FILES_ACCEL = os.environ.get("PRIVATE_FILES_ACCEL", "")


def private_storage_config(environ) -> dict:
    """STORAGES["private"] from the environment: files on disk (``PRIVATE_STORAGE=filesystem``,
    the default) or an S3-compatible bucket (``s3``: Aliyun OSS, MinIO, AWS) through
    django-storages, whose URLs are signed and expire after PRIVATE_FILES_URL_SECONDS."""
    kind = environ.get("PRIVATE_STORAGE", "filesystem").strip().lower() or "filesystem"
    if kind == "filesystem":
        return {"BACKEND": "jingdezhen.core.storage.PrivateFileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"PRIVATE_STORAGE is 'filesystem' or 's3', not {kind!r}.")
    options = {
        "bucket_name": environ.get("PRIVATE_S3_BUCKET", ""),
        "endpoint_url": environ.get("PRIVATE_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("PRIVATE_S3_REGION") or None,
        "access_key": environ.get("PRIVATE_S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("PRIVATE_S3_SECRET_ACCESS_KEY") or None,
        # Aliyun OSS answers virtual-hosted addresses only; MinIO takes either.
        "addressing_style": environ.get("PRIVATE_S3_ADDRESSING_STYLE") or None,
        "location": environ.get("PRIVATE_S3_PREFIX", ""),
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": int(environ.get("PRIVATE_FILES_URL_SECONDS", "300")),
        "file_overwrite": False,
        "custom_domain": None,
        "signature_version": "s3v4",
    }
    if not options["bucket_name"]:
        raise ImproperlyConfigured("PRIVATE_STORAGE=s3 needs PRIVATE_S3_BUCKET.")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": private_storage_config(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads: photos are checked by content and size in the catalogue; this caps any request body.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Reset links asked for, per client address and per e-mail address (jingdezhen/accounts.py).
PASSWORD_RESET_RATE_PER_CLIENT = os.environ.get("PASSWORD_RESET_RATE_PER_CLIENT", "10/h")
PASSWORD_RESET_RATE_PER_EMAIL = os.environ.get("PASSWORD_RESET_RATE_PER_EMAIL", "3/h")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # A Redis outage makes cache misses, never failed requests (jingdezhen/core/cache.py);
    # short socket timeouts keep a dead Redis from holding requests up.
    CACHES = {
        "default": {
            "BACKEND": "jingdezhen.core.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "jdz"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with a broker configured, tasks go through Redis to a worker; without one, they run in
# the calling process so `make run` needs nothing but Python.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL) or "memory://"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL) or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker was killed stays "unacked" in Redis until this many seconds have passed,
# then goes to another worker (kombu's default is an hour). Our tasks take seconds; a rollup
# redone twice gives the same rows, so a short wait costs nothing and loses no work.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "600"))
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Payment holds and flash-deal endings have a queue of their own, so a long re-roll of turnover
# on the default queue never makes a hold expire late. Every worker of `make run` and `make
# serve` consumes both queues (celery worker -Q celery,holds).
CELERY_TASK_DEFAULT_QUEUE = "celery"
HOLDS_QUEUE = "holds"
# Imports (large files read for minutes) have their own queue too, so they never delay a hold.
IMPORTS_QUEUE = "imports"
CELERY_TASK_ROUTES = {
    "orders.tasks.release_expired_holds": {"queue": HOLDS_QUEUE},
    "orders.tasks.end_due_flash_deals": {"queue": HOLDS_QUEUE},
    "orders.tasks.end_flash_deal": {"queue": HOLDS_QUEUE},
    "orders.tasks.run_import": {"queue": IMPORTS_QUEUE},
}
WORKER_QUEUES = f"{CELERY_TASK_DEFAULT_QUEUE},{HOLDS_QUEUE},{IMPORTS_QUEUE}"
# The largest file an import job takes (orders or catalogue, CSV or .xlsx), in bytes; bounded
# so a setting cannot open the door to any size. A job reads it in chunks of 5,000 rows.
IMPORT_MAX_BYTES = min(
    int(os.environ.get("IMPORT_MAX_BYTES", str(100 * 1024 * 1024))), 500 * 1024 * 1024
)
# Seconds a job waits between chunks (0: none), to leave a small machine's cores to the web.
IMPORT_CHUNK_PAUSE = float(os.environ.get("IMPORT_CHUNK_PAUSE", "0"))
# The periodic jobs; django-celery-beat copies them into the database, where they can be edited.


def beat_seconds(name: str, default: int) -> float:
    """A periodic job's interval, from BEAT_<NAME>_SECONDS (the first look rolls every minute)."""
    return float(os.environ.get(f"BEAT_{name}_SECONDS", str(default)))


CELERY_BEAT_SCHEDULE: dict = {
    # Unpaid orders past their payment deadline: cancel them and give their held units back.
    "orders-release-expired-holds": {
        "task": "orders.tasks.release_expired_holds",
        "schedule": beat_seconds("HOLDS", 60),
    },
    # Flash deals whose time is up: their unsold set-aside units go back to stock.
    "orders-end-due-flash-deals": {
        "task": "orders.tasks.end_due_flash_deals",
        "schedule": beat_seconds("FLASH_DEALS", 30),
    },
    # Streams that should have started but did not; reminders to hosts before their stream.
    "livestreams-flag-late": {
        "task": "livestreams.tasks.flag_late_streams",
        "schedule": beat_seconds("LATE_STREAMS", 300),
    },
    "livestreams-reminders": {
        "task": "livestreams.tasks.send_stream_reminders",
        "schedule": beat_seconds("REMINDERS", 300),
    },
    # Today's turnover so far, and the days of orders changed since the last run (refunds).
    "turnover-today-so-far": {
        "task": "orders.tasks.rollup_today_so_far",
        "schedule": beat_seconds("TURNOVER", 300),
    },
    # Nightly re-roll of the last few days (late orders, refunds, deletions) at 02:30.
    "turnover-nightly-reroll": {
        "task": "orders.tasks.reroll_recent_days",
        "schedule": crontab(hour=2, minute=30),
    },
    # Supervision: targets missed, days without a stream, follow-ups due (CELERY_TIMEZONE is
    # the base's, so 08:00 Asia/Shanghai, before the managers' day starts).
    "merchants-supervision-daily": {
        "task": "merchants.tasks.supervision_daily",
        "schedule": crontab(hour=8, minute=0),
    },
}
TURNOVER_NIGHTLY_DAYS = int(os.environ.get("TURNOVER_NIGHTLY_DAYS", "3"))
# Days one re-roll task takes from the marked (dirty) days; the rest follow as further tasks.
TURNOVER_REROLL_BATCH_DAYS = int(os.environ.get("TURNOVER_REROLL_BATCH_DAYS", "31"))
# Imports: a chunk's foreign keys checked once for the chunk where the role may set
# session_replication_role (orders/intake/take_in/keys.py); chunks read ahead in a thread (unset:
# 2 for a workbook, none for a CSV; orders/intake/jobs.py).
IMPORT_CHECKED_KEYS = env_bool("IMPORT_CHECKED_KEYS", True)
if os.environ.get("IMPORT_READ_AHEAD"):
    IMPORT_READ_AHEAD = int(os.environ["IMPORT_READ_AHEAD"])

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "jingdezhen.core.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "jingdezhen.core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "jingdezhen.core.api.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # A JSON API: form bodies cannot tell null from the text "null". Photo uploads are multipart.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "jingdezhen.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jingdezhen.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "20/min"},
    # The login throttle keys on jingdezhen.core.clients; any other DRF throttle reads the same
    # number of hops (DRF takes the entry that far from the end but, unlike core.clients, also
    # believes a chain shorter than the hops, so key new throttles on client_address too).
    "NUM_PROXIES": TRUSTED_PROXY_HOPS,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jingdezhen Live Base API",
    "DESCRIPTION": (
        "Merchants, live rooms and streams, the ceramic catalogue, orders, daily turnover and "
        "training of a Jingdezhen live-broadcast base. Authenticate with a session or with "
        "`Authorization: Token <key>` from `POST /api/v1/auth/token/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" (and "kind", "role") field: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "MerchantStatusEnum": "merchants.models.Merchant.Status",
        "StreamStatusEnum": "livestreams.models.LiveStream.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # On the handler, not a logger: every record it prints has request_id ("-" outside requests).
    "filters": {"request_id": {"()": "jingdezhen.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# /healthz (jingdezhen/health.py): each Celery worker scores its hostname in this sorted set on
# the broker every WORKER_HEARTBEAT_INTERVAL seconds; the worker counts as up while the newest
# score is younger than WORKER_HEARTBEAT_MAX_AGE.
WORKER_HEARTBEAT_INTERVAL = float(os.environ.get("WORKER_HEARTBEAT_INTERVAL", "10"))
WORKER_HEARTBEAT_MAX_AGE = float(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", "60"))
WORKER_HEARTBEAT_KEY = f"{os.environ.get('CACHE_KEY_PREFIX', 'jdz')}:worker-heartbeats"

# Errors to Sentry (or GlitchTip, which takes the same DSN) only when a DSN is given.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from jingdezhen.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Jingdezhen Live Base <noreply@localhost>"
)
# SMTP (invitations, password resets) when EMAIL_BACKEND is Django's smtp backend.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

# Content-Security-Policy: our own scripts and styles only; no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie: the token travels in hx-headers.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # SECURE_COOKIES=false only for a local http try-out of the production shape (make serve).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
