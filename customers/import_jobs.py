"""Large imports in the background: the job layer around the import engine
(customers/imports.py).

A web request never holds a worker for the length of an import. An upload (or an API
bulk body) small enough to import in a few seconds is imported at once, as before;
a larger one is stored, an `ImportJob` row is written and a Celery task imports it:

- **All-or-nothing, once**: the task runs the engine inside one transaction that also
  turns the job "done" (or "rejected" with its bad-row report), so a worker killed in the
  middle leaves no row written and the job still "running".
- **Progress**: the rows checked and written are counted as the engine reads them; a
  heartbeat thread writes them, with the time, to the job row every few seconds through
  its own database connection (the import's transaction is not visible to anyone until
  it commits). SQLite allows one writer at a time, so there the page shows the job
  running without a counter until it finishes.
- **A killed worker**: the job row is the outbox. `import_jobs_process_due` (beat, every
  minute) kicks a job the broker never delivered, and a running job whose heartbeat
  stopped is queued again or, after `IMPORT_MAX_ATTEMPTS`, marked failed with the
  reason. A redelivered task (acks_late) takes over a job only when its heartbeat is
  stale, so two workers never import the same job at once.
- **One message**: the requester gets one e-mail (the outbox key is the job) when the
  job is done, rejected or failed.
- **No personal data left behind**: the stored file is deleted when the job finishes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from qms.exceptions import ApplicationError, task_failure_text
from qms.services import enqueue_on_commit, message_queue

from . import imports
from .models import ImportJob

logger = logging.getLogger(__name__)

RUN_TASK = "customers.run_import_job"
# The task's time limits (the heartbeat stale limit on SQLite is longer than them).
TASK_TIME_LIMIT = 1800
TASK_SOFT_TIME_LIMIT = 1740
# A queued job the broker never delivered is kicked again after this long.
REKICK_AFTER = dt.timedelta(minutes=2)
# The heartbeat thread writes progress this often (seconds).
HEARTBEAT_SECONDS = 3.0
# A running job with no heartbeat for this long lost its worker.
HEARTBEAT_STALE = dt.timedelta(seconds=getattr(settings, "JOB_HEARTBEAT_STALE_SECONDS", 60))
IMPORT_MAX_ATTEMPTS = 2
# A rejected job's list of bad rows quotes the file's values (personal data): it is
# deleted this long after the job finished; the counts stay.
REPORT_KEEP_FOR = dt.timedelta(days=30)
READ_BLOCK = 1 << 20


def stale_after() -> dt.timedelta:
    """How long a running job may stay silent. On SQLite the heartbeat cannot write while
    the import holds the write lock, so only the task's time limit tells."""
    if connection.vendor == "sqlite":
        return dt.timedelta(seconds=TASK_TIME_LIMIT) + HEARTBEAT_STALE
    return HEARTBEAT_STALE


def upload_limit_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024


def check_upload_size(upload) -> None:
    """Refuse a file above the upload limit with a message that says what to do."""
    if upload.size > upload_limit_bytes():
        raise ApplicationError(
            _(
                "The file is %(size)s MB; the limit is %(limit)s MB. Split it into several "
                "files and import them one after the other."
            )
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": settings.IMPORT_MAX_UPLOAD_MB}
        )


def count_lines(binary) -> int:
    """The number of data lines in a file (newlines minus the header), read in blocks:
    a cheap estimate of the rows (a quoted cell with line breaks counts more)."""
    binary.seek(0)
    lines, last = 0, b""
    while block := binary.read(READ_BLOCK):
        lines += block.count(b"\n")
        last = block
    binary.seek(0)
    if last and not last.endswith(b"\n"):
        lines += 1
    return max(lines - 1, 0)


def schema_path(schema: imports.RowSchema) -> str:
    return f"{type(schema).__module__}.{type(schema).__qualname__}"


