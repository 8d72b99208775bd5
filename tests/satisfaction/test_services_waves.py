"""Waves and invitations: frozen audience, consent, the contact-frequency cap, the send
window, reminders (only to non-completers, never beyond the maximum, exactly once per
step even when the scanner runs twice) and expiry."""

import datetime as dt

import pytest
from django.utils import timezone

from customers.models import Consent
from qms.exceptions import ApplicationError
from qms.models import Message
from satisfaction import services
from satisfaction.models import Invitation, InvitationLink, Wave
from surveys import services as survey_services
from tests.satisfaction.factories import (
    ConsentFactory,
    CustomerFactory,
    SegmentFactory,
    consenting_customer,
    published_survey,
    running_wave,
    sent_invitation,
)

pytestmark = pytest.mark.django_db


def _wave(version, **fields):
    defaults = {
        "name": "W",
        "starts_at": timezone.now(),
        "send_window_start": dt.time(0, 0),
        "send_window_end": dt.time(23, 59, 59),
    }
    defaults.update(fields)
    return services.wave_create(survey_version=version, **defaults)


def test_a_draft_version_cannot_be_sent():
    survey = survey_services.survey_create(title="S", code="s")
    with pytest.raises(ApplicationError):
        _wave(survey.versions.get())


def test_wave_start_freezes_the_audience_with_reasons():
    # Given a segment with customers in every situation
    diners = SegmentFactory(code="diners")
    ok = consenting_customer(segment=diners)
    no_consent = CustomerFactory(segment=diners)
    opted_out = CustomerFactory(segment=diners)
    ConsentFactory(customer=opted_out, granted=False)
    no_email = consenting_customer(segment=diners, email="")
    consenting_customer()  # another segment: not in the audience
    wave = _wave(published_survey(), segment=diners)
    services.wave_schedule(wave=wave)
    # When the scanner starts the wave
    assert services.waves_process_due() == 1
    # Then every segment customer has exactly one invitation row, suppressed ones with why
    rows = {i.customer_id: i for i in Invitation.objects.filter(wave=wave)}
    assert set(rows) == {ok.pk, no_consent.pk, opted_out.pk, no_email.pk}
    assert rows[ok.pk].state == Invitation.State.SCHEDULED
    assert rows[no_consent.pk].reason == Invitation.Reason.NO_CONSENT
    assert rows[opted_out.pk].reason == Invitation.Reason.OPTED_OUT
    assert rows[no_email.pk].reason == Invitation.Reason.NO_EMAIL
    assert all(
        rows[c].state == Invitation.State.SUPPRESSED
        for c in (no_consent.pk, opted_out.pk, no_email.pk)
    )
    # And a customer who joins the segment later is not added (the audience is frozen)
    consenting_customer(segment=diners)
    services.waves_process_due(now=timezone.now() + dt.timedelta(days=40))
    assert Invitation.objects.filter(wave=wave).count() == 4


def test_the_contact_frequency_cap_spans_all_surveys():
    customer = consenting_customer()
    first = running_wave(published_survey(code="a"), contact_cap_days=30)
    assert first.invitations.get().state == Invitation.State.SCHEDULED
    # A second survey within the cap: suppressed, reason recorded
    second = running_wave(published_survey(code="b"), contact_cap_days=30)
    invitation = second.invitations.get(customer=customer)
    assert invitation.state == Invitation.State.SUPPRESSED
    assert invitation.reason == Invitation.Reason.CAPPED
    # After the cap, the customer may be surveyed again
    Invitation.objects.filter(wave=first).update(
        scheduled_at=timezone.now() - dt.timedelta(days=31)
    )
    third = running_wave(published_survey(code="c"), contact_cap_days=30)
    assert third.invitations.get(customer=customer).state == Invitation.State.SCHEDULED


