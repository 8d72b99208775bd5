"""Watching the portal run: request ids, one JSON log line per request and per Celery
task, Prometheus metrics, Sentry (docs/architecture.md section "Operations").

- Every request gets an id: nginx's `X-Request-ID` when it sent a sane one, else a new
  one. It is in the response header, in every log line written while the request runs,
  and in a header of every Celery task the request queues (also through
  `transaction.on_commit`), so the worker's lines for that task carry the same id.
- `RequestLogMiddleware` writes one line per request: method, the URL *pattern* (never
  the path: survey links and password-reset links carry tokens), view, status, duration,
  user id. Tasks get one line each when they end: name, state, duration.
- `RedactFilter` removes e-mail addresses and long token-like strings from every log
  record, whatever logger wrote it (an SMTP error quotes the refused address).
- Metrics: django-prometheus counts requests by view and database queries; this module
  adds Celery task counts and run times, survey submissions, and gauges read from the
  database when /metrics is scraped (outbox backlog, age of the oldest due e-mail, e-mails
  sent and failed).
"""

from __future__ import annotations

import contextvars
import ipaddress
import logging
import re
import time
import uuid

from django.conf import settings
from django.db.models.signals import post_save
from django.http import HttpResponse, HttpResponseForbidden
from prometheus_client import Counter, Histogram

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("qms_request_id", default="")
HEADER = "qms_request_id"  # the Celery message header carrying it
_INCOMING = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_logger = logging.getLogger("qms.request")
task_logger = logging.getLogger("qms.task")


def new_request_id() -> str:
    return uuid.uuid4().hex


# --- Logs ------------------------------------------------------------------------------

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Survey-link and reset tokens, session keys, secrets: long runs of URL-safe characters.
# Request ids (32 hex) stay readable because they are added to the record separately.
TOKEN = re.compile(r"(?<![\w-])[A-Za-z0-9_-]{24,}(?![\w-])")


def redact(text: str) -> str:
    return TOKEN.sub("[redacted]", EMAIL.sub("[e-mail]", text))


class RedactFilter(logging.Filter):
    """Removes e-mail addresses and token-like strings from the message, and adds the
    current request id to the record."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logged as it is
            message = str(record.msg)
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


def logging_config(*, json: bool, level: str) -> dict:
    """Django's LOGGING: one line per record on stderr, JSON or plain text."""
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        }
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "qms.observability.RedactFilter"}},
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Django's own "Not Found: /s/<token>/" lines quote the path; our request
            # line says the same without it.
            "django.request": {"level": "ERROR"},
        },
    }


