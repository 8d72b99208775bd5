"""Closing the loop: alert rules open follow-up cases where identity mode and consent
allow; overdue cases escalate once."""

import datetime as dt

import pytest
from django.utils import timezone

from qms.exceptions import ApplicationError
from qms.models import Message
from satisfaction import services
from satisfaction.models import FollowUpCase
from surveys.models import Survey
from tests.factories import UserFactory
from tests.satisfaction.factories import (
    answered,
    consenting_customer,
    published_survey,
    running_wave,
)

pytestmark = pytest.mark.django_db


def wave_for(mode=Survey.IdentityMode.IDENTIFIED):
    return running_wave(published_survey(identity_mode=mode))


def test_a_detractor_opens_a_case_for_the_account_owner(quality_manager):
    owner = UserFactory(username="owner")
    customer = consenting_customer(account_owner=owner)
    response = answered(wave_for(), {"nps": 2, "driver": "queue"}, customer=customer)
    case = FollowUpCase.objects.get(response=response)
    assert case.owner == owner
    assert case.state == FollowUpCase.State.NEW
    assert "NPS 2" in case.reason and "Long queue" in case.reason
    hours = (case.due_at - case.created_at).total_seconds() / 3600
    assert 47.9 < hours < 48.1
    alert = Message.objects.get(key=f"followup-alert:{case.pk}")
    assert alert.recipient == owner.email


def test_without_an_account_owner_the_quality_manager_gets_the_case(quality_manager):
    response = answered(wave_for(), {"nps": 9, "csat": 2})
    assert FollowUpCase.objects.get(response=response).owner == quality_manager


def test_happy_customers_open_no_case(quality_manager):
    answered(wave_for(), {"nps": 9, "csat": 4})
    assert not FollowUpCase.objects.exists()


def test_anonymous_surveys_never_open_a_case(quality_manager):
    response = answered(wave_for(Survey.IdentityMode.ANONYMOUS), {"nps": 0, "contact": 1})
    assert response.customer is None
    assert not FollowUpCase.objects.exists()


def test_confidential_surveys_open_a_case_only_with_consent_to_be_contacted(quality_manager):
    wave = wave_for(Survey.IdentityMode.CONFIDENTIAL)
    answered(wave, {"nps": 0, "contact": 0})
    assert not FollowUpCase.objects.exists()
    answered(wave, {"nps": 0, "contact": 1})
    assert FollowUpCase.objects.count() == 1


def test_overdue_cases_escalate_once(quality_manager):
    answered(wave_for(), {"nps": 1})
    case = FollowUpCase.objects.get()
    later = timezone.now() + dt.timedelta(hours=49)
    assert services.follow_ups_escalate_due(now=later) == 1
    assert services.follow_ups_escalate_due(now=later + dt.timedelta(days=3)) == 0
    case.refresh_from_db()
    assert case.escalated_at is not None
    assert Message.objects.filter(kind="survey_follow_up_escalation").count() == 1


def test_a_resolved_case_does_not_escalate(quality_manager):
    answered(wave_for(), {"nps": 1})
    case = FollowUpCase.objects.get()
    services.followup_update(case=case, state=FollowUpCase.State.RESOLVED, note="Called")
    assert services.follow_ups_escalate_due(now=timezone.now() + dt.timedelta(days=5)) == 0
    case.refresh_from_db()
    assert case.closed_at is not None
    assert case.note == "Called"


def test_a_case_moves_between_any_states_appending_notes(quality_manager):
    answered(wave_for(), {"nps": 1})
    case = FollowUpCase.objects.get()
    with pytest.raises(ApplicationError, match="Unknown state."):
        services.followup_update(case=case, state="lost", note="Ignored")
    case.refresh_from_db()
    assert (case.state, case.note) == (FollowUpCase.State.NEW, "")
    services.followup_update(case=case, state=FollowUpCase.State.NO_ACTION, note="Fine")
    case.refresh_from_db()
    assert case.closed_at is not None and case.next_action_at is None
    # Reopened before the deadline: it waits for its deadline again.
    case = services.followup_update(case=case, state=FollowUpCase.State.CONTACTED, note="Again")
    assert case.note == "Fine\nAgain"
    assert (case.closed_at, case.next_action_at) == (None, case.due_at)
    case = services.followup_update(case=case, state=FollowUpCase.State.CONTACTED)
    assert case.note == "Fine\nAgain" and case.next_action_at == case.due_at


def test_an_escalated_case_reopened_is_not_escalated_again(quality_manager):
    answered(wave_for(), {"nps": 1})
    later = timezone.now() + dt.timedelta(hours=49)
    assert services.follow_ups_escalate_due(now=later) == 1
    case = FollowUpCase.objects.get()
    services.followup_update(case=case, state=FollowUpCase.State.RESOLVED)
    case = services.followup_update(case=case, state=FollowUpCase.State.NEW)
    assert case.next_action_at is None
    FollowUpCase.objects.filter(pk=case.pk).update(next_action_at=later)  # as if rescheduled
    assert services.follow_ups_escalate_due(now=later) == 0
    case.refresh_from_db()
    assert case.next_action_at is None
    assert Message.objects.filter(kind="survey_follow_up_escalation").count() == 1


def test_the_scan_clears_the_next_action_of_a_closed_case_without_escalating(quality_manager):
    answered(wave_for(), {"nps": 1})
    case = FollowUpCase.objects.get()
    FollowUpCase.objects.filter(pk=case.pk).update(state=FollowUpCase.State.RESOLVED)
    assert services.follow_ups_escalate_due(now=timezone.now() + dt.timedelta(days=5)) == 0
    case.refresh_from_db()
    assert (case.next_action_at, case.escalated_at) == (None, None)
    assert not Message.objects.filter(kind="survey_follow_up_escalation").exists()


def test_follow_up_on_time_rate_metric(quality_manager):
    from qms.registry import Period, registry

    wave = wave_for()
    answered(wave, {"nps": 1})
    answered(wave, {"nps": 2})
    first, second = FollowUpCase.objects.order_by("pk")
    services.followup_update(case=first, state=FollowUpCase.State.RESOLVED)
    FollowUpCase.objects.filter(pk=second.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    period = Period.parse(str(timezone.localdate().year))
    value = registry.compute("follow_up_on_time_rate", period=period)
    assert value.n == 2
    assert value.value == 50.0


def test_overdue_follow_ups_metric_counts_open_cases_past_their_deadline(quality_manager):
    from qms.registry import Period, registry

    wave = wave_for()
    for score in (1, 2, 3):
        answered(wave, {"nps": score})
    first, second, third = FollowUpCase.objects.order_by("pk")
    FollowUpCase.objects.filter(pk__in=[first.pk, second.pk]).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    services.followup_update(case=second, state=FollowUpCase.State.RESOLVED)  # late, closed
    value = registry.compute("follow_ups_overdue", period=Period.parse("2026"))
    assert (value.value, value.n) == (1, 2)  # one overdue among the two still open
