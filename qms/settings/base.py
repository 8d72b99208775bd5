"""Settings shared by every environment. Values come from the environment (12-factor).

See `.env.example` for every variable. With nothing set, the portal runs on SQLite, an
embedded Celery broker (kombu's filesystem transport) and file-based e-mail under `var/`.

Sections, in this order: paths & secrets, apps & middleware, database, cache,
i18n & time, Celery & scheduling, e-mail, security, static & media, REST API, logging,
portal-specific settings. `local`, `test` and `production` import everything from here
and override a few values.
"""

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from qms.observability import init_sentry, logging_config

from .email import email_settings

# --- Paths & secrets ------------------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")

# --- Apps & middleware ----------------------------------------------------------------
PORTAL_APPS = [
    "qms",
    "customers",
    "coding",
    "requirements",
    "research",
    "crm",
    "surveys",
    "satisfaction",
    "places",
    "objectives",
    "actions",
]

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
    "simple_history",
    "axes",
    "csp",
    "django_prometheus",
    # The portal's own apps, left to right in the direction of their imports
    # (docs/architecture.md section 2): each may import only from those above it.
    *PORTAL_APPS,
]

MIDDLEWARE = [
    # Operations first (qms/observability.py, qms/views/health.py): request metrics, the
    # health checks (answered before host checks and the HTTPS redirect, so a probe on
    # gunicorn's own address works), then the request id and the request's log line.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "qms.views.health.HealthCheckMiddleware",
    "qms.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qms.middleware.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Axes must be last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"
ASGI_APPLICATION = "qms.asgi.application"

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
                "qms.context_processors.navigation",
                "qms.context_processors.branding",
            ],
        },
    },
]
# {{ form }} draws the portal's field markup (qms/templates/qms/kit/form.html, field.html).
FORM_RENDERER = "qms.ui.forms.FormRenderer"

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# The same backends wrapped by django-prometheus, which counts queries and their errors
# (`django_db_execute_total`, by vendor); everything else is Django's own backend.
_ENGINE = DATABASES["default"]["ENGINE"]
if _ENGINE in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends." + _ENGINE.rsplit(".", 1)[1]
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A persistent connection the server dropped between requests is replaced, not a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The zero-install default has a web server, two Celery worker processes and beat
    # writing to one file: take the write lock when a transaction begins (a deferred one
    # that upgrades fails at once with "database is locked"), wait for it up to 20 s, and
    # let readers go on while one process writes (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
# Kept apart from the Celery broker: the broker Redis runs `noeviction`, a cache evicts.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- I18n & time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Celery & scheduling --------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
# Seconds a call to the broker may take (connecting, publishing). Requests never wait for
# it anyway: their "run this task" notes leave from a background thread
# (ENQUEUE_IN_BACKGROUND); the rows are the guarantee and the scanners pick them up.
BROKER_TIMEOUT = env.float("BROKER_TIMEOUT", default=2.0)
ENQUEUE_IN_BACKGROUND = True
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the longest task time limit, so a running task is not redelivered.
        "visibility_timeout": 3600,
        # A broker that accepts connections and never answers is given up on quickly.
        "socket_connect_timeout": BROKER_TIMEOUT,
        "socket_timeout": BROKER_TIMEOUT,
    }
else:
    # Embedded broker: a real worker and beat exchange messages through files.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
# A separate queue name lets several portals (or a test run) share one broker.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Scanners: short periodic tasks that read the database clock (docs/architecture.md section 4).
# Each app that has scheduled work lists it in <app>/schedule.py; they are merged here.
CELERY_BEAT_SCHEDULE = {}
for _app in PORTAL_APPS:
    if find_spec(f"{_app}.schedule") is not None:
        CELERY_BEAT_SCHEDULE.update(import_module(f"{_app}.schedule").BEAT_SCHEDULE)
