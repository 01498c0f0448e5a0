"""Settings for kpiplan, read from the environment.

Without DATABASE_URL the app runs in *embedded mode*: an SQLite file beside the code,
a throw-away secret key, demo accounts allowed and cookies over plain http. With
DATABASE_URL set (production, CI) every secret must come from the environment. DEBUG is
off in both unless a developer sets DEBUG=1: a user meets the Thai error pages, never
Django's debug pages (which list every URL pattern and setting).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
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


DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Embedded mode is the zero-setup default for a newcomer's laptop; it is the only
# mode in which unsafe defaults and demo accounts are allowed.
EMBEDDED_MODE = not DATABASE_URL

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not EMBEDDED_MODE:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set.")
    SECRET_KEY = "embedded-mode-only-insecure-key"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if EMBEDDED_MODE else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Demo accounts are created only on the embedded database (see accounts.demo).
DEMO_ACCOUNTS_ALLOWED = EMBEDDED_MODE and env_bool("KPIPLAN_DEMO", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "django_tables2",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "kpiplan.third_party_apps.LoginAttemptsConfig",  # axes, named in Thai
    "csp",
    "django_tasks",
    "kpiplan.third_party_apps.BackgroundTasksConfig",  # django_tasks_db, named in Thai
    "kpiplan",
    "plans",
    "indicators",
    "projects",
    "reports",
    "progress",
    "plandoc",
    "api",
    "notices",
    "traffy",
    # Last, so that its post_migrate hook sees every other app's permissions.
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kpiplan.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kpiplan.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kpiplan.urls"
# A refused form (expired or missing CSRF token) explains itself in Thai and gives back
# what was typed (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "kpiplan.views.csrf_failure"

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
                "django.template.context_processors.i18n",
                "kpiplan.context_processors.navigation",
                "notices.context_processors.bell",
            ],
        },
    },
]

WSGI_APPLICATION = "kpiplan.wsgi.application"

if EMBEDDED_MODE:
    (BASE_DIR / "var").mkdir(exist_ok=True)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'var' / 'kpiplan.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database serves the web server and the report worker (db_worker) at
    # once. WAL lets readers go on while one writes; IMMEDIATE takes the write lock when
    # a transaction begins, so a transaction that read first cannot fail to upgrade
    # ("database is locked" at once, whatever the timeout); the busy timeout makes a
    # writer wait for the other process instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "30")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes counts failed logins (the login form, the admin's and the API's HTTP Basic,
# which all call authenticate(request=...)) and refuses an account, or an address, that
# failed KPIPLAN_LOGIN_FAILURE_LIMIT times within the cool-off, until the cool-off has
# passed since its last failure. Failures and lockouts are logged by accounts.login_security.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("KPIPLAN_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("KPIPLAN_LOGIN_COOLOFF_MINUTES", "30")))
# Each parameter on its own: per account (from any address) and per address (any account).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.login_security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.login_security.client_address"
# Behind a reverse proxy, the number of proxies that append to X-Forwarded-For; the
# client's address is read that many entries from the right (0: REMOTE_ADDR).
KPIPLAN_PROXY_COUNT = int(os.environ.get("KPIPLAN_PROXY_COUNT", "0"))

# Idle sessions end: activity pushes the expiry KPIPLAN_SESSION_IDLE_MINUTES ahead
# (kpiplan.middleware.SessionIdleMiddleware, at most one session write a minute).
SESSION_COOKIE_AGE = int(os.environ.get("KPIPLAN_SESSION_IDLE_MINUTES", "60")) * 60

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# runserver serves static files only with DEBUG on; WhiteNoise serves them in every mode.
# Without collectstatic (the embedded quick start, a developer's DEBUG=1) it finds them in
# the apps' static folders and sees a changed file at once.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or EMBEDDED_MODE
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Evidence files are never served as static media: MEDIA_URL is unset on purpose and
# progress.views.evidence_download checks access before streaming a file.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
# A phone photo (12-25 MB as the camera saves it) is accepted up to this size, made smaller
# (kpiplan.lib.images) and must then fit EVIDENCE_MAX_BYTES; other files must fit that as
# they come. Django streams a file over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) to a temporary
# file, and DATA_UPLOAD_MAX_MEMORY_SIZE counts the form's fields, not its files; a proxy
# in front (nginx client_max_body_size) must allow a form with such photos.
EVIDENCE_IMAGE_MAX_BYTES = int(os.environ.get("EVIDENCE_IMAGE_MAX_BYTES", str(30 * 1024 * 1024)))
# What an uploaded .xlsx (a zip of XML) may unpack to, checked before it is parsed
# (kpiplan.lib.xlsx): all its parts together, one part, how much one part is compressed,
# how many parts, and the rows x columns of all its sheets. The whole real plan unpacks
# to about 0.6 MB in 29 parts, compressed at most 8 times.
SPREADSHEET_MAX_UNPACKED_BYTES = int(os.environ.get("SPREADSHEET_MAX_UNPACKED_BYTES", str(100 * 1024 * 1024)))
SPREADSHEET_MAX_PART_BYTES = int(os.environ.get("SPREADSHEET_MAX_PART_BYTES", str(50 * 1024 * 1024)))
SPREADSHEET_MAX_RATIO = int(os.environ.get("SPREADSHEET_MAX_RATIO", "100"))
SPREADSHEET_MAX_PARTS = int(os.environ.get("SPREADSHEET_MAX_PARTS", "1000"))
SPREADSHEET_MAX_CELLS = int(os.environ.get("SPREADSHEET_MAX_CELLS", "1000000"))
# A result to date more than this many times the target needs a written explanation from
# the person who enters it and is flagged for the planner (progress.plausibility).
PROGRESS_PLAUSIBLE_MULTIPLE = os.environ.get("PROGRESS_PLAUSIBLE_MULTIPLE", "3")
# Reports produced in the background (reports.tasks) are kept under MEDIA_ROOT too,
# streamed after an access check, and purged this many days after they were asked for.
REPORT_FILE_DAYS = int(os.environ.get("REPORT_FILE_DAYS", "7"))
# Traffy Fondue's public statistics API, read by `manage.py traffy_fetch` (traffy.fetch):
# seconds to wait for an answer, attempts per page on a timeout, 5xx or 429, the first
# wait between attempts (doubled each time; a longer Retry-After wins), the pause between
# any two requests so a month's fetch does not hammer a public service, and the order.
TRAFFY_API_URL = os.environ.get("TRAFFY_API_URL", "https://publicapi.traffy.in.th/teamchadchart-stat-api/geojson/v1")
TRAFFY_API_TIMEOUT = float(os.environ.get("TRAFFY_API_TIMEOUT", "60"))
TRAFFY_API_ATTEMPTS = int(os.environ.get("TRAFFY_API_ATTEMPTS", "4"))
TRAFFY_API_BACKOFF = float(os.environ.get("TRAFFY_API_BACKOFF", "5"))
TRAFFY_API_PAUSE = float(os.environ.get("TRAFFY_API_PAUSE", "1"))
TRAFFY_API_SORT = os.environ.get("TRAFFY_API_SORT", "ASC")
# Where people reach this kpiplan (scheme, host and port, no trailing slash): the plan book
# prints a QR code to the plan's page here in place of the printed plan's QR code.
KPIPLAN_BASE_URL = os.environ.get("KPIPLAN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The reports' typeface, loaded by file (reports.pdf): Laksaman from Debian's
# fonts-tlwg-laksaman has TH SarabunPSK's metrics. Never named through fontconfig, whose
# TH Sarabun alias squeezes Laksaman's advances to 0.66 while the glyphs stay full size.
REPORT_FONT_DIR = Path(os.environ.get("REPORT_FONT_DIR", "/usr/share/fonts/truetype/tlwg"))
REPORT_FONT_FILES = {
    ("normal", "normal"): "Laksaman.ttf",
    ("bold", "normal"): "Laksaman-Bold.ttf",
    ("normal", "italic"): "Laksaman-Italic.ttf",
    ("bold", "italic"): "Laksaman-BoldItalic.ttf",
}

# Background tasks (django-tasks): queued in the database and run by
# `python manage.py db_worker`; KPIPLAN_TASKS_BACKEND=immediate runs them in the request
# instead (no worker needed; the tests do this).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = os.environ.get("KPIPLAN_TASKS_BACKEND", "database")
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"KPIPLAN_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend]}}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if EMBEDDED_MODE
    else "django.core.mail.backends.smtp.EmailBackend",
)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "kpiplan API",
    "DESCRIPTION": "Read API of action plans, indicators, projects, progress and scores.",
    "VERSION": "1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Cookies only over HTTPS in production; the embedded server and a developer's DEBUG=1
# speak plain http.
if not DEBUG and not EMBEDDED_MODE:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# HTTPS: off by default so that the embedded server (plain http on 127.0.0.1) works; a
# production deployment behind TLS sets SECURE_SSL_REDIRECT=1 and SECURE_HSTS_SECONDS
# (e.g. 31536000) — `manage.py check --deploy` warns until it does.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp): everything from our own origin, no inline script
# and no <style> element (templates use static/kpiplan/site.js and site.css), images also
# as data: URLs. Inline style *attributes* are allowed: the admin's, DRF's,
# django-import-export's and django-simple-history's templates set a few, and an
# attribute can lay out but not run anything. One inline handler is allowed by its hash:
# django-import-export's export form's "select all" (onchange="onSelectToggleChange(event)").
# The API's ReDoc page alone allows <style> elements (api.urls), which ReDoc writes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "script-src-attr": ["'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
