"""A background import with a real Celery worker process: a worker killed in the middle
of the import leaves nothing written, the scanner queues the job again once its
heartbeat is stale, and the next worker imports the whole file."""

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from customers import import_jobs, imports
from customers.models import Customer, ImportJob
from tests.qms.test_celery_worker import database_url_for_worker

ROOT = Path(__file__).resolve().parents[2]
ROWS = 20_000
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def start_worker(*, queue, log):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings.test",
        "DATABASE_URL": database_url_for_worker(),
        "CELERY_QUEUE": queue,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "qms", "worker", "--pool=solo",
         "--loglevel=info", "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for(predicate, *, timeout, log_path, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not seen in {timeout}s\n" + log_path.read_text()[-4000:])


def test_a_killed_worker_leaves_nothing_written_and_the_job_is_retried(
    settings, tmp_path, quality_manager
):
    # The worker and this process share the test settings' MEDIA_ROOT (the stored file).
    settings.IMPORT_INLINE_MAX_ROWS = 10
    lines = ["external_ref,name,email\n"] + [
        f"W-{n:06d},Worker customer {n},w{n}@example.com\n" for n in range(ROWS)
    ]
    upload = SimpleUploadedFile("big.csv", "".join(lines).encode(), content_type="text/csv")
    with mock.patch("customers.import_jobs.enqueue_on_commit"):
        job = import_jobs.import_upload(
            schema=imports.CustomerSchema(),
            upload=upload,
            user=quality_manager,
            kind="customers",
            run_inline=lambda upload: None,
        )
    assert isinstance(job, ImportJob)

    from qms.celery import app

    queue = f"qms-test-import-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = start_worker(queue=queue, log=log)
        try:
            app.send_task(import_jobs.RUN_TASK, args=[job.pk], queue=queue)

            def importing():
                job.refresh_from_db()
                if connection.vendor == "postgresql":  # the heartbeat shows the progress
                    return job.phase == ImportJob.Phase.WRITING and job.rows_written > 0
                return job.state == ImportJob.State.RUNNING

            wait_for(importing, timeout=120, log_path=log_path, what="the import running")
            if connection.vendor != "postgresql":
                time.sleep(1.5)
            worker.kill()  # SIGKILL: no clean-up of any kind
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)

    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING and job.attempts == 1, job.error
    assert not Customer.objects.filter(external_ref__startswith="W-").exists()

    # Once the heartbeat is stale the scanner queues the job again ...
    later = timezone.now() + import_jobs.stale_after() + dt.timedelta(seconds=5)
    ImportJob.objects.filter(pk=job.pk).update(next_action_at=later - dt.timedelta(minutes=1))
    with mock.patch("customers.import_jobs.enqueue_on_commit") as enqueue:
        counts = import_jobs.import_jobs_process_due(now=later)
    assert counts["requeued"] == 1
    enqueue.assert_called_once_with(import_jobs.RUN_TASK, job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED and "attempt 1 of 2" in job.error

    # ... and the next worker imports the whole file, once.
    with log_path.open("a") as log:
        worker = start_worker(queue=queue, log=log)
        try:
            app.send_task(import_jobs.RUN_TASK, args=[job.pk], queue=queue)

            def finished():
                job.refresh_from_db()
                return not job.is_pending

            wait_for(finished, timeout=300, log_path=log_path, what="the job finishing")
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert job.state == ImportJob.State.DONE, job.error
    assert job.attempts == 2 and job.report["created"] == ROWS
    assert Customer.objects.filter(external_ref__startswith="W-").count() == ROWS
