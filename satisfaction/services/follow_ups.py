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
from django.utils.translation import gettext_lazy

from customers.models import Customer
from qms import webhooks
from qms.models import User
from qms.services import message_queue
from qms.workflow import Ladder, Step, Transition, Workflow, due_rows, lock
from surveys import alerting
from surveys.models import Survey
from surveys.selectors import survey_alert_rules

from ..models import FollowUpCase
from ._common import base_url


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


def _open_case(
    *, response, customer, survey, fired, owner=None, reason="", deadline_hours=None
) -> FollowUpCase:
    """`owner`, `reason` and `deadline_hours` given (a walk-in's low score, opened by
    `walk_ins.walk_in_response_store` for the place's department) override what the
    customer's account owner and the fired rules would say."""
    if owner is None:
        owner = customer.account_owner if customer.account_owner_id else None
    if owner is None or not owner.is_active:
        owner = _default_owner()
    hours = deadline_hours or alerting.case_deadline_hours(fired)
    due = timezone.now() + dt.timedelta(hours=hours)
    case = FollowUpCase.objects.create(
        response=response,
        customer=customer,
        owner=owner,
        reason=(reason or alerting.case_reason(fired))[:300],
        due_at=due,
        next_action_at=due,
    )
    webhooks.emit(
        "followup.opened",
        {
            "id": case.pk,
            "survey": survey.pk,
            "response": response.pk,
            "customer": customer.pk,
            "owner": owner.pk if owner else None,
            "reason": case.reason,
            "due_at": case.due_at,
        },
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


def _case_entered(case: FollowUpCase, transition, *, now: dt.datetime, note: str, **_context):
    """The note is appended; an open case waits for its deadline (unless it has been
    escalated: that happens once per case, ever); a closed one waits for nothing."""
    if note:
        case.note = (case.note + "\n" + note).strip() if case.note else note
    if case.state in FollowUpCase.OPEN_STATES:
        case.closed_at = None
        case.next_action_at = case.due_at if case.escalated_at is None else None
    else:
        case.closed_at = now
        case.next_action_at = None


# A case moves freely between its states (its owner corrects a slip as easily as they
# close it): every state goes to every state, the same one too (to add a note). There is
# no log of moves: the case's history (simple-history) records each save.
FOLLOW_UP_WORKFLOW = Workflow(
    states=FollowUpCase.State,
    field="state",
    illegal=gettext_lazy("Unknown state."),
    transitions=[
        Transition(source=FollowUpCase.State.values, target=state)
        for state in FollowUpCase.State.values
    ],
    on_enter=_case_entered,
)

# An open case past its deadline escalates once to the quality managers; a case closed
# (or already escalated) by then only has its next action cleared.
FOLLOW_UP_LADDER = Ladder(
    steps=[
        Step(
            "escalate",
            when=lambda case: case.state in FollowUpCase.OPEN_STATES,
            mark="escalated_at",
        )
    ],
    next_field="next_action_at",
)


@transaction.atomic
def followup_update(*, case: FollowUpCase, state: str, note: str = "") -> FollowUpCase:
    case = lock(case)
    FOLLOW_UP_WORKFLOW.transition(case, state, note=note)
    return case


@transaction.atomic
def followup_action_opened(*, case: FollowUpCase, reference: str) -> FollowUpCase:
    """A corrective action was opened from the case: the case says so (its page shows
    “action opened” and links to the action) and its notes name the action."""
    case = lock(case)
    case.action_opened_at = timezone.now()
    line = _("Corrective action %(ref)s opened.") % {"ref": reference}
    case.note = (case.note + "\n" + line).strip() if case.note else line
    case.save(update_fields=["action_opened_at", "note", "updated_at"])
    return case


@transaction.atomic
def follow_ups_escalate_due(*, limit: int = 200, now: dt.datetime | None = None) -> int:
    """Scanner: an open case past its deadline escalates once to the quality managers.
    Returns the number of cases escalated."""
    now = now or timezone.now()
    due = due_rows(FollowUpCase.objects.all(), now=now, limit=limit)
    if not due:
        return 0
    managers = list(
        User.objects.filter(is_active=True)
        .filter(Q(role=User.Role.QUALITY_MANAGER) | Q(is_superuser=True))
        .exclude(email="")
    )
    customers = Customer.objects.only("id", "name").in_bulk({c.customer_id for c in due})

    def escalate(case: FollowUpCase, step) -> None:
        customer = customers[case.customer_id]
        for manager in managers:
            message_queue(
                key=f"followup-escalation:{case.pk}:{manager.pk}",
                kind="survey_follow_up_escalation",
                recipient=manager.email,
                subject=_("Overdue follow-up: %(customer)s") % {"customer": customer.name},
                body=_(
                    "The follow-up with %(customer)s was due %(due)s and is still open.\n%(url)s\n"
                )
                % {
                    "customer": customer.name,
                    "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
                    "url": base_url() + reverse("satisfaction:followup-detail", args=[case.pk]),
                },
            )

    return sum(len(FOLLOW_UP_LADDER.advance(case, now=now, run=escalate)) for case in due)
