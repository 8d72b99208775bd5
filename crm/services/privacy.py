"""The privacy rights: export of everything held on a customer, and erasure."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coding import services as coding_services
from customers.models import Consent, Customer
from qms.exceptions import ApplicationError
from qms.workflow import lock

from ..models import (
    ChecklistItem,
    Complaint,
    ComplaintEvent,
    ErasureRecord,
)

# --- Privacy: export and erasure -------------------------------------------------------


def _rows(qs, fields):
    return [
        {
            f: (v.isoformat() if hasattr(v, "isoformat") else v)
            for f, v in zip(fields, row, strict=True)
        }
        for row in qs.values_list(*fields)
    ]


def customer_export(*, customer: Customer) -> dict:
    """Everything the portal holds about one customer, as plain JSON-ready data."""
    from decimal import Decimal

    def clean(value):
        if isinstance(value, Decimal):
            return str(value)
        return value

    data = {
        "customer": _rows(
            Customer.objects.filter(pk=customer.pk),
            (
                "id",
                "kind",
                "name",
                "external_ref",
                "language",
                "email",
                "phone",
                "address",
                "segment__code",
                "is_active",
                "created_at",
            ),
        )[0],
        "contacts": _rows(customer.contacts.all(), ("name", "job_title", "email", "phone")),
        "consents": _rows(
            customer.consents.all(), ("channel", "granted", "recorded_at", "method", "note")
        ),
        "preferences": _rows(
            customer.preferences.all(),
            ("category", "value", "note", "source", "last_confirmed_on"),
        ),
        "interactions": _rows(
            customer.interactions.all(),
            ("kind", "channel", "occurred_at", "department__code", "summary", "external_id"),
        ),
        "purchases": _rows(
            customer.purchases.all(),
            ("external_id", "product", "quantity", "amount", "purchased_at"),
        ),
        "tickets": _rows(
            customer.tickets.all(),
            ("external_id", "product", "topic__slug", "opened_at", "closed_at", "resolution"),
        ),
        "complaints": _rows(
            customer.complaints.all(),
            (
                "reference",
                "description",
                "remedy_sought",
                "topic__slug",
                "severity",
                "status",
                "received_at",
                "decision",
                "closed_at",
            ),
        ),
        "bookings": _rows(customer.bookings.all(), ("kind", "starts_at", "note")),
        "interviews": _rows(customer.interviews.all(), ("title", "held_on", "notes")),
        "contact_log": _rows(customer.contact_log.all(), ("channel", "kind", "contacted_at")),
    }
    for section in data.values():
        for row in section if isinstance(section, list) else [section]:
            for name, value in row.items():
                row[name] = clean(value)
    return data


@transaction.atomic
def customer_erase(*, customer: Customer, actor, reason: str) -> ErasureRecord:
    """Erase a customer on request. Personal data goes (name → "Erased customer #id",
    contacts, preferences and consents deleted, e-mail/phone/address and free texts
    blanked, the customer's history rows scrubbed); purchases, tickets and complaints
    stay as anonymous records so aggregates and other customers are untouched. The
    erasure itself is recorded."""
    if not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager erases a customer."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Record why the customer is erased (e.g. their request)."))
    customer = lock(customer)
    if customer.name == f"Erased customer #{customer.pk}":
        raise ApplicationError(_("This customer is already erased."))
    placeholder = f"Erased customer #{customer.pk}"
    customer.contacts.all().delete()
    customer.preferences.all().delete()
    customer.consents.all().delete()
    customer.contact_log.all().delete()
    Consent.history.filter(customer_id=customer.pk).delete()
    customer.interactions.update(summary="", link="")
    ChecklistItem.objects.filter(booking__customer=customer).update(text="—")
    customer.bookings.update(note="")
    customer.complaints.update(description="", remedy_sought="", decision="")
    Complaint.history.filter(customer_id=customer.pk).update(
        description="", remedy_sought="", decision=""
    )
    ComplaintEvent.objects.filter(complaint__customer=customer).update(note="")
    customer.tickets.update(resolution="", description="", agent_notes="")
    coding_services.texts_erase(customer=customer)
    customer.interviews.update(notes="")
    # Old values live on in the customer's history rows: scrub them, keep the skeleton.
    Customer.history.filter(id=customer.pk).update(
        name=placeholder, external_ref="", email="", phone="", address=""
    )
    Customer.objects.filter(pk=customer.pk).update(
        name=placeholder,
        external_ref="",
        email="",
        phone="",
        address="",
        account_owner=None,
        is_active=False,
        updated_at=timezone.now(),
    )
    return ErasureRecord.objects.create(
        customer_id_erased=customer.pk, erased_by=actor, reason=reason
    )
