"""Background response exports: request, build task, scanner and the ready e-mail.
The task body is called directly (no broker); enqueued tasks are recorded."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from qms.exceptions import ApplicationError
from qms.models import Message
from qms.services import message_send
from satisfaction import exports, services, tasks
from satisfaction.models import ResponseExport
from satisfaction.services import exports as export_services
from tests.satisfaction.factories import answered, published_survey, running_wave

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.QMS_BASE_URL = "https://qms.example.com"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def sent(monkeypatch):
    """Tasks handed to the broker: (name, args)."""
    from qms.celery import app

    calls = []
    monkeypatch.setattr(
        app, "send_task", lambda name, args=(), **kw: calls.append((name, tuple(args)))
    )
    return calls


@pytest.fixture
def wave():
    wave = running_wave(published_survey(code="dining", title="Dining"), name="March")
    answered(wave, {"nps": 9, "comment": "很好"})
    answered(wave, {"nps": 4, "driver": "queue"})
    return wave


def request_export(of_wave, user, format="xlsx", **kwargs):
    """An export of the survey of `of_wave` (all waves unless wave= is given)."""
    return services.export_request(
        survey=of_wave.survey_version.survey, format=format, requested_by=user, **kwargs
    )


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def test_a_request_queues_the_export_and_kicks_the_task_after_commit(
    wave, quality_manager, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = request_export(wave, quality_manager)
    assert export.state == ResponseExport.State.QUEUED
    assert export.requested_by == quality_manager
    assert sent == [("satisfaction.build_export", (export.pk,))]


def test_a_wave_of_another_survey_is_refused(wave, quality_manager):
    stranger = running_wave(published_survey(code="other"))
    with pytest.raises(ApplicationError):
        request_export(wave, quality_manager, wave=stranger)
    assert not ResponseExport.objects.exists()


def test_the_task_builds_the_file_and_e_mails_the_requester_once(
    wave, quality_manager, media, sent, django_capture_on_commit_callbacks
):
    export = request_export(wave, quality_manager, wave=wave)
    # When the task runs (twice: a redelivery)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.build_export_task(export.pk) is True
        assert tasks.build_export_task(export.pk) is False
    export.refresh_from_db()
    # Then the file is stored under exports/ and the row is done
    assert export.state == ResponseExport.State.DONE
    assert export.row_count == 4 and export.attempts == 1
    assert export.file.name.startswith("exports/dining-wave-")
    assert export.next_action_at == export.completed_at + services.EXPORT_KEEP_FOR
    assert len(files_in(media)) == 1
    with export.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.worksheets[0].max_row == 5
    # and exactly one e-mail goes out, with a link to the exports page
    message = Message.objects.get(kind="survey_export_ready")
    assert message.key == f"export-ready:{export.pk}"
    assert ("qms.send_due_messages", ()) in sent
    message_send(message_id=message.pk)
    message_send(message_id=message.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [quality_manager.email]
    url = f"https://qms.example.com/satisfaction/surveys/{export.survey_id}/exports/"
    assert url + f"#export-{export.pk}" in mail.outbox[0].body
    assert "4 answers" in mail.outbox[0].body


def test_a_task_run_twice_builds_once(wave, quality_manager, monkeypatch):
    export = request_export(wave, quality_manager, format="csv")
    builds = []
    write = exports.write_export

    def counting(*args, **kwargs):
        builds.append(1)
        return write(*args, **kwargs)

    monkeypatch.setattr(exports, "write_export", counting)
    results = [services.export_build(export_id=export.pk) for _ in range(3)]
    assert results == [True, False, False]
    assert len(builds) == 1
    assert Message.objects.filter(key=f"export-ready:{export.pk}").count() == 1


def test_a_failing_build_is_marked_failed_with_the_error_and_leaves_no_file(
    wave, quality_manager, media, monkeypatch
):
    export = request_export(wave, quality_manager)

    def broken(out, header, rows, **kwargs):
        out.write(b"PK half a zip")
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "write_xlsx", broken)
    assert services.export_build(export_id=export.pk) is False
    export.refresh_from_db()
    assert export.state == ResponseExport.State.FAILED
    assert "No space left on device" in export.error
    assert export.failed_at is not None and export.next_action_at is None
    assert not export.file
    assert files_in(media) == []
    assert not Message.objects.filter(kind="survey_export_ready").exists()
    assert Message.objects.filter(key=f"export-failed:{export.pk}").count() == 1


def test_a_failure_after_the_file_was_saved_removes_the_file(
    wave, quality_manager, media, monkeypatch
):
    export = request_export(wave, quality_manager)

    def lost_database(**kwargs):
        raise RuntimeError("server closed the connection")

    monkeypatch.setattr(export_services, "_export_finish", lost_database)
    assert services.export_build(export_id=export.pk) is False
    export.refresh_from_db()
    assert export.state == ResponseExport.State.FAILED
    assert "server closed the connection" in export.error
    assert files_in(media) == []


def test_a_build_past_its_time_limit_says_so(wave, quality_manager, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    export = request_export(wave, quality_manager)

    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(exports, "write_export", slow)
    services.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.state == ResponseExport.State.FAILED
    assert "time limit" in export.error


def test_the_scanner_kicks_an_export_the_broker_never_delivered(
    wave, quality_manager, monkeypatch, django_capture_on_commit_callbacks
):
    from qms.celery import app

    # Given a broker that is down when the export is requested
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(app, "send_task", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        export = request_export(wave, quality_manager)
    assert ResponseExport.objects.get().state == ResponseExport.State.QUEUED
    # When the broker is back and the scanner runs
    sent = []
    monkeypatch.setattr(
        app, "send_task", lambda name, args=(), **kw: sent.append((name, tuple(args)))
    )
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_process_due(now=now + dt.timedelta(minutes=1))["rekicked"] == 0
    assert sent == []
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.exports_process_due(now=now + dt.timedelta(minutes=3))
    # Then the task is kicked again, and again two minutes later if still queued
    assert counts["rekicked"] == 1
    assert sent == [("satisfaction.build_export", (export.pk,))]
    export.refresh_from_db()
    assert export.next_action_at == now + dt.timedelta(minutes=5)
    assert services.export_build(export_id=export.pk) is True


def test_the_scanner_requeues_a_build_whose_worker_died_then_gives_up(
    wave, quality_manager, sent, django_capture_on_commit_callbacks
):
    export = request_export(wave, quality_manager)
    now = timezone.now()
    for attempt in range(1, services.EXPORT_MAX_ATTEMPTS + 1):
        # A worker claims it and dies (no finish, no failure recorded)
        claimed = ResponseExport.objects.filter(pk=export.pk, state="queued").update(
            state="running",
            attempts=attempt,
            started_at=now,
            next_action_at=now + services.EXPORT_STUCK_AFTER,
        )
        assert claimed == 1
        # Its heartbeat goes silent: nothing happens until the lease (about a minute) is out
        assert dt.timedelta(minutes=2) >= services.EXPORT_STUCK_AFTER
        just_before = now + services.EXPORT_STUCK_AFTER - dt.timedelta(seconds=1)
        assert services.exports_process_due(now=just_before) == {
            "rekicked": 0,
            "requeued": 0,
            "failed": 0,
            "expired": 0,
        }
        sent.clear()
        with django_capture_on_commit_callbacks(execute=True):
            counts = services.exports_process_due(
                now=now + services.EXPORT_STUCK_AFTER + dt.timedelta(seconds=1)
            )
        export.refresh_from_db()
        if attempt < services.EXPORT_MAX_ATTEMPTS:
            assert counts["requeued"] == 1
            assert export.state == ResponseExport.State.QUEUED
            assert sent == [("satisfaction.build_export", (export.pk,))]
    assert counts["failed"] == 1
    assert export.state == ResponseExport.State.FAILED
    assert "3 times" in export.error
    assert export.next_action_at is None


def test_a_redelivered_task_takes_over_a_build_whose_heartbeat_stopped(wave, quality_manager):
    """The worker died mid-build and the broker redelivers its task: the build is taken
    over once its heartbeat is stale, and not while it is fresh (a live worker)."""
    export = request_export(wave, quality_manager)
    now = timezone.now()
    ResponseExport.objects.filter(pk=export.pk).update(
        state="running", attempts=1, next_action_at=now + services.EXPORT_STUCK_AFTER
    )
    assert tasks.build_export_task(export.pk) is False  # heartbeat fresh: someone builds it
    ResponseExport.objects.filter(pk=export.pk).update(next_action_at=now - dt.timedelta(seconds=1))
    assert tasks.build_export_task(export.pk) is True
    export.refresh_from_db()
    assert (export.state, export.attempts) == (ResponseExport.State.DONE, 2)


@pytest.mark.django_db(transaction=True)
def test_a_long_build_keeps_its_heartbeat_going(wave, quality_manager, monkeypatch):
    """While the file is written, the row's lease is pushed on from a heartbeat thread."""
    import time

    monkeypatch.setattr(export_services, "EXPORT_HEARTBEAT_SECONDS", 0.05)
    export = request_export(wave, quality_manager)
    leases = []
    write = exports.write_export

    def slow(*args, **kwargs):
        leases.append(ResponseExport.objects.get(pk=export.pk).next_action_at)
        time.sleep(0.5)
        leases.append(ResponseExport.objects.get(pk=export.pk).next_action_at)
        return write(*args, **kwargs)

    monkeypatch.setattr(exports, "write_export", slow)
    assert services.export_build(export_id=export.pk) is True
    assert leases[1] > leases[0]


