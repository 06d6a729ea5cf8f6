"""Settings for My People. Everything deployment-specific comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_whole_number(name: str, default: int, meaning: str) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}: {meaning}.")
    return int(raw)


DEBUG = env_flag("DEBUG", False)
# Set by `make test` and .ci/run: the test suite, which runs with DEBUG off.
TESTING = env_flag("TESTING", False)

# SECRET_KEY signs sessions and password-reset links and keys the digests of purged people's
# addresses (sync.models.DeletedAddress), so production must have its own. The
# development key is only for DEBUG=1 (make run) and TESTING=1 (make test).
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set (or is only the development key). With DEBUG off this is a production "
            "server, and it needs a long random key of its own, the same on every server. Make one with\n"
            "    python -c 'import secrets; print(secrets.token_urlsafe(50))'\n"
            "and set it in the environment as SECRET_KEY=... "
            "(For development run with DEBUG=1, as `make run` does; the tests run with TESTING=1.)"
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tables2",
    "axes",
    "contacts",
    "sync",
    "audiences",
    "django_tasks_db",  # the database-backed task backend and its `db_worker`
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "contacts.htmx.HtmxMiddleware",  # django-htmx's request.htmx, plus Vary for the htmx headers read
    "contacts.membership.CurrentMembershipMiddleware",  # request.membership: the workspace worked in
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind reverse proxies every request comes from the proxy's address, so lockout would be shared
# by everyone behind it: PROXY_COUNT (README) says how many proxies append to X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "cloze.client_ip.client_ip_address"
PROXY_COUNT = env_whole_number(
    "PROXY_COUNT", 0, "the number of reverse proxies in front of the app that append to X-Forwarded-For (usually 1)"
)

# Email (only password reset sends any). Tests keep it in django.core.mail.outbox; with
# EMAIL_HOST set it goes out by SMTP (STARTTLS on port 587 unless told otherwise); in
# development without EMAIL_HOST it is printed on the console. A production server without
# EMAIL_HOST cannot send mail, so it offers no password reset (PASSWORD_RESET_BY_EMAIL):
# an admin sets a new password instead.
# (Lower-case names: Django 6.1 refuses its old EMAIL_* settings beside MAILERS.)
email_host = os.environ.get("EMAIL_HOST", "").strip()
if TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
elif email_host or not DEBUG:
    use_ssl = env_flag("EMAIL_USE_SSL")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                # Without EMAIL_HOST: Django's traditional local mail server, used by nothing here.
                "host": email_host or "localhost",
                "port": env_whole_number("EMAIL_PORT", 465 if use_ssl else 587, "the mail server's port"),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_ssl": use_ssl,
                "use_tls": not use_ssl and env_flag("EMAIL_USE_TLS", True),
                "timeout": 10,  # a stuck mail server must not hold a web worker for long
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "My People <webmaster@localhost>"
PASSWORD_RESET_BY_EMAIL = bool(TESTING or DEBUG or email_host)

ROOT_URLCONF = "cloze.urls"

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
                "contacts.views.account.password_reset_context",
            ],
        },
    },
]

WSGI_APPLICATION = "cloze.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once with "database is locked";
    # IMMEDIATE makes every transaction take the write lock up front, so two
    # writers queue instead of deadlocking on lock upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

# Background work (django.tasks): kept in the database, run by `manage.py jobs_worker` (make run starts
# one beside the web server). On PostgreSQL workers claim tasks with SKIP LOCKED, so any number of them
# on any number of machines can share the database; on SQLite the IMMEDIATE transactions above queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A confirmed bulk action over more people than this runs as a background job (jobs/).
BULK_JOB_THRESHOLD = env_whole_number("BULK_JOB_THRESHOLD", 20_000, "how many people a bulk action may have in-request")
# A job works in batches of this many people, in id order, one transaction each.
BULK_JOB_BATCH_SIZE = env_whole_number("BULK_JOB_BATCH_SIZE", 5_000, "people per batch of a background job")
# Milliseconds a job rests between batches, leaving the database to the web server (0: none).
BULK_JOB_PAUSE_MS = env_whole_number("BULK_JOB_PAUSE_MS", 0, "milliseconds a job rests between batches")
# A running job whose worker has not committed a batch for this long is taken over by the next worker started.
BULK_JOB_STALE_SECONDS = env_whole_number(
    "BULK_JOB_STALE_SECONDS", 60, "seconds after which a silent job counts as abandoned by its worker"
)
# Periodic work (jobs.periodic): every jobs_worker checks this schedule each PERIODIC_TICK_SECONDS and
# enqueues the due ones; a (task, slot) row per run makes sure two schedulers never run one slot twice.
# Each entry: a management command (its name unless "command" says), "every" (a timedelta), "at" (how far
# into each period, from midnight UTC: daily at 03:15 UTC below) and "args". The sync of live sources
# (issue 16) goes here, every few minutes, once its command exists, e.g.
#   "sync_sources": {"every": timedelta(minutes=5)},
PERIODIC_TASKS = {
    "purge_deleted": {"every": timedelta(days=1), "at": timedelta(hours=3, minutes=15)},
}
PERIODIC_TICK_SECONDS = env_whole_number("PERIODIC_TICK_SECONDS", 60, "seconds between checks of PERIODIC_TASKS")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "people"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database, so any number of app servers can share one PostgreSQL.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# Where translations of the app's words go: locale/<language>/LC_MESSAGES/django.po (none yet).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DJANGO_TABLES2_TEMPLATE = "contacts/table.html"

# How long deleted people stay in Recently Deleted before purge_deleted erases them.
CONTACT_RETENTION_DAYS = int(os.environ.get("CONTACT_RETENTION_DAYS", "30"))
# Individually ticked people sent in one request; larger selections use "Select all".
MAX_SELECTED_IDS = 5000
# Deleting (or deleting forever) more people than this asks the user to type how many.
BULK_TYPED_COUNT_OVER = 20
# Sync takes at most this many counterparts (From/To/Cc people) from one message; the rest are counted as skipped.
SYNC_MAX_COUNTERPARTS_PER_MESSAGE = int(os.environ.get("SYNC_MAX_COUNTERPARTS_PER_MESSAGE", "50"))
# Live sources (IMAP, CardDAV) may connect only to public addresses unless this is on (sync.network).
SYNC_ALLOW_PRIVATE_HOSTS = env_flag("SYNC_ALLOW_PRIVATE_HOSTS", False)

# Security: on by default, relaxed only for local development.
SECURE = not DEBUG and not env_flag("INSECURE_HTTP")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and not env_flag("BEHIND_TLS_PROXY_WITHOUT_REDIRECT")
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_flag("BEHIND_TLS_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

from django.utils.csp import CSP  # noqa: E402

# Only our own scripts and styles; htmx is served from our static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
