"""Django settings for Saima, read from environment variables (see .env.example)."""

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

if not DEBUG:
    # Production refuses to start with an unsafe configuration.
    if len(SECRET_KEY) < 32 or SECRET_KEY.startswith(("change-me", "django-insecure")):
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 32+ characters")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the served host names")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
elif not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 — DEBUG only; production refuses it

INSTALLED_APPS = [
    "daphne",  # first: runserver serves ASGI (HTTP and the walls' WebSockets)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "core",
    "providers",
    "scoring",
    "certification",
    "admission",
    "live",
    "settlement",
    "playbook",
    "ecosystem",
    "pages",
    "portal",
    "console",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "saima.urls"
WSGI_APPLICATION = "saima.wsgi.application"
ASGI_APPLICATION = "saima.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://saima_app@127.0.0.1:5432/saima"), conn_max_age=60
    )
}
# pgtrigger's trigger functions read the `pgtrigger.ignore` setting and catch the error when it is
# unset; each caught error is a subtransaction, and a transaction that fires thousands of audit
# triggers (a cycle publish) slows down with every one of them. A defined empty list avoids it.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c pgtrigger.ignore={}"
# Parallel test runs (several checkouts on one server) can each name their own test database.
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_saima")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Saima runs on PostgreSQL only (DATABASE_URL=postgres://...)")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Database roles (docs/operations.md, "Database roles") ---------------------------------------------
# The app (web, workers, beat) connects as DATABASE_URL's role, which owns nothing: it reads and writes
# rows but cannot ALTER (DISABLE TRIGGER), TRUNCATE or DROP, and on the ledger it may only SELECT and
# INSERT. `manage.py migrate` (core's migrate command) logs in as MIGRATION_DATABASE_URL's role, which
# owns the schema, then grants the app its privileges; only the deploy step needs that URL. Left unset
# while DATABASE_URL is set, migrate runs as DATABASE_URL's role (one role for everything: benchmarks).
# DATABASE_ADMIN_URL (a superuser) is for development only: `check_services --create-roles/--create-
# database` creates the two roles and the database with it, and a few tests tamper with it.
MIGRATION_DATABASE_URL = env_str(
    "MIGRATION_DATABASE_URL", "" if env_str("DATABASE_URL") else "postgres://saima_owner@127.0.0.1:5432/saima"
)
MIGRATION_DATABASE = dj_database_url.parse(MIGRATION_DATABASE_URL) if MIGRATION_DATABASE_URL else None
if MIGRATION_DATABASE and MIGRATION_DATABASE["NAME"] != DATABASES["default"]["NAME"]:
    raise ImproperlyConfigured("MIGRATION_DATABASE_URL must name the same database as DATABASE_URL")
DATABASE_ADMIN = dj_database_url.parse(env_str("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
# --- end of database roles ------------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
# The provider dashboard keeps what it reads of published cycles (immutable: the key is the newest published
# score) this long, and the 90-day operation effect, which moves with every ingest, for its own, shorter time.
# 0 turns either off (bench/load.py measures both ways).
PUBLISHED_CACHE_SECONDS = env_int("PUBLISHED_CACHE_SECONDS", 24 * 3600)
OPERATION_EFFECT_CACHE_SECONDS = env_int("OPERATION_EFFECT_CACHE_SECONDS", 300)
# The staff's wall of walls is read through the cache for this long (a new batch or alert count reads it again).
LIVE_WALLS_CACHE_SECONDS = env_int("LIVE_WALLS_CACHE_SECONDS", 10)
# The live walls' pushes go through Redis, so every web process's sockets receive them (docs/live.md). Each socket's
# handshake joins its group on a connection of the process's pool: redis-py's asyncio pool refuses more than 100 at
# once by default (the 101st wall opened in the same instant got a 500), so a process may hold this many. Its
# receive blocks in Redis for 5 seconds (BZPOPMIN), as long as redis-py's default socket timeout: a read timing out
# first closed a wall's socket (1011) now and then, so the socket waits longer.
LIVE_REDIS_CONNECTIONS = env_int("LIVE_REDIS_CONNECTIONS", 1000)
LIVE_REDIS_SOCKET_TIMEOUT = 15
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": REDIS_URL,
                    "max_connections": LIVE_REDIS_CONNECTIONS,
                    "socket_timeout": LIVE_REDIS_SOCKET_TIMEOUT,
                }
            ],
            "prefix": "saima-live",
            "expiry": 30,
            "capacity": 200,
        },
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "saima@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# Notification e-mail (certification.mailing): the first retry after this many seconds, then doubling.
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 60)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filtersets.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"verify": env_str("VERIFY_RATE", "60/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Saima API",
    "DESCRIPTION": "Service-provider certification and ranking (赛马) — API v1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Publishing fails fast when Redis is down (a request that enqueues answers 503 within ~1 s instead of
# ~19 s): short connect timeouts and two quick retries, for the broker and for the result store
# (sending a task subscribes to its result first).
_QUICK_RETRIES = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = _QUICK_RETRIES
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _QUICK_RETRIES}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
PGHISTORY_APPEND_ONLY = True
# The audit trail's request context (user, URL) is set for the methods that write; a GET never writes, so its
# queries go without the context statement pghistory would otherwise prepend to each.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# --- Ledger anchors (docs/ledger.md, "Anchors") -----------------------------------------------------------
# The nightly ledger verification appends the verified head (SEQ:HASH) to a file in this directory (and
# logs it); verify_ledger checks that the chain still passes through every recorded head. Keep it outside
# the database's reach, on storage the workers share, and back it up apart from the database.
LEDGER_ANCHOR_DIR = Path(env_str("LEDGER_ANCHOR_DIR", str(BASE_DIR / "var" / "ledger-anchors")))
# --- end of ledger anchors ----------------------------------------------------------------------------------

