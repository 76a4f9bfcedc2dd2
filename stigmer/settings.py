"""Settings for Stigmer, every knob read from the environment.

Embedded defaults (SQLite, in-memory channel layer, local Temporal dev server,
offline scripted model) need no configuration at all; production sets
DATABASE_URL, REDIS_URL and the TEMPORAL_* variables.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from stigmer.channel_layers import redis_channel_layer
from stigmer.config import env

BASE_DIR = Path(__file__).resolve().parent.parent


def env_or(name: str, default):
    """For variables whose default follows another setting (DEBUG)."""
    value = env(name)
    return default if value is None else value


# --- core -------------------------------------------------------------------
DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY") or (
    "django-insecure-stigmer-embedded-development-key" if DEBUG else ""
)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

# --- security behind a TLS-terminating proxy (on whenever DEBUG is off) ------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_or("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_or("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_or("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_or("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_or("SECURE_HSTS_PRELOAD", not DEBUG)
# Health checks and metrics are scraped over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "executions",
    "runner",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# --- login throttling (django-axes) ------------------------------------------
# After STIGMER_LOGIN_FAILURE_LIMIT failed admin logins for one username from
# one address, that pair is refused (429) for STIGMER_LOGIN_COOLOFF_MINUTES,
# even with the right password; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env("STIGMER_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env("STIGMER_LOGIN_COOLOFF_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Static files: from the apps in development (stigmer/asgi.py), by WhiteNoise
# from STATIC_ROOT (collectstatic, done in the Dockerfile) in production.
DEBUG_STATIC = env_or("STIGMER_SERVE_STATIC", DEBUG)
if not DEBUG_STATIC:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
# A span per request, only when OpenTelemetry export is configured (stigmer/tracing.py).
if env("OTEL_EXPORTER_OTLP_ENDPOINT") or env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
    MIDDLEWARE.insert(0, "stigmer.tracing_middleware.tracing_middleware")

ROOT_URLCONF = "stigmer.urls"
ASGI_APPLICATION = "stigmer.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- database ---------------------------------------------------------------
# SQLite runs in WAL mode with a busy timeout: web, workers and the checkpointer
# write from several threads at once.
SQLITE_PATH = BASE_DIR / env("STIGMER_SQLITE_PATH")
if env("DATABASE_URL"):
    # Persistent, health-checked connections by default. Under ASGI each request
    # may run in a new thread, so those pile up under load: DATABASE_POOL=1
    # switches to one psycopg pool per process instead.
    _pooled = env("DATABASE_POOL")
    DATABASES = {
        "default": dj_database_url.parse(
            env("DATABASE_URL"),
            conn_max_age=0 if _pooled else env("DATABASE_CONN_MAX_AGE"),
            # The pool's connections are checked by our backend instead (see
            # stigmer/postgresql/base.py): psycopg_pool's own check stalls
            # after a database blink.
            conn_health_checks=not _pooled,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Named, so operators (and the fault tests) can find our connections.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "application_name", "stigmer-pool" if _pooled else "stigmer"
        )
        if _pooled:
            DATABASES["default"]["ENGINE"] = "stigmer.postgresql"
            DATABASES["default"]["OPTIONS"]["pool"] = {
                "min_size": 1,
                "max_size": env("DATABASE_POOL_MAX_SIZE"),
                "timeout": 30,
            }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file (not :memory:) so worker threads share it; one per test
            # run so parallel runs on one machine don't collide. Written to the
            # environment (not configuration): the run's worker processes find it there.
            "TEST": {
                "NAME": BASE_DIR
                / os.environ.setdefault("STIGMER_TEST_DB", f".test-db-{os.getpid()}.sqlite3")
            },
        }
    }

# --- channels and cache -----------------------------------------------------
REDIS_URL = env("REDIS_URL") or ""
if REDIS_URL:
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL)}
    # Shared by every web process: the API's create throttles count across them.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Only correct when web and runner share a process (run_platform); this
    # in-memory layer is also safe across the threads/event loops of that process.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "executions.live.layers.InProcessChannelLayer",
            "CONFIG": {"capacity": 1000},
        }
    }

# --- temporal ---------------------------------------------------------------
# The contract's values live in executions/temporal/config.py, read at call
# time from these variables; listed here so one file documents every knob.
STIGMER_TRACE_URL = env("STIGMER_TRACE_URL") or ""  # e.g. http://localhost:16686/trace/{trace_id}
TEMPORAL_UI_URL = env("TEMPORAL_UI_URL")

# --- stigmer ----------------------------------------------------------------
STIGMER_MAX_MESSAGE_CHARS = env("STIGMER_MAX_MESSAGE_CHARS")
# How deep agents may delegate (a sub-agent's sub-agent is depth 2). The runner
# worker serves one task queue per depth, each with its own slots.
STIGMER_MAX_DELEGATION_DEPTH = env("STIGMER_MAX_DELEGATION_DEPTH")
# Retention (executions/services/retention.py): days finished executions, their
# events and idle sessions' checkpoints are kept, for agents that set none;
# 0 keeps them forever. Pruned every STIGMER_RETENTION_INTERVAL_SECONDS by a
# Temporal Schedule, STIGMER_RETENTION_BATCH_SIZE rows per statement.
STIGMER_RETENTION_DAYS = env("STIGMER_RETENTION_DAYS")
STIGMER_RETENTION_INTERVAL_SECONDS = env("STIGMER_RETENTION_INTERVAL_SECONDS")
STIGMER_RETENTION_BATCH_SIZE = env("STIGMER_RETENTION_BATCH_SIZE")
# Webhooks (docs/webhooks.md): a delivery is tried STIGMER_WEBHOOK_ATTEMPTS times,
# waiting STIGMER_WEBHOOK_BACKOFF_SECONDS, doubled each time up to the cap (the
# defaults span about ten hours); each POST is given STIGMER_WEBHOOK_TIMEOUT_SECONDS.
STIGMER_WEBHOOK_ATTEMPTS = env("STIGMER_WEBHOOK_ATTEMPTS")
STIGMER_WEBHOOK_BACKOFF_SECONDS = env("STIGMER_WEBHOOK_BACKOFF_SECONDS")
STIGMER_WEBHOOK_BACKOFF_CAP_SECONDS = env("STIGMER_WEBHOOK_BACKOFF_CAP_SECONDS")
STIGMER_WEBHOOK_TIMEOUT_SECONDS = env("STIGMER_WEBHOOK_TIMEOUT_SECONDS")
STIGMER_CHECKPOINT_PATH = BASE_DIR / env("STIGMER_CHECKPOINT_PATH")

# --- credentials --------------------------------------------------------------
# Fernet keys (comma-separated, newest first) for credentials at rest: the first
# encrypts, all decrypt. Unset, one key is derived from SECRET_KEY (HKDF-SHA256,
# see executions/crypto.py); the entry "secret_key" stands for that derived key.
STIGMER_CREDENTIALS_KEYS = env("STIGMER_CREDENTIALS_KEY")

# --- rest framework ---------------------------------------------------------
# Bodies above this are refused with 413 (a message is at most
# STIGMER_MAX_MESSAGE_CHARS characters, up to 4 bytes each, plus JSON overhead).
DATA_UPLOAD_MAX_MEMORY_SIZE = env("STIGMER_MAX_BODY_BYTES")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous request gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["executions.api.permissions.OwnerOrModelPermission"],
    "DEFAULT_PARSER_CLASSES": ["executions.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "executions.api.errors.api_exception_handler",
}
STIGMER_API_PAGE_SIZE = env("STIGMER_API_PAGE_SIZE")
# An SSE response ends after this many seconds even if the execution still
# runs; clients reconnect with Last-Event-ID (the SSE standard) and lose nothing.
STIGMER_SSE_MAX_SECONDS = env("STIGMER_SSE_MAX_SECONDS")
STIGMER_SSE_POLL_SECONDS = env("STIGMER_SSE_POLL_SECONDS")
STIGMER_SSE_KEEPALIVE_SECONDS = env("STIGMER_SSE_KEEPALIVE_SECONDS")
# Open sockets re-check their user's access this often: a revoked permission,
# a deactivated user or a logout closes them within that time.
STIGMER_WS_RECHECK_SECONDS = env("STIGMER_WS_RECHECK_SECONDS")
STIGMER_LIVE_TICKET_SECONDS = env("STIGMER_LIVE_TICKET_SECONDS")

# --- quotas -------------------------------------------------------------------
# Creates through the API per user and per agent ("N/min", "N/hour"; empty: no
# limit), answered 429 with Retry-After; unfinished (PENDING or IN_PROGRESS)
# executions per user on every surface (0: no limit), refused the same way.
STIGMER_CREATE_RATE_PER_USER = env("STIGMER_CREATE_RATE_PER_USER") or None
STIGMER_CREATE_RATE_PER_AGENT = env("STIGMER_CREATE_RATE_PER_AGENT") or None
STIGMER_MAX_RUNNING_PER_USER = env("STIGMER_MAX_RUNNING_PER_USER")
# Monthly budget in USD for users without a budget of their own (empty: no limit).
STIGMER_USER_MONTHLY_BUDGET = env("STIGMER_USER_MONTHLY_BUDGET") or None
SPECTACULAR_SETTINGS = {
    "TITLE": "Stigmer API",
    "DESCRIPTION": "Run LLM agents as durable executions; follow them live over SSE.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",  # contentSchema: each SSE event's data is a JSON event
    "ENUM_NAME_OVERRIDES": {
        "EventTypeEnum": "executions.models.EventType",
        "PhaseEnum": "executions.models.Phase",
        "TerminalPhaseEnum": "executions.api.serializers.runner.TERMINAL_PHASES",
        "StepTypeEnum": "executions.api.serializers.runner.STEP_TYPES",
        "WebhookEventEnum": "executions.models.WebhookEvent",
        "DeliveryStatusEnum": "executions.models.DeliveryStatus",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "executions.api.schema.postprocess_error_responses",
    ],
}

# JSON lines in production (LOG_FORMAT=json, the default when DEBUG is off),
# each record carrying execution_id and workflow_id where it has them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "stigmer.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "stigmer.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_or("LOG_FORMAT", "plain" if DEBUG else "json"),
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {"temporalio": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