def test_the_cap_shared_with_crm_reminders_suppresses_an_invitation():
    """Two unprompted contacts this week (e.g. replenishment reminders) are the
    organisation-wide limit: a survey wave leaves the customer alone."""
    from customers import contact_cap

    customer = consenting_customer()
    now = timezone.now()
    for n in range(contact_cap.CONTACT_CAP_MAX):
        contact_cap.contact_record(
            customer=customer, kind="replenishment", now=now, key=f"replenish-test:{n}"
        )
    wave = running_wave(published_survey(code="shared"), contact_cap_days=30)
    invitation = wave.invitations.get(customer=customer)
    assert (invitation.state, invitation.reason) == (
        Invitation.State.SUPPRESSED,
        Invitation.Reason.CAPPED,
    )


def test_a_sent_invitation_counts_against_the_shared_cap_once():
    from customers.models import ContactLog

    invitation, _token = sent_invitation()
    services.invitations_process_due(now=timezone.now())  # a second scan records nothing
    log = ContactLog.objects.get(customer=invitation.customer)
    assert (log.kind, log.key) == ("survey_invitation", f"survey-invite:{invitation.pk}")


def test_the_default_cap_comes_from_settings(settings):
    settings.SATISFACTION_CONTACT_CAP_DAYS = 7
    customer = consenting_customer()
    running_wave(published_survey(code="a"))
    Invitation.objects.update(scheduled_at=timezone.now() - dt.timedelta(days=8))
    wave = running_wave(published_survey(code="b"))
    assert wave.invitations.get(customer=customer).state == Invitation.State.SCHEDULED


def test_sending_stores_only_the_token_hash_and_queues_one_email():
    invitation, token = sent_invitation()
    assert invitation.state == Invitation.State.SENT
    assert invitation.sent_at is not None
    link = InvitationLink.objects.get(invitation=invitation)
    assert link.token_hash == services.hash_token(token)
    assert token not in link.token_hash
    assert len(token) >= 40
    message = Message.objects.get(key=f"invitation:{invitation.pk}")
    assert message.recipient == invitation.customer.email
    assert f"/s/{token}/" in message.body


def test_the_email_is_in_the_customers_language():
    customer = consenting_customer(language="zh-hans")
    invitation, _token = sent_invitation(customer=customer)
    assert invitation.language == "zh-hans"
    message = Message.objects.get(key=f"invitation:{invitation.pk}")
    assert message.body  # rendered under the customer's language (falls back to English)


def test_invitations_wait_for_the_send_window():
    customer = consenting_customer()
    night = timezone.make_aware(dt.datetime(2026, 1, 5, 3, 0))
    wave = running_wave(
        published_survey(),
        starts_at=night,
        send_window_start=dt.time(9, 0),
        send_window_end=dt.time(20, 0),
    )
    # At 03:00 nothing goes out; the invitation waits for 09:00
    assert services.invitations_process_due(now=night) == {"defer": 1}
    invitation = wave.invitations.get(customer=customer)
    assert invitation.state == Invitation.State.SCHEDULED
    assert timezone.localtime(invitation.next_action_at).time() == dt.time(9, 0)
    assert not Message.objects.filter(kind="survey_invitation").exists()
    # At 09:00 it is sent
    assert services.invitations_process_due(now=invitation.next_action_at) == {"send": 1}


def _run_until(now):
    return services.invitations_process_due(now=now)