# Behind a reverse proxy that terminates TLS (docs/operations.md).
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if env_bool("TRUST_X_FORWARDED_PROTO", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


# --- Security: API tokens and rate limits (docs/api.md, docs/operations.md) -----------------------
# Tokens are stored hashed (core.ApiToken); a request that brings no credentials, or bad ones, counts
# against the `anon` rate of its address (core.authentication.AnonymousRateLimit comes last for that).
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "core.authentication.ApiTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
    "core.authentication.AnonymousRateLimit",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["core.throttling.UserRateThrottle"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].update(
    {
        "anon": env_str("API_ANON_RATE", "60/min"),
        "user": env_str("API_USER_RATE", "600/min"),
        "ingest": env_str("API_INGEST_RATE", "300/min"),
    }
)
# Number of trusted proxies in front of the app: the client address is then read from X-Forwarded-For.
REST_FRAMEWORK["NUM_PROXIES"] = env_int("NUM_PROXIES")
# The schema and its docs page are for signed-in users (staff, provider users, the pipeline), not the public.
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["rest_framework.permissions.IsAuthenticated"]
SPECTACULAR_SETTINGS["AUTHENTICATION_WHITELIST"] = [
    "core.authentication.ApiTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]


# --- Security: login lockout (django-axes; docs/operations.md) -----------------------------------
# Failed sign-ins are counted per username and client address, on every login that goes through
# django.contrib.auth.authenticate (the pages' /accounts/login/ and the admin's /admin/login/).
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as django-axes requires
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every command; lockouts are still logged
AXES_CLIENT_IP_CALLABLE = "core.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"


# --- Security: password rules (core/passwords.py) ------------------------------------------------
AUTH_PASSWORD_VALIDATORS += [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # A provider user's password must not resemble its company's name or credit code.
    {"NAME": "core.passwords.ProviderNameSimilarityValidator"},
]


# --- Security: HTTPS, cookies, Content-Security-Policy (docs/operations.md) ----------------------
# With DEBUG false every one is on unless the environment turns it off (a plain-HTTP test installation).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preloading is a commitment to browsers' built-in lists, made by the operator, not by a default.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # check --deploy's "SECURE_HSTS_PRELOAD is not True" (W021): deliberate, see above.
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "security.W021"]
if not DEBUG:
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# django-csp 4: the pages load scripts only from Saima's own static files (no inline script, no
# handler attributes). Styles allow 'unsafe-inline': the charts' SVG and the Swagger UI page carry
# style attributes and <style> blocks; a style cannot run code.
INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# drf-spectacular: two choice sets behind fields named "key" (capability and metric keys) get their own names.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "CapabilityKeyEnum": "scoring.choices.CapabilityKey",
    "MetricKeyEnum": "scoring.choices.MetricKey",
    "PlanStatusEnum": "playbook.choices.PlanStatus",
}
