"""Evidence by ISO 9001 clause (issue 21): the gaps computed on a small fixture, who may
read the page and its pack, the PDF and the ZIP, the background build of a large pack,
and a page whose query count does not grow with the data."""

import datetime as dt
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import CorrectiveAction
from qms import evidence_pack
from qms.evidence import evidence
from qms.models import EvidencePack
from qms.registry import Period
from requirements.models import Requirement
from tests.actions.factories import ActionFactory
from tests.factories import UserFactory
from tests.objectives.factories import CheckInFactory, KeyResultFactory, ObjectiveFactory
from tests.requirements.factories import RequirementFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("qms:evidence")
DOWNLOAD = reverse("qms:evidence-download")


def _quarter() -> tuple[str, Period]:
    period = Period.current_quarter(timezone.localdate())
    return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}", period


def _tables(period) -> dict:
    return {
        table.key: table
        for clause in evidence.compute(period=period, limit=None)
        for table in clause["tables"]
    }


def _period_objective(requirements=(), **fields):
    label, period = _quarter()
    return ObjectiveFactory(
        period_label=label,
        period_start=period.start,
        period_end=period.end,
        requirements=list(requirements),
        **fields,
    )


@pytest.fixture
def gaps_fixture(quality_manager):
    """A served need and an unserved one; an objective checked in and one not; an action
    closed with a verified effect and one cancelled without one."""
    served = RequirementFactory(title="Zero-wait check-in", status=Requirement.Status.DEPLOYED)
    unserved = RequirementFactory(title="Clean carts", status=Requirement.Status.ACCEPTED)
    RequirementFactory(title="Still proposed", status=Requirement.Status.PROPOSED)
    checked = _period_objective([served], title="Check-in in 2 minutes")
    CheckInFactory(key_result=KeyResultFactory(objective=checked))
    silent = _period_objective([served], title="Objective nobody checks in on")
    KeyResultFactory(objective=silent)
    now = timezone.now()
    implementer = UserFactory()
    verified = ActionFactory(
        title="Queue numbers",
        status=CorrectiveAction.Status.CLOSED,
        verdict=CorrectiveAction.Verdict.PASS,
        implemented_by=implementer,
        verified_by=quality_manager,
        verified_at=now,
        closed_at=now,
    )
    cancelled = ActionFactory(
        title="Repaint the lobby",
        status=CorrectiveAction.Status.CANCELLED,
        justification="Budget moved",
        closed_at=now,
    )
    return {
        "served": served,
        "unserved": unserved,
        "checked": checked,
        "silent": silent,
        "verified": verified,
        "cancelled": cancelled,
    }


def test_gaps_of_the_period(gaps_fixture):
    _label, period = _quarter()
    tables = _tables(period)

    unserved = tables["requirements-without-objectives"]
    assert unserved.gap
    assert [row.cells[0] for row in unserved.rows] == ["Clean carts"]
    assert unserved.rows[0].url == reverse(
        "requirements:requirement-detail", args=[gaps_fixture["unserved"].pk]
    )

    silent = tables["objectives-without-checkins"]
    assert [row.cells[0] for row in silent.rows] == ["Objective nobody checks in on"]

    unverified = tables["actions-without-verified-effect"]
    assert [row.cells[1] for row in unverified.rows] == ["Repaint the lobby"]
    assert unverified.count == 1

    # Evidence, not gaps: both actions are listed under 10.2 with their verdicts.
    actions = tables["corrective-actions"]
    verdicts = {row.cells[1]: row.cells[6] for row in actions.rows}
    assert verdicts == {"Queue numbers": "Effective", "Repaint the lobby": "Not checked"}
    assert tables["awaiting-review"].count == 1


def test_an_objective_of_another_period_serves_no_need_in_this_one(gaps_fixture):
    label, period = _quarter()
    previous = period.previous()
    ObjectiveFactory(
        period_label=f"{previous.start.year}-Q{(previous.start.month - 1) // 3 + 1}",
        period_start=previous.start,
        period_end=previous.end,
        requirements=[gaps_fixture["unserved"]],
    )
    assert [r.cells[0] for r in _tables(period)["requirements-without-objectives"].rows] == [
        "Clean carts"
    ]
    # Served last quarter; the need served this quarter only is the gap then.
    assert [r.cells[0] for r in _tables(previous)["requirements-without-objectives"].rows] == [
        "Zero-wait check-in"
    ]


def test_the_page_shows_the_gaps_linked_to_the_records(client_for, viewer, gaps_fixture):
    label, _period = _quarter()
    response = client_for(viewer).get(PAGE, {"period": label})
    assert response.status_code == 200
    page = response.content.decode()
    for clause in ("5.1.2", "6.2", "8.2.2-8.2.3", "9.1.2", "9.3", "10.2"):
        assert f'data-clause="{clause}"' in page
    assert "Gap: customer needs without an objective in the period" in page
    unserved_url = reverse("requirements:requirement-detail", args=[gaps_fixture["unserved"].pk])
    assert f'href="{unserved_url}"' in page
    cancelled_url = reverse("actions:action-detail", args=[gaps_fixture["cancelled"].pk])
    assert f'href="{cancelled_url}"' in page