# The scanners run on their own queue, so starting a wave or queueing its invitations
# never waits behind the 100,000 one-message tasks a wave puts on the default queue. A
# worker started without -Q consumes both (the broker serves its queues in turn); a
# deployment can give the scheduling queue a worker of its own (README, "Production").
CELERY_SCHEDULING_QUEUE = env(
    "CELERY_SCHEDULING_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}.scheduling"
)
CELERY_TASK_QUEUES = (
    Queue(CELERY_TASK_DEFAULT_QUEUE, routing_key=CELERY_TASK_DEFAULT_QUEUE),
    Queue(CELERY_SCHEDULING_QUEUE, routing_key=CELERY_SCHEDULING_QUEUE),
)
CELERY_TASK_ROUTES = {
    entry["task"]: {"queue": CELERY_SCHEDULING_QUEUE} for entry in CELERY_BEAT_SCHEDULE.values()
}

# --- E-mail ---------------------------------------------------------------------------
# With no EMAIL_URL, messages are written as files under var/mail/ (one .log per batch).
globals().update(
    email_settings(env("EMAIL_URL", default=""), base_dir=BASE_DIR, default_dir=VAR_DIR / "mail")
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="QMS portal <qms@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that stops answering fails one send after this many seconds (shorter
# than MESSAGE_LEASE_SECONDS, so a live batch never loses its lease to a hung send).
EMAIL_TIMEOUT = globals().get("EMAIL_TIMEOUT") or env.int("EMAIL_TIMEOUT", default=20)
# The outbox (qms/services.py): a batch's lease on its messages, kept alive while it runs,
# and how many messages one task sends over one connection.
MESSAGE_LEASE_SECONDS = env.int("MESSAGE_LEASE_SECONDS", default=60)
MESSAGE_BATCH = env.int("MESSAGE_BATCH", default=100)
# A background job (export, import) whose heartbeat has been silent this long lost its
# worker: it is queued again, or failed with the reason after its tries.
JOB_HEARTBEAT_STALE_SECONDS = env.int("JOB_HEARTBEAT_STALE_SECONDS", default=60)

# --- Security -------------------------------------------------------------------------
# Hosts (production requires ALLOWED_HOSTS from the environment).
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Sign-in.
AUTH_USER_MODEL = "qms.User"
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "qms:home"
LOGOUT_REDIRECT_URL = "login"

# The client's address (qms/clientip.py): the number of reverse proxies in front of the
# portal that append to X-Forwarded-For. 0 (gunicorn exposed directly) ignores the header;
# behind one nginx or load balancer, 1. Too high a number lets clients choose their address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Brute-force protection (django-axes): lock a username+address pair after 5 failures for
# 1 hour, so a stranger cannot lock a known user out from another address. The address
# is read by the portal's one helper, which knows about the proxies.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "qms.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Headers (production.py adds HTTPS, HSTS and secure cookies).
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Static & media -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and generated files (survey response exports). Never served as a public URL:
# downloads go through views that check permissions. Several web and worker machines
# must share this folder (or use another default storage).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "qms.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "qms.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "qms.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "QMS portal API",
    "DESCRIPTION": "Customer-focused quality management: organisation, customers, "
    "satisfaction, objectives and corrective actions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page are not public: they map every record the portal keeps
    # and every operation on it, of interest to an attacker and of use to no one without
    # an account. Signed-in people of any role read them (the docs page sends anyone else
    # to the sign-in page; the schema answers 403).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per shared choice set, so the schema stays clean (`check --deploy`).
    "ENUM_NAME_OVERRIDES": {
        "PartyLevelEnum": "qms.models.InterestedParty.Level",
        "QuestionKindEnum": "surveys.models.Question.Kind",
        "AlertRuleConditionEnum": "surveys.models.AlertRule.Condition",
        "ObjectiveStatusEnum": "objectives.models.Objective.Status",
        "InteractionKindEnum": "crm.models.Interaction.Kind",
        "InteractionChannelEnum": "crm.models.Interaction.Channel",
        "BookingKindEnum": "crm.models.Booking.Kind",
        "ComplaintStatusEnum": "crm.models.Complaint.Status",
        "ComplaintSeverityEnum": "crm.models.Complaint.Severity",
        "PreferenceCategoryEnum": "crm.models.Preference.Category",
        "PreferenceSourceEnum": "crm.models.Preference.Source",
        "CustomerKindEnum": "customers.models.Customer.Kind",
        "RequirementStatusEnum": "requirements.models.Requirement.Status",
        "TextLanguageEnum": "coding.models.Text.Language",
        "CodingModeEnum": [("replace", "replace"), ("add", "add")],
        "KeyResultModeEnum": "objectives.models.KeyResult.Mode",
        "KeywordLanguageEnum": "coding.models.TopicKeyword.Language",
        "LanguageEnum": "customers.models.Customer.Language",
        "FollowUpStateEnum": "satisfaction.models.FollowUpCase.State",
    },
}

