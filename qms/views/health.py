"""Health checks for load balancers, systemd and the stack test: unauthenticated, fast,
and revealing nothing but "ok" or what kind of thing is wrong.

- /healthz: the process is up and answers (no database, no broker).
- /readyz: this process can do its work: the database answers, the broker answers, every
  migration is applied, the outbox scanner finished within its interval (beat and a
  worker are alive), and the backlog of due e-mails is below READYZ_MAX_BACKLOG. 200 when
  all pass, 503 with the names of the failing checks otherwise.

`HealthCheckMiddleware` (first in MIDDLEWARE) answers both, and Prometheus' /metrics,
before host validation, the HTTPS redirect, sessions or the language, so a probe or a
scraper on gunicorn's own address works.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

SCANNER_TASK = "qms.send_due_messages"
_migrations_ok = False  # once every migration is applied it stays so for this process


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def healthz(request):
    return _no_store(JsonResponse({"status": "ok"}))


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def check_broker() -> bool:
    from qms.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        if conn.transport.driver_type == "redis":
            conn.default_channel.client.ping()
    return True


def check_migrations() -> bool:
    global _migrations_ok
    if not _migrations_ok:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        _migrations_ok = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrations_ok


def scanner_grace() -> dt.timedelta:
    interval = float(
        getattr(settings, "CELERY_BEAT_SCHEDULE", {})
        .get("send-due-messages", {})
        .get("schedule", 30)
    )
    return dt.timedelta(seconds=getattr(settings, "READYZ_SCANNER_GRACE", 0) or 3 * interval + 30)


def check_scanner() -> bool:
    from qms.models import ScannerRun

    last = (
        ScannerRun.objects.filter(task=SCANNER_TASK).values_list("finished_at", flat=True).first()
    )
    return last is not None and timezone.now() - last <= scanner_grace()


def check_outbox() -> bool:
    from qms.models import Message

    limit = settings.READYZ_MAX_BACKLOG
    due = Message.objects.filter(status=Message.Status.PENDING, next_action_at__lte=timezone.now())
    return due.order_by().values("pk")[: limit + 1].count() <= limit


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "migrations": check_migrations,
    "scanner": check_scanner,
    "outbox": check_outbox,
}


@require_safe
def readyz(request):
    results = {}
    started = time.perf_counter()
    for name, check in CHECKS.items():
        if name != "database" and results.get("database") == "fail" and name != "broker":
            results[name] = "fail"  # everything else reads the database
            continue
        try:
            results[name] = "ok" if check() else "fail"
        except Exception:  # noqa: BLE001 - any error is a failed check, logged without detail
            results[name] = "fail"
    ok = all(v == "ok" for v in results.values())
    body = {
        "status": "ok" if ok else "fail",
        "checks": results,
        "ms": round((time.perf_counter() - started) * 1000),
    }
    return _no_store(JsonResponse(body, status=200 if ok else 503))


class HealthCheckMiddleware:
    PATHS = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        view = self.PATHS.get(path.rstrip("/"))
        if view is not None:
            return view(request)
        if path == "/metrics":  # exactly: /metrics/ is the metrics registry's page
            from qms.observability import metrics_view

            return metrics_view(request)
        return self.get_response(request)