def test_reminders_go_only_to_non_completers_and_never_beyond_the_maximum():
    done_customer = consenting_customer()
    open_customer = consenting_customer()
    wave = running_wave(
        published_survey(), max_reminders=2, reminder_interval_days=3, expires_after_days=14
    )
    start = timezone.now()
    services.invitations_process_due(now=start)
    done = wave.invitations.get(customer=done_customer)
    Invitation.objects.filter(pk=done.pk).update(
        state=Invitation.State.COMPLETED, completed_at=start, next_action_at=None
    )
    # Run the scanner every day for the life of the links, twice a day.
    for day in range(1, 20):
        for hour in (0, 12):
            _run_until(start + dt.timedelta(days=day, hours=hour))
    reminders = Message.objects.filter(kind="survey_reminder")
    assert sorted(reminders.values_list("key", flat=True)) == sorted(
        [
            f"reminder:{wave.invitations.get(customer=open_customer).pk}:1",
            f"reminder:{wave.invitations.get(customer=open_customer).pk}:2",
        ]
    )
    open_invitation = wave.invitations.get(customer=open_customer)
    assert open_invitation.reminders_sent == 2
    assert open_invitation.state == Invitation.State.EXPIRED
    assert open_invitation.expired_at is not None
    assert wave.invitations.get(customer=done_customer).state == Invitation.State.COMPLETED


def test_one_email_per_invitation_and_step_when_the_scanner_runs_twice(
    django_capture_on_commit_callbacks,
):
    consenting_customer()
    consenting_customer()
    wave = running_wave(published_survey(), max_reminders=1, reminder_interval_days=2)
    now = timezone.now()
    # The task runs twice at the same moment (two beats, a redelivery)
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_process_due(now=now)
        services.invitations_process_due(now=now)
    assert Message.objects.filter(kind="survey_invitation").count() == 2
    later = now + dt.timedelta(days=2, minutes=1)
    services.invitations_process_due(now=later)
    services.invitations_process_due(now=later)
    assert Message.objects.filter(kind="survey_reminder").count() == 2
    # Even if the state were rolled back by hand, the message key refuses a second e-mail.
    Invitation.objects.filter(wave=wave).update(reminders_sent=0, next_action_at=later)
    services.invitations_process_due(now=later)
    assert Message.objects.filter(kind="survey_reminder").count() == 2


def test_opted_out_customers_get_no_reminder():
    invitation, _token = sent_invitation(max_reminders=2, reminder_interval_days=1)
    Consent.objects.filter(customer=invitation.customer).update(granted=False)
    services.invitations_process_due(now=timezone.now() + dt.timedelta(days=1, minutes=1))
    assert not Message.objects.filter(kind="survey_reminder").exists()


def test_a_scheduled_invitation_whose_consent_was_withdrawn_is_suppressed():
    customer = consenting_customer()
    wave = running_wave(published_survey())
    Consent.objects.filter(customer=customer).update(granted=False)
    services.invitations_process_due()
    invitation = wave.invitations.get()
    assert invitation.state == Invitation.State.SUPPRESSED
    assert invitation.reason == Invitation.Reason.OPTED_OUT
    assert not Message.objects.exists()


def test_transactional_trigger_respects_cap_and_consent_and_is_idempotent():
    version = published_survey()
    wave = running_wave(version, kind=Wave.Kind.TRANSACTIONAL)
    customer = consenting_customer()
    invitation, created = services.invitation_request(
        wave=wave, customer=customer, trigger_ref="stay:1"
    )
    assert created and invitation.state == Invitation.State.SCHEDULED
    again, created = services.invitation_request(wave=wave, customer=customer, trigger_ref="stay:1")
    assert not created and again.pk == invitation.pk
    # A second stay within the cap: recorded, suppressed
    capped, created = services.invitation_request(
        wave=wave, customer=customer, trigger_ref="stay:2"
    )
    assert created and capped.reason == Invitation.Reason.CAPPED
    stranger = CustomerFactory()
    refused, _ = services.invitation_request(wave=wave, customer=stranger, trigger_ref="stay:3")
    assert refused.reason == Invitation.Reason.NO_CONSENT


def test_transactional_trigger_needs_a_running_transactional_wave():
    version = published_survey()
    one_off = running_wave(version)
    with pytest.raises(ApplicationError):
        services.invitation_request(wave=one_off, customer=consenting_customer())


