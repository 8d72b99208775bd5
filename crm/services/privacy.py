"""The privacy rights: export of everything held on a customer, and erasure."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import Customer
from qms.exceptions import ApplicationError
from qms.privacy_registry import Subject, privacy
from qms.workflow import lock

from ..models import ErasureRecord

# --- Privacy: export and erasure -------------------------------------------------------
# Every app contributes its own part through the privacy registry (qms/privacy_registry.py,
# filled from each app's privacy.py); a test fails when a model that refers to a customer
# is covered by no part.


def _subject(customer: Customer) -> Subject:
    """The customer and every e-mail address and name that identifies them (theirs and
    their contacts'), read before anything is scrubbed."""
    contacts = list(customer.contacts.values_list("email", "name"))
    emails = {customer.email, *(email for email, _name in contacts)}
    names = {customer.name, *(name for _email, name in contacts)}
    return Subject(
        customer=customer,
        emails={e.strip().lower() for e in emails if e and e.strip()},
        # A name of one or two letters would match unrelated text.
        names={n.strip() for n in names if n and len(n.strip()) >= 3},
    )


def customer_export(*, customer: Customer) -> dict:
    """Everything the portal holds about one customer, as plain JSON-ready data: one
    section per registered part (the customer, contacts, consents, the timeline,
    purchases, tickets, interviews, complaints, survey responses with every answer,
    follow-up cases, e-mails sent, history rows, ...)."""
    return privacy.export(_subject(customer))


@transaction.atomic
def customer_erase(*, customer: Customer, actor, reason: str) -> ErasureRecord:
    """Erase a customer on request, in one transaction. Every registered part scrubs
    what identifies the person (name → "Erased customer #id", contact details, free
    texts and notes, history rows, e-mails sent to them; contacts, preferences and
    consents deleted) and keeps what aggregates count (scores, choices, dates, amounts,
    states), so NPS, response rates and complaint counts are unchanged and other
    customers untouched. The erasure itself is recorded."""
    if not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager erases a customer."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Record why the customer is erased (e.g. their request)."))
    customer = lock(customer)
    subject = _subject(customer)
    if customer.name == subject.placeholder:
        raise ApplicationError(_("This customer is already erased."))
    privacy.erase(subject)
    return ErasureRecord.objects.create(
        customer_id_erased=customer.pk, erased_by=actor, reason=reason
    )