@transaction.atomic
def _job_create(
    *, schema, source: str, kind: str, content, filename: str, size: int, rows: int, user, list_url
) -> ImportJob:
    job = ImportJob(
        kind=kind,
        label=str(schema.label)[:80],
        schema_path=schema_path(schema),
        source=source,
        filename=filename[:255],
        size=size,
        rows_total=rows,
        list_url=list_url or "",
        requested_by=user if getattr(user, "pk", None) else None,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        next_action_at=timezone.now() + REKICK_AFTER,
    )
    job.file.save(f"{kind or 'rows'}-{timezone.now():%Y%m%d%H%M%S}.{source}", content, save=False)
    job.save()
    enqueue_on_commit(RUN_TASK, job.pk)
    return job


def import_upload(
    *, schema: imports.RowSchema, upload, user=None, kind: str = "", list_url: str = "", run_inline
):
    """Import an uploaded CSV file: at once (`run_inline(upload)` returns the report)
    when it is small, else as a background job (returns the `ImportJob`)."""
    check_upload_size(upload)
    rows = count_lines(upload)
    if rows <= settings.IMPORT_INLINE_MAX_ROWS:
        return run_inline(upload)
    return _job_create(
        schema=schema,
        source=ImportJob.Source.UPLOAD,
        kind=kind,
        content=File(upload),
        filename=getattr(upload, "name", "") or "",
        size=upload.size,
        rows=rows,
        user=user,
        list_url=list_url,
    )


def import_items_or_job(
    *, schema: imports.RowSchema, items, user=None, kind: str = "", list_url: str = ""
):
    """Import a JSON list from the API: at once when it is small (returns the report),
    else as a background job (returns the `ImportJob`)."""
    try:
        open_rows = imports.list_rows(items)
    except ApplicationError as exc:
        return imports.ImportReport(ok=False, file_error=str(exc))
    if len(items) <= settings.IMPORT_INLINE_MAX_ROWS:
        return imports.run_import(schema, open_rows)
    body = json.dumps(items, ensure_ascii=False).encode()
    return _job_create(
        schema=schema,
        source=ImportJob.Source.API,
        kind=kind,
        content=ContentFile(body),
        filename="",
        size=len(body),
        rows=len(items),
        user=user,
        list_url=list_url,
    )


# --- Running a job ---------------------------------------------------------------------


class _Progress:
    """Counts the rows the engine reads (first pass: checking, second: writing) and,
    from a thread with its own database connection, writes them to the job row."""

    def __init__(self, job: ImportJob):
        self.job_id, self.attempts = job.pk, job.attempts
        self.phase = ImportJob.Phase.CHECKING
        self.checked = self.written = 0
        self._stop = threading.Event()
        self._thread = None
        self._readers = []

    def count(self, open_rows):
        passes = 0

        def counted():
            nonlocal passes
            passes += 1
            writing = passes > 1
            self.phase = ImportJob.Phase.WRITING if writing else ImportJob.Phase.CHECKING
            rows = open_rows()
            self._readers.append(rows)
            for item in rows:
                if writing:
                    self.written += 1
                else:
                    self.checked += 1
                yield item

        return counted

    def close_readers(self) -> None:
        """Close the engine's row readers (a failure may leave one half-read) while the
        file they read is still open."""
        for rows in self._readers:
            rows.close()

    def start(self) -> None:
        if connection.vendor == "sqlite":
            return
        self._thread = threading.Thread(target=self._run, name=f"import-job-{self.job_id}")
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                self.beat()
        finally:
            connection.close()

    def beat(self) -> None:
        now = timezone.now()
        try:
            ImportJob.objects.filter(
                pk=self.job_id, state=ImportJob.State.RUNNING, attempts=self.attempts
            ).update(
                phase=self.phase,
                rows_checked=self.checked,
                rows_written=self.written,
                heartbeat_at=now,
                next_action_at=now + stale_after(),
                updated_at=now,
            )
        except DatabaseError:  # a missed beat is harmless; the next one tries again
            logger.warning("Import job %s: heartbeat not written", self.job_id, exc_info=True)