# --- Logging, metrics, errors --------------------------------------------------------
# One line per record on stderr; LOG_FORMAT=json (production's default) writes JSON lines
# with the request id; e-mail addresses and tokens are removed (qms/observability.py).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env("LOG_LEVEL", default="INFO"))
# Prometheus metrics at /metrics: readable from these networks (the client's address as
# qms/clientip.py reads it) or with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env("METRICS_TOKEN", default="")
PROMETHEUS_EXPORT_MIGRATIONS = False
# /readyz: more e-mails than this due and unsent make the process "not ready"; the outbox
# scanner must have finished within READYZ_SCANNER_GRACE seconds (0: 3 intervals + 30 s).
READYZ_MAX_BACKLOG = env.int("READYZ_MAX_BACKLOG", default=5000)
READYZ_SCANNER_GRACE = env.int("READYZ_SCANNER_GRACE", default=0)
# Errors to Sentry when set (off by default); no personal data is sent.
SENTRY_DSN = env("SENTRY_DSN", default="")
init_sentry(
    SENTRY_DSN,
    environment=env("SENTRY_ENVIRONMENT", default="production"),
    traces=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
)

# --- Portal-specific settings ---------------------------------------------------------
QMS_PAGE_SIZE = 25
# The portal's public address, for links in e-mails (survey links, opt-out links). Unset,
# it follows the address `make run` serves on (QMS_HOST, QMS_PORT), so a portal started
# on another port e-mails links that work.
QMS_HOST = env("QMS_HOST", default="127.0.0.1")
QMS_PORT = env("QMS_PORT", default="8000")
QMS_BASE_URL = env("QMS_BASE_URL", default=f"http://{QMS_HOST}:{QMS_PORT}")
# A TrueType font for PDFs (the management review pack); empty: the first Chinese-capable
# font found among Debian's usual places, else Helvetica (no Chinese glyphs).
QMS_PDF_FONT = env("QMS_PDF_FONT", default="")
# No customer is surveyed more than once in this many days (a wave may set its own).
SATISFACTION_CONTACT_CAP_DAYS = env.int("SATISFACTION_CONTACT_CAP_DAYS", default=30)
# Deadline of a detractor follow-up case.
SATISFACTION_FOLLOW_UP_HOURS = env.int("SATISFACTION_FOLLOW_UP_HOURS", default=48)
# A response export of more answers than this is built by a Celery task and e-mailed as
# a link; smaller ones download at once.
SATISFACTION_EXPORT_INLINE_MAX = env.int("SATISFACTION_EXPORT_INLINE_MAX", default=20000)
# An evidence pack (PDF or ZIP) of more rows than this is built by a Celery task.
QMS_EVIDENCE_INLINE_MAX = env.int("QMS_EVIDENCE_INLINE_MAX", default=2000)
# Imports (customers, tickets, purchases, interactions): an uploaded file larger than this
# is refused with a message; one of more rows than IMPORT_INLINE_MAX_ROWS (a few seconds'
# work) is stored and imported by a Celery task, with a job page (same for API bodies).
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=100)
IMPORT_INLINE_MAX_ROWS = env.int("IMPORT_INLINE_MAX_ROWS", default=5000)
# Text coding: the model codes a text when its confidence reaches this; below it the
# text goes to the coding queue.
QMS_CODING_THRESHOLD = env.float("QMS_CODING_THRESHOLD", default=0.7)
# Retrain the model once this many new confirmed codings have arrived (and nightly).
QMS_CODING_RETRAIN_AFTER = env.int("QMS_CODING_RETRAIN_AFTER", default=50)
# Texts coded per batch (memory stays bounded whatever the number of texts).
QMS_CODING_BATCH = env.int("QMS_CODING_BATCH", default=2000)