class RequestLogMiddleware:
    """First in MIDDLEWARE: the request id, then one log line when the response is ready."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _INCOMING.match(incoming) else new_request_id()
        token = request_id_var.set(rid)
        request.request_id = rid
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            match = getattr(request, "resolver_match", None)
            user = getattr(request, "user", None)
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "route": "/" + match.route if match else "",
                    "view": match.view_name if match else "",
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            request_id_var.reset(token)


# --- Metrics ---------------------------------------------------------------------------

TASKS = Counter(
    "qms_celery_tasks_total", "Celery tasks finished, by task and state", ["task", "state"]
)
TASK_SECONDS = Histogram(
    "qms_celery_task_seconds",
    "Run time of Celery tasks",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
SUBMISSIONS = Counter("qms_survey_submissions_total", "Survey responses submitted")


class DatabaseCollector:
    """Gauges read from the database at each scrape (so every process reports the same,
    whoever did the work): the outbox backlog and its oldest due message, e-mails sent and
    failed. Each is one indexed query."""

    def describe(self):
        return []

    def collect(self):
        from django.db.models import Count, Min
        from django.utils import timezone
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        from .models import Message

        now = timezone.now()
        due = Message.objects.filter(status=Message.Status.PENDING, next_action_at__lte=now)
        backlog = GaugeMetricFamily("qms_outbox_backlog", "E-mails due and not yet sent")
        backlog.add_metric([], due.count())
        yield backlog
        oldest = due.aggregate(oldest=Min("next_action_at"))["oldest"]
        age = GaugeMetricFamily(
            "qms_outbox_oldest_due_seconds", "Seconds since the oldest unsent e-mail fell due"
        )
        age.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield age
        counts = dict(
            Message.objects.filter(status__in=[Message.Status.SENT, Message.Status.FAILED])
            .values_list("status")
            .annotate(n=Count("id"))
        )
        emails = CounterMetricFamily(
            "qms_emails", "E-mails sent and given up on (failed), all time", labels=["state"]
        )
        emails.add_metric(["sent"], counts.get(Message.Status.SENT, 0))
        emails.add_metric(["failed"], counts.get(Message.Status.FAILED, 0))
        yield emails


def _metrics_allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header == f"Bearer {token}":
            return True
    from .clientip import client_ip

    address = client_ip(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(net, strict=False)
        for net in getattr(settings, "METRICS_ALLOWED_NETWORKS", [])
    )


def metrics_view(request):
    """Prometheus text format. Not public: from METRICS_ALLOWED_NETWORKS (the client's
    address as qms/clientip.py reads it) or with `Authorization: Bearer <METRICS_TOKEN>`."""
    import os

    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client import REGISTRY as default_registry

    if not _metrics_allowed(request):
        return HttpResponseForbidden("Forbidden\n", content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in list(default_registry._collector_to_names):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _count_submission(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        SUBMISSIONS.inc()


# --- Celery ----------------------------------------------------------------------------

_started: dict[str, float] = {}


def _before_publish(sender=None, headers=None, **kwargs):
    rid = request_id_var.get()
    if headers is not None and rid and HEADER not in headers:
        headers[HEADER] = rid


def _task_prerun(task_id=None, task=None, **kwargs):
    rid = getattr(task.request, HEADER, None) or new_request_id()
    task.request.qms_token = request_id_var.set(rid)
    _started[task_id] = time.perf_counter()


def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    seconds = time.perf_counter() - _started.pop(task_id, time.perf_counter())
    name = task.name
    state = state or "UNKNOWN"
    TASKS.labels(task=name, state=state).inc()
    TASK_SECONDS.labels(task=name).observe(seconds)
    if state == "SUCCESS" and name in scanner_tasks():
        record_scanner_run(name)
    task_logger.info(
        "task",
        extra={
            "task": name,
            "task_id": task_id,
            "state": state,
            "duration_ms": round(seconds * 1000, 1),
        },
    )
    token = getattr(task.request, "qms_token", None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (eager tasks)
            request_id_var.set("")


def scanner_tasks() -> set[str]:
    return {entry["task"] for entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).values()}


def record_scanner_run(name: str) -> None:
    from django.utils import timezone

    from .models import ScannerRun

    try:
        ScannerRun.objects.update_or_create(task=name, defaults={"finished_at": timezone.now()})
    except Exception:  # noqa: BLE001 - a lost heartbeat must not fail the scanner
        logging.getLogger(__name__).warning("Could not record the run of %s", name, exc_info=True)


def connect() -> None:
    """Called from QmsConfig.ready()."""
    from celery.signals import before_task_publish, task_postrun, task_prerun
    from django.apps import apps

    before_task_publish.connect(_before_publish, weak=False, dispatch_uid="qms-rid-publish")
    task_prerun.connect(_task_prerun, weak=False, dispatch_uid="qms-rid-prerun")
    task_postrun.connect(_task_postrun, weak=False, dispatch_uid="qms-task-postrun")
    if apps.is_installed("satisfaction"):
        # Looked up by name: qms imports no app to its right.
        response = apps.get_model("satisfaction", "Response")
        post_save.connect(_count_submission, sender=response, dispatch_uid="qms-submissions")


def init_sentry(dsn: str, *, environment: str, traces: float) -> None:
    """Errors to Sentry when SENTRY_DSN is set: Django and Celery integrations, no
    personal data (no user e-mail, no cookies, no request bodies)."""
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=traces,
    )