def test_a_late_finish_of_a_requeued_build_keeps_no_file(wave, quality_manager, media, monkeypatch):
    """The scanner requeued a build it believed lost, and the second build won: the
    first one's file is removed instead of overwriting the row."""
    export = request_export(wave, quality_manager)
    write = exports.write_export

    def overtaken(*args, **kwargs):
        rows = write(*args, **kwargs)
        ResponseExport.objects.filter(pk=export.pk).update(state="running", attempts=2)
        return rows

    monkeypatch.setattr(exports, "write_export", overtaken)
    assert services.export_build(export_id=export.pk) is False
    assert files_in(media) == []
    assert ResponseExport.objects.get().state == ResponseExport.State.RUNNING


def test_the_scanner_deletes_files_a_week_after_they_were_built(
    wave, quality_manager, media, django_capture_on_commit_callbacks
):
    old = request_export(wave, quality_manager)
    recent = request_export(wave, quality_manager, format="csv")
    services.export_build(export_id=old.pk)
    services.export_build(export_id=recent.pk)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert len(files_in(media)) == 2
    week_later = old.completed_at + services.EXPORT_KEEP_FOR + dt.timedelta(minutes=1)
    ResponseExport.objects.filter(pk=recent.pk).update(
        next_action_at=week_later + dt.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.exports_process_due(now=week_later)
    assert counts["expired"] == 1
    old.refresh_from_db()
    assert old.state == ResponseExport.State.EXPIRED
    assert old.expired_at == week_later
    assert not old.file and old.next_action_at is None
    assert [p.name for p in files_in(media)] == [Path(recent.file.name).name]
    # A second run changes nothing
    assert services.exports_process_due(now=week_later)["expired"] == 0


def test_the_scanner_task_is_on_the_beat_schedule(settings):
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "satisfaction.process_due_exports" in entries
    assert tasks.build_export_task.name == "satisfaction.build_export"


def test_the_file_uses_the_requesters_language(wave, quality_manager):
    from django.utils import translation

    with translation.override("zh-hans"):
        export = request_export(wave, quality_manager, format="csv")
    assert export.language == "zh-hans"
    with translation.override("en"):  # the worker's own language
        services.export_build(export_id=export.pk)
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        header = handle.read().decode("utf-8-sig").splitlines()[0]
    assert header.startswith("回复,") and "提交时间" in header