def test_closing_a_wave_expires_open_links():
    invitation, _token = sent_invitation()
    services.wave_close(wave=invitation.wave)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.EXPIRED
    assert invitation.wave.status == Wave.Status.CLOSED


def test_a_recurring_wave_surveys_each_customer_every_n_days():
    first = consenting_customer()
    start = timezone.now()
    wave = running_wave(
        published_survey(),
        kind=Wave.Kind.RECURRING,
        recurrence_days=30,
        contact_cap_days=0,
        starts_at=start,
    )
    assert wave.status == Wave.Status.RUNNING
    assert wave.invitations.filter(customer=first).count() == 1
    # Next day: a new customer is invited, the first one is not asked again yet
    second = consenting_customer()
    services.waves_process_due(now=start + dt.timedelta(days=1, minutes=1))
    assert wave.invitations.filter(customer=first).count() == 1
    assert wave.invitations.filter(customer=second).count() == 1
    # Thirty days after the first invitation, the first customer is asked again
    services.waves_process_due(now=start + dt.timedelta(days=30, minutes=2))
    assert wave.invitations.filter(customer=first).count() == 2
    assert wave.invitations.filter(customer=second).count() == 1
    wave.refresh_from_db()
    assert wave.status == Wave.Status.RUNNING


def test_a_recurring_wave_needs_an_interval():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _wave(published_survey(), kind=Wave.Kind.RECURRING)


def _fail_sending(monkeypatch):
    monkeypatch.setattr(
        "qms.services.deliver", lambda *a, **k: (_ for _ in ()).throw(OSError("bounced"))
    )


def test_an_invitation_whose_email_is_given_up_on_is_failed(monkeypatch):
    from customers.models import ContactLog
    from qms.models import Message
    from qms.services import MESSAGE_MAX_ATTEMPTS, message_send

    invitation, _token = sent_invitation()
    message = Message.objects.get(key=f"invitation:{invitation.pk}")
    _fail_sending(monkeypatch)
    # Retried: still sent (as far as anyone knows) until the outbox gives up
    message_send(message_id=message.pk)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SENT
    Message.objects.filter(pk=message.pk).update(attempts=MESSAGE_MAX_ATTEMPTS - 1)
    message_send(message_id=message.pk)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.FAILED
    assert invitation.failed_at is not None
    assert invitation.next_action_at is None  # no reminders to an address that bounces
    # The customer was not reached: the contact does not count against the cap
    assert not ContactLog.objects.filter(key=f"survey-invite:{invitation.pk}").exists()
    # and the scanner leaves it alone
    services.invitations_process_due(now=timezone.now() + dt.timedelta(days=30))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.FAILED
    assert not Message.objects.filter(key__startswith=f"reminder:{invitation.pk}:").exists()


def test_an_answered_invitation_keeps_its_state_when_its_email_fails_later(monkeypatch, client):
    from qms.models import Message
    from qms.services import MESSAGE_MAX_ATTEMPTS, message_send

    invitation, token = sent_invitation()
    message = Message.objects.get(key=f"invitation:{invitation.pk}")
    client.post(
        f"/satisfaction/s/{token}/", {"q_nps": "9", "action": "submit"}
    )  # answered meanwhile (e.g. the e-mail arrived on a retry the log did not see)
    Message.objects.filter(pk=message.pk).update(attempts=MESSAGE_MAX_ATTEMPTS - 1)
    _fail_sending(monkeypatch)
    message_send(message_id=message.pk)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.COMPLETED


def test_the_invitation_list_shows_failed_invitations(client_for, quality_manager):
    invitation, _token = sent_invitation()
    Invitation.objects.filter(pk=invitation.pk).update(
        state=Invitation.State.FAILED, failed_at=timezone.now()
    )
    page = client_for(quality_manager).get(
        f"/satisfaction/waves/{invitation.wave_id}/invitations/?state=failed"
    )
    html = page.content.decode()
    assert "Failed" in html and invitation.customer.name in html
