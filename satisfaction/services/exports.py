"""Response exports: queued, built by a worker into a file, kept for a while, then deleted."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qms.exceptions import ApplicationError, task_failure_text
from qms.models import User
from qms.services import enqueue_on_commit, message_queue
from qms.workflow import Heartbeat, due_rows
from surveys.models import Survey

from .. import exports
from ..models import ResponseExport, Wave
from ._common import base_url

logger = logging.getLogger(__name__)


# A queued export the broker never delivered is kicked again after this long.
EXPORT_REKICK_AFTER = dt.timedelta(minutes=2)
# A running export's worker writes a heartbeat (pushes `next_action_at` on) every
# EXPORT_HEARTBEAT_SECONDS; one silent for JOB_HEARTBEAT_STALE_SECONDS lost its worker:
# it is queued again (a redelivered task may take it over), up to EXPORT_MAX_ATTEMPTS
# builds, then failed with the reason.
EXPORT_STUCK_AFTER = dt.timedelta(seconds=getattr(settings, "JOB_HEARTBEAT_STALE_SECONDS", 60))
EXPORT_HEARTBEAT_SECONDS = EXPORT_STUCK_AFTER.total_seconds() / 4
EXPORT_MAX_ATTEMPTS = 3
# A built file is deleted this long after it was built.
EXPORT_KEEP_FOR = dt.timedelta(days=7)


@transaction.atomic
def export_request(
    *,
    survey: Survey,
    format: str,
    requested_by: User | None = None,
    wave: Wave | None = None,
    language: str | None = None,
) -> ResponseExport:
    """Queue an export of the survey's answers (or one wave's) for a worker to build,
    in `language` (default: the active one, i.e. the requester's).

    The row is the outbox: if the broker is down the request still succeeds, and the
    `exports_process_due` scanner kicks the task again."""
    if wave is not None and wave.survey_version.survey_id != survey.pk:
        raise ApplicationError(_("That wave belongs to another survey."))
    export = ResponseExport(
        survey=survey,
        wave=wave,
        format=format,
        requested_by=requested_by,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        next_action_at=timezone.now() + EXPORT_REKICK_AFTER,
    )
    export.full_clean()
    export.save()
    enqueue_on_commit("satisfaction.build_export", export.pk)
    return export


def export_build(*, export_id: int) -> bool:
    """Build the file of one queued export. Returns True if this call built it.

    Not one transaction: the build may take minutes. The row is claimed with a single
    UPDATE … WHERE state = 'queued', so a task delivered twice, or kicked again by the
    scanner, builds once. The file is written to a temporary file and saved to storage
    only when complete; the row turns "done" only if it is still this attempt's (the
    scanner may have requeued a build it believed lost). A failure marks the row failed
    with a readable error and leaves no file behind."""
    now = timezone.now()
    # Queued, or running with a heartbeat gone silent (its worker died; this is the
    # redelivered task): taken over, counting one more build.
    claimable = Q(state=ResponseExport.State.QUEUED) | Q(
        state=ResponseExport.State.RUNNING,
        next_action_at__lt=now,
        attempts__lt=EXPORT_MAX_ATTEMPTS,
    )
    claimed = ResponseExport.objects.filter(claimable, pk=export_id).update(
        state=ResponseExport.State.RUNNING,
        started_at=now,
        attempts=F("attempts") + 1,
        next_action_at=now + EXPORT_STUCK_AFTER,
        error="",
        updated_at=now,
    )
    if not claimed:
        return False
    export = ResponseExport.objects.select_related("survey", "wave", "requested_by").get(
        pk=export_id
    )
    filename = exports.export_filename(
        survey=export.survey, wave=export.wave, format=export.format
    ).replace("-responses.", f"-responses-{export.pk}.")

    def beat():
        now = timezone.now()
        ResponseExport.objects.filter(
            pk=export.pk, state=ResponseExport.State.RUNNING, attempts=export.attempts
        ).update(next_action_at=now + EXPORT_STUCK_AFTER)

    try:
        with (
            Heartbeat(beat, every=EXPORT_HEARTBEAT_SECONDS, name=f"export-{export.pk}"),
            translation.override(export.language),
            tempfile.TemporaryFile() as tmp,
        ):
            row_count = exports.write_export(
                tmp, format=export.format, survey=export.survey, wave=export.wave
            )
            tmp.seek(0)
            export.file.save(filename, File(tmp), save=False)
        with translation.override(export.language):
            built = _export_finish(export=export, row_count=row_count)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row, readably
        logger.exception("Export %s failed", export.pk)
        if export.file.name:
            _export_delete_files([export.file.name])
        with translation.override(export.language):
            _export_fail(export=export, error=_export_error(exc))
        return False
    if not built:
        _export_delete_files([export.file.name])
    return built


def _export_error(exc: Exception) -> str:
    return task_failure_text(
        exc,
        time_limit=_("The export took longer than its time limit. Export one wave at a time."),
        other=_("The file could not be built (%(error)s)."),
    )


def _export_url(export: ResponseExport) -> str:
    return (
        base_url()
        + reverse("satisfaction:export-list", args=[export.survey_id])
        + f"#export-{export.pk}"
    )


@transaction.atomic
def _export_finish(*, export: ResponseExport, row_count: int) -> bool:
    now = timezone.now()
    done = ResponseExport.objects.filter(
        pk=export.pk, state=ResponseExport.State.RUNNING, attempts=export.attempts
    ).update(
        state=ResponseExport.State.DONE,
        file=export.file.name,
        row_count=row_count,
        completed_at=now,
        next_action_at=now + EXPORT_KEEP_FOR,
        updated_at=now,
    )
    if not done:
        return False
    requester = export.requested_by
    if requester is not None and requester.email:
        message_queue(
            key=f"export-ready:{export.pk}",
            kind="survey_export_ready",
            recipient=requester.email,
            subject=_("Your export of “%(survey)s” is ready") % {"survey": export.survey.title},
            body=_(
                "The %(format)s export of “%(survey)s” (%(scope)s, %(rows)s answers) is "
                "ready. Download it from this page within %(days)s days:\n%(url)s\n"
            )
            % {
                "format": export.get_format_display(),
                "survey": export.survey.title,
                "scope": export.wave.name if export.wave_id else _("all waves"),
                "rows": row_count,
                "days": EXPORT_KEEP_FOR.days,
                "url": _export_url(export),
            },
        )
    return True


@transaction.atomic
def _export_fail(*, export: ResponseExport, error: str) -> None:
    now = timezone.now()
    failed = ResponseExport.objects.filter(
        pk=export.pk, state=ResponseExport.State.RUNNING, attempts=export.attempts
    ).update(
        state=ResponseExport.State.FAILED,
        failed_at=now,
        error=error,
        file="",
        next_action_at=None,
        updated_at=now,
    )
    if failed:
        _export_failure_message(export=export, error=error)


def _export_failure_message(*, export: ResponseExport, error: str) -> None:
    requester = export.requested_by
    if requester is None or not requester.email:
        return
    message_queue(
        key=f"export-failed:{export.pk}",
        kind="survey_export_failed",
        recipient=requester.email,
        subject=_("Your export of “%(survey)s” failed") % {"survey": export.survey.title},
        body=_("The export could not be built: %(error)s\n\nTry again from this page:\n%(url)s\n")
        % {"error": error, "url": _export_url(export)},
    )


def _export_delete_files(names: list[str]) -> None:
    storage = ResponseExport._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - a file left behind must not undo the state change
            logger.warning("Could not delete export file %s", name, exc_info=True)


@transaction.atomic
def exports_process_due(*, limit: int = 100, now: dt.datetime | None = None) -> dict:
    """Scanner over exports whose next action has come (bounded batch, locked rows):
    kick a queued export again (the broker may have been down), requeue a build stuck
    running (its worker died; after EXPORT_MAX_ATTEMPTS builds it fails) and delete the
    file of an export built EXPORT_KEEP_FOR ago (it becomes "expired")."""
    now = now or timezone.now()
    # due_rows locks the exports only: the requester is an outer join PostgreSQL cannot lock.
    due = due_rows(
        ResponseExport.objects.select_related("survey", "requested_by"), now=now, limit=limit
    )
    counts = {"rekicked": 0, "requeued": 0, "failed": 0, "expired": 0}
    files = []
    state = ResponseExport.State
    for export in due:
        fields = ["state", "next_action_at", "updated_at"]
        if export.state == state.QUEUED:
            export.next_action_at = now + EXPORT_REKICK_AFTER
            enqueue_on_commit("satisfaction.build_export", export.pk)
            counts["rekicked"] += 1
        elif export.state == state.RUNNING and export.attempts >= EXPORT_MAX_ATTEMPTS:
            export.state = state.FAILED
            export.failed_at = now
            export.next_action_at = None
            with translation.override(export.language):
                export.error = _(
                    "The export was started %(attempts)s times and its worker stopped each "
                    "time (no heartbeat). Export one wave at a time, or tell your "
                    "administrator."
                ) % {"attempts": export.attempts}
                fields += ["failed_at", "error"]
                _export_failure_message(export=export, error=export.error)
            counts["failed"] += 1
        elif export.state == state.RUNNING:
            export.state = state.QUEUED
            export.next_action_at = now + EXPORT_REKICK_AFTER
            enqueue_on_commit("satisfaction.build_export", export.pk)
            counts["requeued"] += 1
        elif export.state == state.DONE:
            if export.file.name:
                files.append(export.file.name)
            export.state = state.EXPIRED
            export.expired_at = now
            export.file = ""
            export.next_action_at = None
            fields += ["expired_at", "file"]
            counts["expired"] += 1
        else:
            export.next_action_at = None
        export.save(update_fields=fields)
    if files:
        transaction.on_commit(lambda: _export_delete_files(files))
    return counts
