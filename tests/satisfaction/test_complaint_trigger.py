"""A transactional wave can invite the customer by itself once their complaint is closed
(the hook the complaint flow uses), a set number of hours later."""

import datetime as dt

import pytest
from django.utils import timezone

from crm import services as crm_services
from crm.models import Complaint
from satisfaction import services
from satisfaction.models import Invitation, Wave
from satisfaction.services import waves as wave_services
from tests.satisfaction.factories import (
    TopicFactory,
    consenting_customer,
    published_survey,
    running_wave,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_complaint(front_desk, front_desk_head):
    def close(customer, walk=("assess", "investigate", "decide", "accept")):
        complaint = crm_services.complaint_intake(
            customer=customer,
            description="The room was not cleaned.",
            topic=TopicFactory(),
            severity=Complaint.Severity.HIGH,
            department=front_desk,
            actor=front_desk_head,
        )
        for step in walk:
            complaint = crm_services.complaint_transition(
                complaint=complaint, action=step, actor=front_desk_head, decision="A refund."
            )
        return complaint

    return close


@pytest.fixture
def after_complaint_wave():
    return running_wave(
        published_survey(code="after-complaint"),
        name="After a complaint",
        kind=Wave.Kind.TRANSACTIONAL,
        trigger=Wave.Trigger.COMPLAINT_CLOSED,
        trigger_delay_hours=24,
    )


def test_closing_a_complaint_schedules_one_invitation_a_day_later(
    closed_complaint, after_complaint_wave
):
    customer = consenting_customer()
    before = timezone.now()
    complaint = closed_complaint(customer)
    invitation = Invitation.objects.get(wave=after_complaint_wave, customer=customer)
    assert invitation.trigger_ref == f"complaint:{complaint.pk}"
    assert invitation.state == Invitation.State.SCHEDULED
    assert invitation.scheduled_at >= before + dt.timedelta(hours=24)
    # The event again (a retry, a second closing) sends nothing more
    services.invitations_for_closed_complaint(complaint=complaint)
    assert Invitation.objects.filter(wave=after_complaint_wave, customer=customer).count() == 1


def test_no_invitation_before_the_complaint_is_closed_or_without_a_triggered_wave(
    closed_complaint, after_complaint_wave
):
    customer = consenting_customer()
    closed_complaint(customer, walk=("assess", "investigate", "decide"))
    assert not Invitation.objects.filter(customer=customer).exists()
    # A transactional wave without the trigger only answers the API
    Wave.objects.filter(pk=after_complaint_wave.pk).update(trigger="")
    closed_complaint(customer)
    assert not Invitation.objects.filter(customer=customer).exists()


def test_consent_still_decides(closed_complaint, after_complaint_wave):
    from tests.satisfaction.factories import CustomerFactory

    customer = CustomerFactory()  # never agreed to surveys
    closed_complaint(customer)
    invitation = Invitation.objects.get(customer=customer)
    assert invitation.state == Invitation.State.SUPPRESSED
    assert invitation.reason == Invitation.Reason.NO_CONSENT


def test_a_survey_problem_never_stops_the_complaint_from_closing(
    closed_complaint, after_complaint_wave, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("survey side broken")

    monkeypatch.setattr(wave_services, "invitation_request", broken)
    customer = consenting_customer()
    complaint = closed_complaint(customer)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert not Invitation.objects.filter(customer=customer).exists()


def test_only_transactional_waves_take_the_trigger():
    from django.core.exceptions import ValidationError

    from qms.exceptions import ApplicationError

    version = published_survey(code="one-off")
    with pytest.raises((ValidationError, ApplicationError)):
        services.wave_create(
            survey_version=version, name="x", trigger=Wave.Trigger.COMPLAINT_CLOSED
        )


def test_the_wave_page_says_what_triggers_it(client_for, quality_manager, after_complaint_wave):
    html = client_for(quality_manager).get(f"/satisfaction/waves/{after_complaint_wave.pk}/").text
    assert "When a complaint is closed, 24 hours later" in html


def test_the_wave_form_sets_the_trigger_and_says_when_it_cannot(client_for, quality_manager):
    survey = published_survey(code="form-trigger").survey
    client = client_for(quality_manager)
    data = {
        "name": "After complaints",
        "kind": "transactional",
        "language": "",
        "starts_at": "2026-01-01T09:00",
        "send_window_start": "09:00",
        "send_window_end": "20:00",
        "expires_after_days": 14,
        "max_reminders": 1,
        "reminder_interval_days": 3,
        "trigger": "complaint_closed",
        "trigger_delay_hours": 48,
    }
    url = f"/satisfaction/surveys/{survey.pk}/waves/new/"
    refused = client.post(url, dict(data, kind="one_off", name="Wrong"))
    assert refused.status_code == 200
    assert "Only a transactional wave invites customers on an event." in refused.text
    assert not Wave.objects.filter(name="Wrong").exists()
    assert client.post(url, data).status_code == 302
    wave = Wave.objects.get(name="After complaints")
    assert (wave.trigger, wave.trigger_delay_hours) == ("complaint_closed", 48)