def test_only_quality_managers_and_viewers_read_the_evidence(
    client, client_for, viewer, front_desk_head, front_desk_staff
):
    assert client.get(PAGE).status_code == 302  # signed out: to the sign-in page
    assert client.get(DOWNLOAD, {"format": "pdf"}).status_code == 302
    for user in (front_desk_head, front_desk_staff):
        assert client_for(user).get(PAGE).status_code == 403
        assert client_for(user).get(DOWNLOAD, {"format": "zip"}).status_code == 403
    assert client_for(viewer).get(PAGE).status_code == 200


def test_a_typed_period_that_is_not_offered_shows_the_current_quarter(client_for, viewer):
    label, _period = _quarter()
    response = client_for(viewer).get(PAGE, {"period": "1999-Q1"})
    assert response.status_code == 200
    assert response.context["period_label"] == label


def test_the_pack_downloads_as_pdf_and_as_a_zip_of_csvs(client_for, viewer, gaps_fixture):
    label, _period = _quarter()
    client = client_for(viewer)
    pdf = client.get(DOWNLOAD, {"period": label, "format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'filename="evidence-{label}.pdf"' in pdf["Content-Disposition"]

    archive = client.get(DOWNLOAD, {"period": label, "format": "zip"})
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        names = zipped.namelist()
        assert "6.2_requirements-without-objectives.csv" in names
        assert "10.2_actions-without-verified-effect.csv" in names
        text = zipped.read("10.2_actions-without-verified-effect.csv").decode("utf-8-sig")
    assert "Repaint the lobby" in text
    action_url = reverse("actions:action-detail", args=[gaps_fixture["cancelled"].pk])
    assert action_url in text
    assert not EvidencePack.objects.exists()  # small: built in the request


def test_a_large_pack_is_built_by_a_worker(
    client_for, viewer, gaps_fixture, settings, django_capture_on_commit_callbacks
):
    settings.QMS_EVIDENCE_INLINE_MAX = 1
    label, _period = _quarter()
    client = client_for(viewer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(DOWNLOAD, {"period": label, "format": "zip"})
        again = client.get(DOWNLOAD, {"period": label, "format": "zip"})
    assert response.status_code == 302 and again.status_code == 302
    assert response["Location"].startswith(PAGE)
    pack = EvidencePack.objects.get()  # a second click reuses the queued pack
    assert len(callbacks) == 1
    assert pack.state == EvidencePack.State.QUEUED and pack.requested_by == viewer

    assert evidence_pack.evidence_pack_build(pack_id=pack.pk) == EvidencePack.State.DONE
    # A duplicate delivery finds the pack built and does nothing.
    assert evidence_pack.evidence_pack_build(pack_id=pack.pk) == EvidencePack.State.DONE
    page = client.get(PAGE, {"period": label}).content.decode()
    file_url = reverse("qms:evidence-pack-file", args=[pack.pk])
    assert file_url in page
    download = client.get(file_url)
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as zipped:
        assert "Repaint the lobby" in zipped.read(
            "10.2_actions-without-verified-effect.csv"
        ).decode("utf-8-sig")


def test_the_pack_file_is_not_served_before_it_is_built(client_for, viewer, front_desk_head):
    pack = EvidencePack.objects.create(period_label="2026-Q1", format="pdf")
    url = reverse("qms:evidence-pack-file", args=[pack.pk])
    assert client_for(viewer).get(url).status_code == 404
    assert client_for(front_desk_head).get(url).status_code == 403


def _grow(quality_manager, n: int):
    """More of every record the evidence page lists."""
    label, period = _quarter()
    now = timezone.now()
    for i in range(n):
        need = RequirementFactory(status=Requirement.Status.ACCEPTED, title=f"Need {n}-{i}")
        objective = _period_objective([need] if i % 2 else [])
        CheckInFactory(key_result=KeyResultFactory(objective=objective))
        ActionFactory(
            status=CorrectiveAction.Status.CANCELLED, justification="No budget", closed_at=now
        )
        ActionFactory(due_date=timezone.localdate() - dt.timedelta(days=3))


def test_the_evidence_page_query_count_stays_flat(client_for, viewer, quality_manager):
    label, _period = _quarter()
    client = client_for(viewer)
    _grow(quality_manager, 2)
    client.get(PAGE, {"period": label})  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(PAGE, {"period": label}).status_code == 200
    _grow(quality_manager, 15)
    with CaptureQueriesContext(connection) as large:
        assert client.get(PAGE, {"period": label}).status_code == 200
    assert len(large) == len(small)
