"""Settings for the fact-check desk, read from the environment.

Every value a deployment changes comes from an environment variable so that the
same code runs on a laptop (SQLite, DEBUG on) and in production (PostgreSQL,
DEBUG off, TLS) without editing this file. See README.md for the list.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.checks.mail import NON_PRODUCTION_EMAIL_BACKENDS
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY, or DEBUG=1 for a local development run.")
    # Development only: a fixed key keeps sessions valid across restarts.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # /sitemap.xml (claims/public/sitemaps.py); its domain is SITE_URL's, not contrib.sites'.
    "django.contrib.sitemaps",
    "django_htmx",
    # Login throttling (see "Logins" below).
    "axes",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A request the database could not serve gets the 503 page (claims/middleware.py);
    # inside SecurityMiddleware, so the page still carries its headers.
    "claims.middleware.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: the switcher's cookie, else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle expiry of desk sessions and `Cache-Control: private, no-store`.
    "claims.middleware.DeskSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # DEBUG only: a view's 404 reaches htmx as production's page, not Django's technical one.
    "claims.middleware.HtmxNotFoundMiddleware",
    # Turns a refused login into the login page with its message (claims/accounts.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "claims.context_processors.notifications",
            ],
            "builtins": ["claims.templatetags.html_dates"],
        },
    },
]

# Database: SQLite by default (the embedded quick start), PostgreSQL when
# DATABASE_URL says so.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one request writes; IMMEDIATE transactions
    # take the write lock at BEGIN so two writers queue (for up to `timeout`
    # seconds) instead of failing half-way with "database is locked".
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, failing at once for a few seconds after a connection
    # could not be had, so an outage answers 503 fast (factcheck/postgresql/).
    _db["ENGINE"] = "factcheck.postgresql"
    # psycopg 3's pool keeps connections warm between requests; Django needs
    # CONN_MAX_AGE=0 when the pool is on. Waits are short: a request that
    # cannot have a connection within DB_POOL_TIMEOUT seconds gets the 503
    # page. A pooled connection is checked before use (CONN_HEALTH_CHECKS),
    # so one broken by a database restart is replaced, not handed to a
    # request; the pool gives up reconnecting in the background after
    # DB_POOL_TIMEOUT, and the next request tries again at once.
    _pool_timeout = float(os.environ.get("DB_POOL_TIMEOUT", "2"))
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "1")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
        "timeout": _pool_timeout,
        "reconnect_timeout": _pool_timeout,
    }
    # libpq counts whole seconds, two at least.
    _db["OPTIONS"]["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "2"))
    _db["CONN_MAX_AGE"] = 0
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
# While the database is unreachable: how long the 503 page's Retry-After
# says, and how long a process waits before trying to connect again.
DATABASE_RETRY_AFTER = int(os.environ.get("DB_RETRY_AFTER", "5"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:index"
LOGOUT_REDIRECT_URL = "login"

# Logins (desk and admin) are throttled by django-axes. Failed attempts are
# counted per account and per client address; LOGIN_FAILURE_LIMIT failures of
# either within LOGIN_COOLOFF_MINUTES lock it until that much time has passed
# since the last one. A locked attempt is refused before any password is
# hashed (axes' backend comes first), even with the right password.
AUTHENTICATION_BACKENDS = [
    "claims.accounts.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Attempts made while locked out neither count nor extend the lockout, and a
# success does not wipe the address's failures (it would let anyone with one
# account reset the counter between guesses at others).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "claims.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "claims.accounts.client_address"
# The client address is the connection's, unless the app is behind this many
# reverse proxies that each append the address they saw to X-Forwarded-For.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
AXES_VERBOSE = False

# A desk session ends after DESK_IDLE_HOURS without a desk request; each desk
# request (an authenticated one that reads the session) starts the wait again.
SESSION_COOKIE_AGE = int(float(os.environ.get("DESK_IDLE_HOURS", "12")) * 3600)

LANGUAGE_CODE = "en"
# The interface languages (content is shown as written). The names are each
# language's own, as the switcher shows them.
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice is remembered for a year (Django's default cookie
# would last only until the browser closes).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("STATIC_PLAIN", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Article uploads are capped at 2 MB by the form; let Django keep uploads of
# that size in memory and refuse bodies far beyond it early.
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 4000

# Fetching an article from its address (claims/fetching.py). The fetch refuses every
# address that is not on the public internet; hosts listed here are fetched anyway
# (an intranet CMS, the test suite's local server). Names or IP literals, comma-separated.
ARTICLE_FETCH_ALLOWED_HOSTS = env_list("ARTICLE_FETCH_ALLOWED_HOSTS")
ARTICLE_FETCH_TIMEOUT = float(os.environ.get("ARTICLE_FETCH_TIMEOUT", "10"))  # seconds, in all
ARTICLE_FETCH_MAX_BYTES = 5 * 1024 * 1024
ARTICLE_FETCH_MAX_REDIRECTS = 5

# Content Security Policy: only our own files, no inline script or style
# attribute, no eval. htmx is configured (base.html) not to inject styles or
# evaluate anything.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

CSRF_FAILURE_VIEW = "claims.views.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the token travels in a header for htmx; read from the DOM
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = (
        ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
    )

# The site's canonical address: every absolute link in pages, feeds and emails
# is built on it (claims/public/links.py), never on the request. Required with
# DEBUG off (a system check says so). Its path, if any, is the script prefix,
# so that a SCRIPT_NAME sent with a request cannot change any page.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").strip()
FORCE_SCRIPT_NAME = urlsplit(SITE_URL).path.rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "desk@localhost")

# Mail: printed to the console in development, sent over SMTP otherwise.
# EMAIL_DISABLED=1 says explicitly that this deployment sends no mail: the
# dummy mailer drops every message. Without it, a production run with no
# mail transport fails its system check (claims.notifications.check_mail).
EMAIL_DISABLED = env_bool("EMAIL_DISABLED", False)
_SMTP_MAILER = "django.core.mail.backends.smtp.EmailBackend"
_mailer = (
    "django.core.mail.backends.dummy.EmailBackend"
    if EMAIL_DISABLED
    else os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG else _SMTP_MAILER
    )
)
MAILERS = {"default": {"BACKEND": _mailer, "OPTIONS": {}}}
if _mailer not in NON_PRODUCTION_EMAIL_BACKENDS:  # they never open a connection
    # Connection settings only for a mailer that connects: the console mailer
    # refuses a `host` that a developer's environment may carry.
    MAILERS["default"]["OPTIONS"] = {
        key.lower(): os.environ[f"EMAIL_{key}"]
        for key in ("HOST", "USERNAME", "PASSWORD")
        if os.environ.get(f"EMAIL_{key}")
    }
    if os.environ.get("EMAIL_PORT"):
        MAILERS["default"]["OPTIONS"]["port"] = int(os.environ["EMAIL_PORT"])
if _mailer == _SMTP_MAILER:
    MAILERS["default"]["OPTIONS"].update(
        # A mail server that accepts the connection and then hangs must not
        # hold the task worker forever: the send fails and is retried.
        timeout=int(os.environ.get("EMAIL_TIMEOUT", "20")),
        use_tls=env_bool("EMAIL_USE_TLS", False),
        use_ssl=env_bool("EMAIL_USE_SSL", False),
    )
if EMAIL_DISABLED:
    # Django's deploy check refuses the dummy mailer; here it was chosen.
    SILENCED_SYSTEM_CHECKS = ["mail.E001"]

# Notifications are Django tasks, enqueued after the transaction commits.
# Production keeps them in the database (django-tasks-db) for a worker,
# `manage.py db_worker`, which records every attempt; staff see failures in
# the admin. Development runs them at once, in the request (README).
INSTALLED_APPS.append("django_tasks_db")
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django.tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend",
        )
    }
}
# A failed email is tried again after each of these delays (seconds), then
# left failed: five attempts over about two and a half hours.
NOTIFICATION_RETRY_DELAYS = [
    int(delay) for delay in env_list("NOTIFICATION_RETRY_DELAYS", "60,300,1800,7200")
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "server": {"class": "logging.StreamHandler", "formatter": "server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's own loggers print through the root handler only: its default configuration
    # gives the "django" logger a console handler of its own in DEBUG, and with the root
    # one too every line (the autoreloader's included) was printed twice.
    "loggers": {
        "django": {
            "handlers": ["console"],
            "level": os.environ.get("LOG_LEVEL", "INFO" if DEBUG else "WARNING"),
            "propagate": False,
        },
        # The development server's request lines, dated as Django prints them.
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