def _claim(job_id: int) -> bool:
    now = timezone.now()
    claimable = Q(state=ImportJob.State.QUEUED) | Q(
        state=ImportJob.State.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    return bool(
        ImportJob.objects.filter(claimable, pk=job_id, attempts__lt=IMPORT_MAX_ATTEMPTS).update(
            state=ImportJob.State.RUNNING,
            phase=ImportJob.Phase.CHECKING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            next_action_at=now + stale_after(),
            rows_checked=0,
            rows_written=0,
            updated_at=now,
        )
    )


def _open_rows(job: ImportJob, schema, stream):
    if job.source == ImportJob.Source.API:
        return imports.list_rows(json.loads(stream.read().decode()))
    return imports.csv_rows(stream, schema)


def import_job_run(*, job_id: int) -> bool:
    """Run one queued job (the Celery task's body). Returns True if this call finished it.

    The engine and the job's final state share one transaction: either the rows and
    "done" (or "rejected" with nothing written) commit together, or nothing does."""
    if not _claim(job_id):
        return False
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    progress = _Progress(job)
    error = None
    with translation.override(job.language):
        try:
            schema = import_string(job.schema_path)()
            # The failure is handled inside the `with`, so the engine's row readers are
            # closed while the file is still open.
            with job.file.open("rb") as stream:
                try:
                    progress.start()
                    with transaction.atomic():
                        report = imports.run_import(
                            schema, progress.count(_open_rows(job, schema, stream))
                        )
                        progress.stop()
                        if not _finish(job=job, report=report):
                            transaction.set_rollback(True)  # another attempt owns the job
                            return False
                except Exception as exc:  # noqa: BLE001 - recorded on the job, readably
                    logger.exception("Import job %s failed", job_id)
                    error = _error_text(exc)
                finally:
                    progress.stop()
                    progress.close_readers()
        except Exception as exc:  # noqa: BLE001 - e.g. the stored file is missing
            logger.exception("Import job %s failed", job_id)
            error = _error_text(exc)
        if error is not None:
            _fail(job=job, error=error)
            return False
    return True


def _error_text(exc: Exception) -> str:
    return task_failure_text(
        exc,
        time_limit=_("The import took longer than its time limit; nothing was imported."),
        other=_("The import stopped with an error; nothing was imported (%(error)s)."),
    )


def _delete_file(job: ImportJob) -> None:
    name = job.file.name
    if not name:
        return

    def delete():
        try:
            job.file.storage.delete(name)
        except Exception:  # noqa: BLE001 - a file left behind must not undo the result
            logger.warning("Could not delete import file %s", name, exc_info=True)

    transaction.on_commit(delete)


def _finish(*, job: ImportJob, report: imports.ImportReport) -> bool:
    now = timezone.now()
    state = ImportJob.State.DONE if report.ok else ImportJob.State.REJECTED
    done = ImportJob.objects.filter(
        pk=job.pk, state=ImportJob.State.RUNNING, attempts=job.attempts
    ).update(
        state=state,
        phase=ImportJob.Phase.FINISHED,
        rows_checked=report.rows,
        rows_written=report.rows if report.ok else 0,
        finished_at=now,
        heartbeat_at=now,
        next_action_at=None if report.ok else now + REPORT_KEEP_FOR,
        report=report.as_dict(),
        error="",
        file="",
        updated_at=now,
    )
    if not done:
        return False
    job.state, job.report = state, report.as_dict()
    _notify(job=job)
    _delete_file(job)
    return True


@transaction.atomic
def _fail(*, job: ImportJob, error: str) -> None:
    now = timezone.now()
    failed = ImportJob.objects.filter(
        pk=job.pk, state=ImportJob.State.RUNNING, attempts=job.attempts
    ).update(
        state=ImportJob.State.FAILED,
        phase=ImportJob.Phase.FINISHED,
        finished_at=now,
        next_action_at=None,
        error=error,
        file="",
        updated_at=now,
    )
    if failed:
        job.state, job.error = ImportJob.State.FAILED, error
        _notify(job=job)
        _delete_file(job)


def job_url(job: ImportJob) -> str:
    return reverse("customers:import-job", args=[job.pk])


def _notify(*, job: ImportJob) -> None:
    """One e-mail to the requester when the job ends, whatever the end (one outbox key)."""
    user = job.requested_by
    if user is None or not user.email:
        return
    report = job.report or {}
    if job.state == ImportJob.State.DONE:
        subject = _("Your import of %(what)s is done") % {"what": job.label}
        summary = _(
            "Imported %(rows)s rows: %(created)s new, %(updated)s updated, %(unchanged)s unchanged."
        ) % {k: report.get(k, 0) for k in ("rows", "created", "updated", "unchanged")}
    elif job.state == ImportJob.State.REJECTED:
        subject = _("Your import of %(what)s was rejected") % {"what": job.label}
        summary = report.get("file_error") or _(
            "Nothing was imported: %(bad)s of %(rows)s rows are wrong. The page lists them."
        ) % {"bad": report.get("bad_rows", 0), "rows": report.get("rows", 0)}
    else:
        subject = _("Your import of %(what)s failed") % {"what": job.label}
        summary = job.error
    base = settings.QMS_BASE_URL.rstrip("/")
    message_queue(
        key=f"import-finished:{job.pk}",
        kind="import_finished",
        recipient=user.email,
        subject=subject,
        body=f"{summary}\n\n{base}{job_url(job)}\n",
    )


# --- The scanner ---------------------------------------------------------------------


@transaction.atomic
def import_jobs_process_due(*, limit: int = 100, now: dt.datetime | None = None) -> dict:
    """Jobs whose next check has come: kick a queued job again (the broker may have been
    down); a running job whose heartbeat stopped lost its worker: queue it again, or
    after IMPORT_MAX_ATTEMPTS mark it failed with the reason (its import transaction
    died with the worker, so nothing was written); delete the bad-row list of a job
    rejected REPORT_KEEP_FOR ago."""
    from qms.workflow import due_rows

    now = now or timezone.now()
    counts = {"rekicked": 0, "requeued": 0, "failed": 0, "reports_deleted": 0}
    stale = stale_after()
    for job in due_rows(ImportJob.objects.select_related("requested_by"), now=now, limit=limit):
        if job.state == ImportJob.State.QUEUED:
            job.next_action_at = now + REKICK_AFTER
            job.save(update_fields=["next_action_at", "updated_at"])
            enqueue_on_commit(RUN_TASK, job.pk)
            counts["rekicked"] += 1
        elif job.state == ImportJob.State.RUNNING:
            if job.heartbeat_at and job.heartbeat_at > now - stale:
                job.next_action_at = job.heartbeat_at + stale
                job.save(update_fields=["next_action_at", "updated_at"])
                continue
            with translation.override(job.language):
                reason = _(
                    "The worker importing the file stopped (attempt %(attempt)s of %(max)s); "
                    "nothing was imported."
                ) % {"attempt": job.attempts, "max": IMPORT_MAX_ATTEMPTS}
                if job.attempts >= IMPORT_MAX_ATTEMPTS:
                    job.state, job.phase = ImportJob.State.FAILED, ImportJob.Phase.FINISHED
                    job.finished_at, job.next_action_at = now, None
                    job.error = reason
                    _delete_file(job)
                    job.file = ""
                    _notify(job=job)
                    counts["failed"] += 1
                else:
                    job.state, job.phase = ImportJob.State.QUEUED, ImportJob.Phase.WAITING
                    job.next_action_at = now + REKICK_AFTER
                    job.error = reason + " " + _("It is being tried again.")
                    enqueue_on_commit(RUN_TASK, job.pk)
                    counts["requeued"] += 1
            job.save()
        else:
            # A rejected job's bad rows quote the file: they go after REPORT_KEEP_FOR.
            if job.report.get("errors"):
                job.report = {**job.report, "errors": [], "errors_deleted": True}
                counts["reports_deleted"] += 1
            job.next_action_at = None
            job.save(update_fields=["report", "next_action_at", "updated_at"])
    return counts
