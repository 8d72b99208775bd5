"""Follow-up cases: opened by alert rules on a submitted response, worked by their owner,
escalated to the quality managers when overdue."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.models import Customer
from qms.exceptions import ApplicationError
from qms.models import User
from qms.services import message_queue
from surveys import alerting
from surveys.models import Survey
from surveys.selectors import survey_alert_rules

from ..models import FollowUpCase
from ._common import _locked, base_url


def _alert_rules(*, response, questions, draft, customer) -> FollowUpCase | None:
    """The survey's alert rules (surveys.selectors.survey_alert_rules, from the cache) open a
    follow-up case where the identity mode and consent allow: never for anonymous
    surveys, for confidential ones only if the customer agreed to be contacted. The case
    is due after the shortest deadline among the rules that fired, and its reason names
    each of them. Reason and alert are written in the organisation's language
    (LANGUAGE_CODE), not the customer's: they are read by staff."""
    survey = response.survey
    if survey.identity_mode == Survey.IdentityMode.ANONYMOUS:
        return None
    if survey.identity_mode == Survey.IdentityMode.CONFIDENTIAL and not response.may_contact:
        return None
    rules = survey_alert_rules(survey_id=survey.pk)
    if not rules:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        fired = alerting.evaluate(rules, questions, draft, language=settings.LANGUAGE_CODE)
        if not fired:
            return None
        return _open_case(response=response, customer=customer, survey=survey, fired=fired)


def _open_case(*, response, customer, survey, fired) -> FollowUpCase:
    owner = customer.account_owner if customer.account_owner_id else None
    if owner is None or not owner.is_active:
        owner = _default_owner()
    due = timezone.now() + dt.timedelta(hours=alerting.case_deadline_hours(fired))
    case = FollowUpCase.objects.create(
        response=response,
        customer=customer,
        owner=owner,
        reason=alerting.case_reason(fired),
        due_at=due,
        next_action_at=due,
    )
    if owner is not None and owner.email:
        message_queue(
            key=f"followup-alert:{case.pk}",
            kind="survey_follow_up",
            recipient=owner.email,
            subject=_("Follow up with %(customer)s") % {"customer": customer.name},
            body=_(
                "%(customer)s answered “%(survey)s”: %(reason)s.\n\nPlease contact them "
                "before %(due)s and record the outcome:\n%(url)s\n"
            )
            % {
                "customer": customer.name,
                "survey": survey.title,
                "reason": case.reason,
                "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
                "url": base_url() + reverse("satisfaction:followup-detail", args=[case.pk]),
            },
        )
    return case


def _default_owner() -> User | None:
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role=User.Role.QUALITY_MANAGER) | Q(is_superuser=True))
        .order_by("-role", "pk")
        .first()
    )


@transaction.atomic
def followup_update(*, case: FollowUpCase, state: str, note: str = "") -> FollowUpCase:
    case = FollowUpCase.objects.select_for_update().get(pk=case.pk)
    if state not in FollowUpCase.State.values:
        raise ApplicationError(_("Unknown state."))
    case.state = state
    if note:
        case.note = (case.note + "\n" + note).strip() if case.note else note
    if state in FollowUpCase.OPEN_STATES:
        case.closed_at = None
        case.next_action_at = case.due_at if case.escalated_at is None else None
    else:
        case.closed_at = timezone.now()
        case.next_action_at = None
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def follow_ups_escalate_due(*, limit: int = 200, now: dt.datetime | None = None) -> int:
    """Scanner: an open case past its deadline escalates once to the quality managers."""
    now = now or timezone.now()
    due = list(
        _locked(FollowUpCase.objects.filter(next_action_at__lte=now).order_by("next_action_at"))[
            :limit
        ]
    )
    if not due:
        return 0
    managers = list(
        User.objects.filter(is_active=True)
        .filter(Q(role=User.Role.QUALITY_MANAGER) | Q(is_superuser=True))
        .exclude(email="")
    )
    customers = Customer.objects.only("id", "name").in_bulk({c.customer_id for c in due})
    escalated = 0
    for case in due:
        case.next_action_at = None
        if case.state in FollowUpCase.OPEN_STATES and case.escalated_at is None:
            case.escalated_at = now
            escalated += 1
            for manager in managers:
                message_queue(
                    key=f"followup-escalation:{case.pk}:{manager.pk}",
                    kind="survey_follow_up_escalation",
                    recipient=manager.email,
                    subject=_("Overdue follow-up: %(customer)s")
                    % {"customer": customers[case.customer_id].name},
                    body=_(
                        "The follow-up with %(customer)s was due %(due)s and is still open.\n"
                        "%(url)s\n"
                    )
                    % {
                        "customer": customers[case.customer_id].name,
                        "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
                        "url": base_url() + reverse("satisfaction:followup-detail", args=[case.pk]),
                    },
                )
        case.save(update_fields=["next_action_at", "escalated_at", "updated_at"])
    return escalated
