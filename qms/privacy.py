"""The organisation core's part of a customer's privacy export and erasure
(qms/privacy_registry.py): the e-mails the outbox sent to the customer's addresses, and
the e-mails to staff that name the customer (alerts, follow-up cases)."""

from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone

from .models import ImpactAssessment, Message
from .privacy_registry import ERASED_EMAIL, privacy, rows


def _to_customer(subject):
    query = Q(pk__in=[])
    for email in subject.emails:
        query |= Q(recipient__iexact=email)
    return query


def _naming_customer(subject):
    query = Q(pk__in=[])
    for text in subject.names | subject.emails:
        query |= Q(subject__icontains=text) | Q(body__icontains=text)
    return query


def _messages(subject):
    return Message.objects.filter(_to_customer(subject) | _naming_customer(subject))


def export_messages(subject):
    return rows(_messages(subject), ("kind", "recipient", "subject", "body", "status", "sent_at"))


def erase_messages(subject):
    """Messages to the customer lose their address and text (one still waiting is never
    sent); messages to staff keep their text with the customer's names and addresses
    replaced by "Erased customer #id"."""
    for text in sorted(subject.names | subject.emails, key=len, reverse=True):
        Message.objects.filter(Q(subject__icontains=text) | Q(body__icontains=text)).update(
            subject=Replace(F("subject"), Value(text), Value(subject.placeholder)),
            body=Replace(F("body"), Value(text), Value(subject.placeholder)),
            updated_at=timezone.now(),
        )
    messages = Message.objects.filter(_to_customer(subject))
    # A message still waiting is never sent to an erased person.
    messages.filter(status=Message.Status.PENDING).update(
        status=Message.Status.FAILED,
        next_action_at=None,
        last_error="The recipient was erased.",
        updated_at=timezone.now(),
    )
    messages.update(recipient=ERASED_EMAIL, subject="", body="", updated_at=timezone.now())


def register():
    privacy.register("messages", models=(Message,), export=export_messages, erase=erase_messages)
    privacy.exempt(
        ImpactAssessment,
        "the impact of a plan (an objective, an action plan) on an interested party; its "
        "generic target is a plan, never a customer",
    )
