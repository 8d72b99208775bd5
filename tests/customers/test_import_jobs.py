"""Large imports in the background: the upload limit, the job page, the task that runs
the job all-or-nothing, the e-mail at the end and the scanner that rescues a job whose
worker died."""

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from customers import import_jobs, imports
from customers.models import Customer, ImportJob
from qms.models import Message

pytestmark = pytest.mark.django_db

URL = reverse("customers:customer-import")
HEADER = "external_ref,name,email\n"


@pytest.fixture(autouse=True)
def small_limits(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.IMPORT_INLINE_MAX_ROWS = 3


def customers_csv(count, *, bad_lines=(), name="customers.csv"):
    lines = [HEADER]
    for n in range(1, count + 1):
        email = "not-an-address" if n + 1 in bad_lines else f"c{n}@example.com"
        lines.append(f"C-{n:05d},Customer {n},{email}\n")
    return SimpleUploadedFile(name, "".join(lines).encode(), content_type="text/csv")


def upload(client, file):
    with mock.patch("qms.services.enqueue_on_commit"):
        return client.post(URL, {"file": file})


def test_a_small_file_is_still_imported_at_once(client_for, quality_manager):
    response = client_for(quality_manager).post(URL, {"file": customers_csv(3)})
    assert response.status_code == 200
    assert response.context["report"].created == 3
    assert not ImportJob.objects.exists()


def test_a_file_above_the_upload_limit_is_refused_with_the_limit(
    client_for, quality_manager, settings
):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    big = customers_csv(30_000)
    assert big.size > 1024 * 1024
    response = client_for(quality_manager).post(URL, {"file": big})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert "the limit is 1 MB" in errors[0] and "Split it" in errors[0]
    assert not ImportJob.objects.exists() and not Customer.objects.exists()


def test_the_import_page_states_the_upload_limit(client_for, quality_manager, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 42
    response = client_for(quality_manager).get(URL)
    assert "Files up to 42 MB" in response.text
    assert "imported in the background" in response.text


def test_a_large_file_becomes_a_job_the_user_watches(
    client_for, quality_manager, django_capture_on_commit_callbacks
):
    client = client_for(quality_manager)
    with mock.patch("customers.import_jobs.enqueue_on_commit") as enqueue:
        response = client.post(URL, {"file": customers_csv(10)})
    job = ImportJob.objects.get()
    enqueue.assert_called_once_with("customers.run_import_job", job.pk)
    assert response.status_code == 302 and response.url == reverse(
        "customers:import-job", args=[job.pk]
    )
    # The web request imported nothing: the worker does.
    assert not Customer.objects.exists()
    assert job.state == ImportJob.State.QUEUED and job.rows_total == 10
    assert job.file.storage.exists(job.file.name)
    page = client.get(response.url)
    assert 'data-state="queued"' in page.text and "hx-trigger" in page.text
    assert "<progress" in page.text

    stored = job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs.import_job_run(job_id=job.pk) is True
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.percent == 100
    assert job.report["created"] == 10 and job.rows_checked == 10 and job.rows_written == 10
    assert Customer.objects.count() == 10
    # The stored file (personal data) is gone; one e-mail told the requester.
    assert not job.file and not job.file.storage.exists(stored)
    message = Message.objects.get(kind="import_finished")
    assert message.recipient == quality_manager.email
    assert "Imported 10 rows: 10 new" in message.body
    assert f"/customers/imports/{job.pk}/" in message.body
    page = client.get(response.url)
    assert 'data-state="done"' in page.text and "hx-trigger" not in page.text
    assert "Imported 10 rows: 10 new, 0 updated, 0 unchanged." in page.text
    # Running the task again (a redelivered message) does nothing.
    assert import_jobs.import_job_run(job_id=job.pk) is False
    assert Message.objects.filter(kind="import_finished").count() == 1


def test_a_bad_large_file_is_rejected_whole_with_a_downloadable_report(client_for, quality_manager):
    client = client_for(quality_manager)
    upload(client, customers_csv(10, bad_lines=(4, 9)))
    job = ImportJob.objects.get()
    assert import_jobs.import_job_run(job_id=job.pk) is True
    job.refresh_from_db()
    assert job.state == ImportJob.State.REJECTED
    assert not Customer.objects.exists()
    page = client.get(reverse("customers:import-job", args=[job.pk]))
    assert "2 of 10 rows are wrong" in page.text
    report = client.get(reverse("customers:import-job-report", args=[job.pk]))
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Line,What is wrong"
    assert [line.split(",")[0] for line in lines[1:]] == ["4", "9"]
    assert "was rejected" in Message.objects.get(kind="import_finished").subject


def test_the_bad_row_list_quoting_the_file_is_deleted_after_a_while(client_for, quality_manager):
    client = client_for(quality_manager)
    upload(client, customers_csv(10, bad_lines=(4,)))
    job = ImportJob.objects.get()
    import_jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.report["errors"] and job.next_action_at is not None
    assert not any(import_jobs.import_jobs_process_due().values())  # not yet
    later = timezone.now() + import_jobs.REPORT_KEEP_FOR + dt.timedelta(minutes=1)
    assert import_jobs.import_jobs_process_due(now=later)["reports_deleted"] == 1
    job.refresh_from_db()
    assert job.report["errors"] == [] and job.report["bad_rows"] == 1
    assert job.next_action_at is None
    page = client.get(reverse("customers:import-job", args=[job.pk]))
    assert "1 of 10 rows is wrong" in page.text and "was deleted 30 days" in page.text


def test_a_failure_in_the_middle_leaves_nothing_written(client_for, quality_manager, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 4)
    upload(client_for(quality_manager), customers_csv(10))
    job = ImportJob.objects.get()
    original = imports.CustomerSchema.write
    calls = []

    def write_then_die(self, values, report):
        calls.append(len(values))
        if len(calls) == 2:
            raise OSError("disk on fire")
        return original(self, values, report)

    monkeypatch.setattr(imports.CustomerSchema, "write", write_then_die)
    assert import_jobs.import_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert calls == [4, 4]  # the first chunk was written before the failure ...
    assert not Customer.objects.exists()  # ... and rolled back with it
    assert job.state == ImportJob.State.FAILED and "disk on fire" in job.error
    assert not job.file


def test_a_job_whose_worker_died_is_retried_then_failed_with_the_reason(
    client_for, quality_manager
):
    upload(client_for(quality_manager), customers_csv(10))
    job = ImportJob.objects.get()
    long_ago = timezone.now() - dt.timedelta(hours=2)
    # The worker claimed the job, then was killed: its heartbeat stopped.
    ImportJob.objects.filter(pk=job.pk).update(
        state="running", attempts=1, heartbeat_at=long_ago, next_action_at=long_ago
    )
    with mock.patch("customers.import_jobs.enqueue_on_commit") as enqueue:
        counts = import_jobs.import_jobs_process_due()
    assert counts["requeued"] == 1
    enqueue.assert_called_once_with("customers.run_import_job", job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED and "worker importing the file stopped" in job.error

    # The second attempt dies too: the job fails with the reason, and says so once.
    ImportJob.objects.filter(pk=job.pk).update(
        state="running", attempts=2, heartbeat_at=long_ago, next_action_at=long_ago
    )
    counts = import_jobs.import_jobs_process_due()
    job.refresh_from_db()
    assert counts["failed"] == 1
    assert job.state == ImportJob.State.FAILED and "attempt 2 of 2" in job.error
    assert not Customer.objects.exists()
    assert Message.objects.get(kind="import_finished").subject.endswith("failed")
    assert import_jobs.import_job_run(job_id=job.pk) is False


def test_a_running_job_with_a_live_heartbeat_is_left_alone(client_for, quality_manager):
    upload(client_for(quality_manager), customers_csv(10))
    job = ImportJob.objects.get()
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        state="running", attempts=1, heartbeat_at=now, next_action_at=now - dt.timedelta(seconds=1)
    )
    counts = import_jobs.import_jobs_process_due()
    job.refresh_from_db()
    assert not any(counts.values())
    assert job.state == ImportJob.State.RUNNING and job.next_action_at > now
    # A redelivered task does not start a second import beside the living one.
    assert import_jobs.import_job_run(job_id=job.pk) is False


def test_a_job_the_broker_never_delivered_is_kicked_again(client_for, quality_manager):
    upload(client_for(quality_manager), customers_csv(10))
    job = ImportJob.objects.get()
    later = timezone.now() + dt.timedelta(minutes=5)
    with mock.patch("customers.import_jobs.enqueue_on_commit") as enqueue:
        counts = import_jobs.import_jobs_process_due(now=later)
    assert counts["rekicked"] == 1
    enqueue.assert_called_once_with("customers.run_import_job", job.pk)


def test_only_quality_managers_see_jobs(client_for, quality_manager, viewer, front_desk_head):
    upload(client_for(quality_manager), customers_csv(10))
    job = ImportJob.objects.get()
    for user in (viewer, front_desk_head):
        client = client_for(user)
        assert client.get(reverse("customers:import-job", args=[job.pk])).status_code == 403
        assert client.get(reverse("customers:import-job-report", args=[job.pk])).status_code == 403


def test_the_import_page_lists_recent_background_imports(client_for, quality_manager):
    client = client_for(quality_manager)
    upload(client, customers_csv(10, name="spring.csv"))
    response = client.get(URL)
    assert 'data-testid="import-jobs"' in response.text and "spring.csv" in response.text


def test_a_large_api_bulk_body_becomes_a_job(api_client_for, quality_manager):
    api = api_client_for(quality_manager)
    items = [{"external_ref": f"C-{n}", "name": f"Customer {n}"} for n in range(10)]
    with mock.patch("customers.import_jobs.enqueue_on_commit"):
        response = api.post("/api/customers/bulk/", items, format="json")
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert response.json()["url"] == reverse("customers:import-job", args=[job.pk])
    assert not Customer.objects.exists()
    assert import_jobs.import_job_run(job_id=job.pk) is True
    status = api.get(response.json()["status_url"]).json()
    assert status["state"] == "done" and status["report"]["created"] == 10
    assert Customer.objects.count() == 10


def test_a_small_api_bulk_body_is_still_answered_at_once(api_client_for, quality_manager):
    items = [{"external_ref": "C-1", "name": "One"}]
    response = api_client_for(quality_manager).post("/api/customers/bulk/", items, format="json")
    assert response.status_code == 200 and response.json()["created"] == 1
    assert not ImportJob.objects.exists()


def test_large_ticket_and_interaction_bodies_use_the_same_job(api_client_for, quality_manager):
    from tests.customers.factories import CustomerFactory, TopicFactory

    CustomerFactory(external_ref="C-1")
    TopicFactory(slug="battery-life")
    api = api_client_for(quality_manager)
    tickets = [
        {
            "external_id": f"WO-{n}",
            "customer": "C-1",
            "topic": "battery-life",
            "opened_at": "2026-03-01",
        }
        for n in range(5)
    ]
    with mock.patch("customers.import_jobs.enqueue_on_commit"):
        response = api.post("/api/tickets/bulk/", tickets, format="json")
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert job.schema_path == "research.imports.TicketSchema"
    assert import_jobs.import_job_run(job_id=job.pk) is True
    from research.models import Ticket

    assert Ticket.objects.count() == 5


def test_the_import_page_lists_jobs_in_a_fixed_number_of_queries(
    client_for, quality_manager, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    upload(client, customers_csv(10))
    client.get(URL)
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200
    for _ in range(4):
        upload(client, customers_csv(10))
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200 and response.text.count("/customers/imports/") == 5
