"""The customer register's part of a customer's privacy export and erasure
(qms/privacy_registry.py): the customer and its history, contacts, consents, the contact
log. Erased last: the other apps' parts run first."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from qms.privacy_registry import privacy, rows

from .models import Consent, Contact, ContactLog, Customer

CUSTOMER_FIELDS = (
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
)
PERSONAL = ("name", "external_ref", "email", "phone", "address")


def export_customer(subject):
    return rows(Customer.objects.filter(pk=subject.customer.pk), CUSTOMER_FIELDS)[0]


def export_customer_history(subject):
    return rows(
        Customer.history.filter(id=subject.customer.pk).order_by("history_date"),
        ("history_date", "history_type", *PERSONAL, "language", "is_active"),
    )


def erase_customer(subject):
    """Name → "Erased customer #id"; reference, e-mail, phone, address blanked, in the
    record and in every history row; the account owner unlinked; inactive."""
    scrub = {
        "name": subject.placeholder,
        "external_ref": "",
        "email": "",
        "phone": "",
        "address": "",
    }
    Customer.history.filter(id=subject.customer.pk).update(**scrub)
    Customer.objects.filter(pk=subject.customer.pk).update(
        **scrub, account_owner=None, is_active=False, updated_at=timezone.now()
    )


def export_contacts(subject):
    return rows(subject.customer.contacts.all(), ("name", "job_title", "email", "phone"))


def erase_contacts(subject):
    subject.customer.contacts.all().delete()


def export_consents(subject):
    return rows(
        subject.customer.consents.all(), ("channel", "granted", "recorded_at", "method", "note")
    )


def export_consent_history(subject):
    return rows(
        Consent.history.filter(customer_id=subject.customer.pk).order_by("history_date"),
        ("history_date", "channel", "granted", "recorded_at", "method", "note"),
    )


def erase_consents(subject):
    subject.customer.consents.all().delete()
    Consent.history.filter(customer_id=subject.customer.pk).delete()


def export_contact_log(subject):
    return rows(subject.customer.contact_log.all(), ("channel", "kind", "contacted_at"))


def erase_contact_log(subject):
    subject.customer.contact_log.all().delete()


def _admin_log(subject):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(subject.customer.pk),
    )


def export_admin_log(subject):
    return rows(
        _admin_log(subject), ("action_time", "action_flag", "object_repr", "change_message")
    )


def erase_admin_log(subject):
    """Django admin's log names the record as it was (its name) when it was changed."""
    _admin_log(subject).update(object_repr=subject.placeholder, change_message="")


def register():
    privacy.register(
        "customer",
        models=(Customer, Customer.history.model),
        export=export_customer,
        erase=erase_customer,
    )
    privacy.register(
        "customer_history",
        models=(Customer.history.model,),
        export=export_customer_history,
        erase=lambda subject: None,  # scrubbed with the customer
    )
    privacy.register("contacts", models=(Contact,), export=export_contacts, erase=erase_contacts)
    privacy.register("consents", models=(Consent,), export=export_consents, erase=erase_consents)
    privacy.register(
        "consent_history",
        models=(Consent.history.model,),
        export=export_consent_history,
        erase=lambda subject: None,  # deleted with the consents
    )
    privacy.register(
        "contact_log", models=(ContactLog,), export=export_contact_log, erase=erase_contact_log
    )
    privacy.register(
        "admin_log", models=(LogEntry,), export=export_admin_log, erase=erase_admin_log
    )
