"""Writes for customers, consent, contacts, segments and topics, and the import engine's
entry points. Keyword-only, atomic, validated; a broken rule raises ApplicationError with
a message a person can read."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from qms.exceptions import ApplicationError
from qms.services_kit import model_update
from qms.workflow import lock

from . import imports
from .models import Consent, Contact, Customer, Segment, Topic

CUSTOMER_FIELDS = (
    "kind",
    "name",
    "external_ref",
    "segment",
    "language",
    "email",
    "phone",
    "address",
    "time_zone",
    "account_owner",
    "is_active",
)
TOPIC_FIELDS = ("name", "slug", "description", "is_active")
CONTACT_FIELDS = ("name", "job_title", "email", "phone", "is_primary")


# --- Segments and topics ---------------------------------------------------------------


@transaction.atomic
def _code_from_name(model, field: str, name: str, prefix: str, max_length: int) -> str:
    """A free code made from the name ("Check-in wait" -> "check-in-wait"; a name with
    no Latin letters, e.g. Chinese, gives "topic-7"), so nobody has to invent one."""
    base = slugify(name)[: max_length - 4].strip("-") or prefix
    code, n = base, 1
    while model.objects.filter(**{field: code}).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def segment_create(*, name: str, code: str = "", description: str = "") -> Segment:
    code = code or _code_from_name(Segment, "code", name, "segment", 40)
    if Segment.objects.filter(code=code).exists():
        raise ApplicationError(_("A segment with the code “%s” already exists.") % code)
    segment = Segment(name=name, code=code, description=description)
    segment.full_clean()
    segment.save()
    return segment


@transaction.atomic
def topic_create(
    *, name: str, slug: str = "", description: str = "", is_active: bool = True
) -> Topic:
    slug = slug or _code_from_name(Topic, "slug", name, "topic", 60)
    if Topic.objects.filter(slug=slug).exists():
        raise ApplicationError(_("A topic with the code “%s” already exists.") % slug)
    topic = Topic(name=name, slug=slug, description=description, is_active=is_active)
    topic.full_clean()
    topic.save()
    return topic


@transaction.atomic
def topic_update(*, topic: Topic, **fields) -> Topic:
    topic = lock(topic)
    slug = fields.get("slug", topic.slug)
    if Topic.objects.filter(slug=slug).exclude(pk=topic.pk).exists():
        raise ApplicationError(_("A topic with the code “%s” already exists.") % slug)
    data = {name: value for name, value in fields.items() if name in TOPIC_FIELDS}
    topic, _changed = model_update(instance=topic, fields=TOPIC_FIELDS, data=data)
    return topic


# --- Customers -------------------------------------------------------------------------


def _check_external_ref(external_ref: str, exclude_pk=None) -> None:
    if not external_ref:
        return
    clash = Customer.objects.filter(external_ref=external_ref)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ApplicationError(
            _("Another customer already has the external reference “%s”.") % external_ref
        )


@transaction.atomic
def customer_create(**fields) -> Customer:
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown customer fields: {sorted(unknown)}")
    _check_external_ref(fields.get("external_ref", ""))
    customer = Customer(**fields)
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, **fields) -> Customer:
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown customer fields: {sorted(unknown)}")
    customer = lock(customer)
    _check_external_ref(fields.get("external_ref", customer.external_ref), exclude_pk=customer.pk)
    if (
        fields.get("kind", customer.kind) == Customer.Kind.PERSON
        and customer.kind == Customer.Kind.ORGANISATION
        and customer.contacts.exists()
    ):
        raise ApplicationError(
            _("This organisation has contacts; remove them before making it a person.")
        )
    customer, _changed = model_update(instance=customer, fields=CUSTOMER_FIELDS, data=fields)
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Delete a customer no record protects; a customer with tickets, purchases,
    interviews or other records (they point at it with PROTECT) is made inactive instead."""
    try:
        customer.delete()
    except ProtectedError:
        raise ApplicationError(
            _("This customer has tickets, purchases or interviews; make it inactive instead.")
        ) from None


@transaction.atomic
def consent_record(
    *,
    customer: Customer,
    channel: str,
    granted: bool,
    method: str,
    recorded_at: dt.datetime | None = None,
    note: str = "",
) -> Consent:
    """Record that the customer gave or withdrew consent on a channel. One row per
    channel holds the current state; its history keeps every earlier state."""
    if channel not in Consent.Channel.values:
        raise ApplicationError(_("“%s” is not a contact channel.") % channel)
    recorded_at = recorded_at or timezone.now()
    if recorded_at > timezone.now() + dt.timedelta(minutes=5):
        raise ApplicationError(_("Consent cannot be recorded for a time in the future."))
    consent = Consent.objects.select_for_update().filter(customer=customer, channel=channel).first()
    if consent is None:
        consent = Consent(customer=customer, channel=channel)
    consent.granted = granted
    consent.method = method
    consent.recorded_at = recorded_at
    consent.note = note
    consent.full_clean()
    consent.save()
    return consent


def _contact_for_organisation(customer: Customer) -> None:
    if customer.kind != Customer.Kind.ORGANISATION:
        raise ApplicationError(_("Only organisations have contacts; this customer is a person."))


def _only_one_primary(contact: Contact) -> None:
    if contact.is_primary:
        contact.customer.contacts.exclude(pk=contact.pk).filter(is_primary=True).update(
            is_primary=False
        )


@transaction.atomic
def contact_create(
    *,
    customer: Customer,
    name: str,
    job_title: str = "",
    email: str = "",
    phone: str = "",
    is_primary: bool = False,
) -> Contact:
    _contact_for_organisation(customer)
    contact = Contact(
        customer=customer,
        name=name,
        job_title=job_title,
        email=email,
        phone=phone,
        is_primary=is_primary,
    )
    contact.full_clean()
    contact.save()
    _only_one_primary(contact)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, **fields) -> Contact:
    data = {name: value for name, value in fields.items() if name in CONTACT_FIELDS}
    contact, _changed = model_update(instance=contact, fields=CONTACT_FIELDS, data=data)
    _only_one_primary(contact)
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    contact.delete()


# --- Imports (one engine, one rule: all-or-nothing; see customers/imports.py) ----------
# The research app imports tickets and purchases, the CRM interactions, through the same
# engine: `import_file(schema=...)` and `import_list(schema=...)`.

SCHEMAS = {
    "customers": imports.CustomerSchema,
}


def import_file(*, schema: imports.RowSchema, upload) -> imports.ImportReport:
    """Import an uploaded CSV file with `schema`."""
    return imports.run_import(schema, imports.csv_rows(upload, schema))


def import_list(*, schema: imports.RowSchema, items) -> imports.ImportReport:
    """Import a JSON list of objects from the API; same rule and report as a CSV file."""
    try:
        open_rows = imports.list_rows(items)
    except ApplicationError as exc:
        return imports.ImportReport(ok=False, file_error=str(exc))
    return imports.run_import(schema, open_rows)


def import_csv(*, kind: str, upload) -> imports.ImportReport:
    """Import an uploaded CSV file of `kind` (customers)."""
    return import_file(schema=SCHEMAS[kind](), upload=upload)


def import_items(*, kind: str, items) -> imports.ImportReport:
    """Import a JSON list of objects of `kind` (customers) from the API."""
    return import_list(schema=SCHEMAS[kind](), items=items)
