"""Complaints (ISO 10002): reference, acknowledgement, clock, workflow, scoping."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from crm import services as crm_services
from crm.models import COMPLAINT_TARGET_DAYS, Complaint, ComplaintCounter
from crm.services.complaints import _customer_mail
from qms.exceptions import ApplicationError
from qms.models import Message
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_references_are_sequential_per_year(make_complaint):
    first, second = make_complaint(), make_complaint()
    year = timezone.localtime().year
    assert first.reference == f"CMP-{year}-00001"
    assert second.reference == f"CMP-{year}-00002"
    assert crm_services.complaint_next_reference(year=1999) == "CMP-1999-00001"


@pytest.mark.django_db(transaction=True)
def test_references_stay_unique_under_concurrency():
    if connection.vendor == "sqlite":
        # SQLite serialises writers itself; the row lock matters on PostgreSQL.
        refs = [crm_services.complaint_next_reference(year=2030) for _ in range(10)]
    else:
        refs, errors = [], []

        def issue():
            from django.db import connection as conn
            from django.db import transaction

            try:
                for _ in range(5):
                    with transaction.atomic():
                        refs.append(crm_services.complaint_next_reference(year=2030))
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                conn.close()

        threads = [threading.Thread(target=issue) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
    assert len(refs) == len(set(refs))
    assert ComplaintCounter.objects.get(year=2030).last == len(refs)


def test_intake_acknowledges_once_by_email(make_complaint, customer):
    complaint = make_complaint()
    assert complaint.status == Complaint.Status.ACKNOWLEDGED
    message = Message.objects.get(key=f"complaint-ack:{complaint.pk}")
    assert message.recipient == customer.email
    assert complaint.reference in message.subject
    # The key makes it once: queueing again sends nothing more.
    _customer_mail(
        complaint=complaint, key=f"complaint-ack:{complaint.pk}", subject="x", body="y", kind="k"
    )
    assert Message.objects.filter(kind="complaint_ack").count() == 1


def test_ack_email_is_in_the_customers_language(make_complaint):
    chinese = CustomerFactory(language="zh-hans", email="li@example.com")
    complaint = make_complaint(customer=chinese)
    assert Message.objects.get(key=f"complaint-ack:{complaint.pk}").recipient == "li@example.com"


def test_without_email_the_complaint_waits_for_acknowledgement(make_complaint, front_desk_head):
    complaint = make_complaint(customer=CustomerFactory(email=""))
    assert complaint.status == Complaint.Status.RECEIVED
    assert not Message.objects.filter(kind="complaint_ack").exists()
    complaint = crm_services.complaint_transition(
        complaint=complaint, action="acknowledge", actor=front_desk_head, note="By phone"
    )
    assert complaint.acknowledged_at is not None


@pytest.mark.parametrize("severity,days", sorted(COMPLAINT_TARGET_DAYS.items()))
def test_response_target_by_severity(make_complaint, severity, days):
    received = timezone.now() - dt.timedelta(hours=1)
    complaint = make_complaint(severity=severity, received_at=received)
    assert complaint.due_at == received + dt.timedelta(days=days)
    assert complaint.next_action_at == complaint.due_at


def test_owner_defaults_to_the_department_head(make_complaint, front_desk_head):
    assert make_complaint().owner == front_desk_head


def _walk(complaint, actor, *steps):
    for step in steps:
        complaint = crm_services.complaint_transition(
            complaint=complaint,
            action=step,
            actor=actor,
            decision="We refund one night." if step == "decide" else "",
            note="Not enough." if step == "reject" else "",
        )
    return complaint


def test_decision_is_emailed_and_acceptance_closes(make_complaint, front_desk_head):
    complaint = _walk(make_complaint(), front_desk_head, "assess", "investigate", "decide")
    assert complaint.status == Complaint.Status.DECIDED
    assert complaint.first_decided_at is not None and complaint.next_action_at is None
    decision = Message.objects.get(key=f"complaint-decision:{complaint.pk}:1")
    assert "We refund one night." in decision.body
    complaint = _walk(complaint, front_desk_head, "accept")
    assert complaint.status == Complaint.Status.CLOSED and complaint.closed_at
    assert [e.to_status for e in complaint.events.all()] == [
        "received",
        "acknowledged",
        "assessing",
        "investigating",
        "decided",
        "closed",
    ]
    assert complaint.history.count() >= 5


def test_rejection_keeps_the_complaint_open_with_a_new_clock(make_complaint, front_desk_head):
    complaint = _walk(make_complaint(), front_desk_head, "assess", "decide", "reject")
    assert complaint.status == Complaint.Status.INVESTIGATING
    assert complaint.is_open and complaint.response_round == 2
    assert complaint.next_action_at == complaint.due_at > timezone.now()
    complaint = _walk(complaint, front_desk_head, "decide")
    assert Message.objects.filter(key=f"complaint-decision:{complaint.pk}:2").exists()


def test_decide_needs_the_decision_and_reject_the_reason(make_complaint, front_desk_head):
    complaint = _walk(make_complaint(), front_desk_head, "assess")
    with pytest.raises(ApplicationError, match="decision"):
        crm_services.complaint_transition(
            complaint=complaint, action="decide", actor=front_desk_head
        )
    complaint = _walk(complaint, front_desk_head, "decide")
    with pytest.raises(ApplicationError, match="rejects"):
        crm_services.complaint_transition(
            complaint=complaint, action="reject", actor=front_desk_head
        )


def test_steps_out_of_order_are_refused(make_complaint, front_desk_head):
    with pytest.raises(ApplicationError, match="cannot take the step"):
        _walk(make_complaint(), front_desk_head, "accept")


def test_only_the_department_concerned_handles_it(make_complaint, housekeeping_head):
    with pytest.raises(ApplicationError):
        _walk(make_complaint(), housekeeping_head, "assess")


def test_escalation_is_ready_for_a_corrective_action(make_complaint, front_desk_head):
    complaint = crm_services.complaint_escalate(
        complaint=make_complaint(), actor=front_desk_head, note="Third time this month"
    )
    assert complaint.escalated and complaint.escalated_at and complaint.escalation_note
    with pytest.raises(ApplicationError):
        crm_services.complaint_escalate(complaint=complaint, actor=front_desk_head, note="again")


# --- Pages -----------------------------------------------------------------------------


def test_intake_page_registers_and_shows_the_clock(
    client_for, front_desk_staff, front_desk, topic, customer
):
    client = client_for(front_desk_staff)
    response = client.post(
        reverse("crm:complaint-create", args=[customer.pk]),
        {
            "description": "Cold shower.",
            "topic": topic.pk,
            "severity": "critical",
            "department": front_desk.pk,
            "channel": "phone",
        },
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == reverse("crm:complaint-detail", args=[complaint.pk])
    page = client.get(response["Location"]).content.decode()
    assert complaint.reference in page
    assert "left" in page


def test_intake_page_says_what_is_missing(client_for, front_desk_staff, customer):
    response = client_for(front_desk_staff).post(
        reverse("crm:complaint-create", args=[customer.pk]), {"severity": "high"}
    )
    assert {"description", "topic", "department"} <= set(response.context["form"].errors)


def test_overdue_complaint_shows_overdue(client_for, make_complaint, front_desk_head):
    complaint = make_complaint(received_at=timezone.now() - dt.timedelta(days=5))
    page = client_for(front_desk_head).get(reverse("crm:complaint-detail", args=[complaint.pk]))
    assert "Overdue by" in page.content.decode()


def test_step_page_runs_the_step(client_for, make_complaint, front_desk_head):
    complaint = make_complaint()
    client = client_for(front_desk_head)
    url = reverse("crm:complaint-step", args=[complaint.pk, "assess"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"note": "Looking"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ASSESSING
    # A step that does not apply now is shown as a form error, nothing changes.
    response = client.post(
        reverse("crm:complaint-step", args=[complaint.pk, "accept"]), {"note": ""}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_scoping_other_departments_complaints_are_404(
    client_for, make_complaint, housekeeping_head, viewer, quality_manager, front_desk_staff
):
    complaint = make_complaint()
    detail = reverse("crm:complaint-detail", args=[complaint.pk])
    assert client_for(housekeeping_head).get(detail).status_code == 404
    assert (
        client_for(housekeeping_head)
        .post(reverse("crm:complaint-step", args=[complaint.pk, "assess"]))
        .status_code
        == 404
    )
    history = reverse("qms:history", args=["complaint", complaint.pk])
    assert client_for(housekeeping_head).get(history).status_code == 404
    for user in (viewer, quality_manager, front_desk_staff):
        assert client_for(user).get(detail).status_code == 200
    listing = client_for(housekeeping_head).get(reverse("crm:complaint-list"))
    assert list(listing.context["complaints"]) == []
    assert "No complaints yet" in listing.content.decode()


def test_viewer_sees_no_step_buttons(client_for, make_complaint, viewer):
    complaint = make_complaint()
    response = client_for(viewer).get(reverse("crm:complaint-detail", args=[complaint.pk]))
    assert response.context["actions"] == []
    url = reverse("crm:complaint-step", args=[complaint.pk, "assess"])
    assert client_for(viewer).post(url).status_code == 404


def test_complaint_list_filters_and_query_count(
    client_for, make_complaint, quality_manager, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    url = reverse("crm:complaint-list")
    make_complaint()
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    limit = len(few.captured_queries)
    for _ in range(12):
        make_complaint(customer=CustomerFactory())
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["complaints"]) == 13
    overdue = make_complaint(received_at=timezone.now() - dt.timedelta(days=9))
    response = client.get(url, {"overdue": "on"})
    assert list(response.context["complaints"]) == [overdue]


def test_ack_email_is_delivered_once(
    make_complaint, mailoutbox, django_capture_on_commit_callbacks
):
    from qms.services import message_send

    with django_capture_on_commit_callbacks() as callbacks:
        complaint = make_complaint()
    assert callbacks  # the send is kicked after commit
    message = Message.objects.get(key=f"complaint-ack:{complaint.pk}")
    assert message_send(message_id=message.pk) is True
    assert message_send(message_id=message.pk) is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ada@example.com"]
    assert complaint.reference in mailoutbox[0].subject


def test_complaint_list_ignores_a_bad_filter_value(client_for, make_complaint, quality_manager):
    """A status not in the choices (only reachable by editing the address) shows every
    complaint, not "filtered"; a page past the end or not a number is 404."""
    make_complaint()
    client = client_for(quality_manager)
    url = reverse("crm:complaint-list")
    response = client.get(url, {"status": "bogus", "overdue": "on"})
    assert response.status_code == 200
    assert len(response.context["complaints"]) == 1
    assert response.context["filtered"] is False
    response = client.get(url, {"q": "no-such-complaint"})
    assert response.context["filtered"] is True
    assert not response.context["complaints"]
    assert client.get(url, {"page": "99"}).status_code == 404
    assert client.get(url, {"page": "x"}).status_code == 404
