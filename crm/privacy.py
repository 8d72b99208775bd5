"""The CRM's part of a customer's privacy export and erasure (qms/privacy_registry.py):
the timeline, preferences and their preparation checklists, bookings, complaints with
their history and their workflow log. Erasure blanks what a person wrote and keeps the
records, so complaint counts, response clocks and bookings stay true."""

from django.db.models import Q
from django.utils import timezone

from qms.privacy_registry import privacy, rows

from .models import Booking, ChecklistItem, Complaint, ComplaintEvent, Interaction, Preference

COMPLAINT_TEXT = ("description", "remedy_sought", "decision", "escalation_note")


def export_interactions(subject):
    return rows(
        subject.customer.interactions.all(),
        ("kind", "channel", "occurred_at", "department__code", "summary", "link", "external_id"),
    )


def erase_interactions(subject):
    subject.customer.interactions.update(summary="", link="", updated_at=timezone.now())


def export_preferences(subject):
    return rows(
        subject.customer.preferences.all(),
        ("category", "value", "note", "source", "last_confirmed_on"),
    )


def erase_preferences(subject):
    subject.customer.preferences.all().delete()


def _checklist(subject):
    customer = subject.customer
    return ChecklistItem.objects.filter(
        Q(booking__customer=customer) | Q(preference__customer=customer)
    )


def export_checklist(subject):
    return rows(
        _checklist(subject), ("booking__starts_at", "department__code", "text", "prepared_at")
    )


def erase_checklist(subject):
    _checklist(subject).update(text="—", updated_at=timezone.now())


def export_bookings(subject):
    return rows(subject.customer.bookings.all(), ("kind", "starts_at", "note"))


def erase_bookings(subject):
    subject.customer.bookings.update(note="", updated_at=timezone.now())


def export_complaints(subject):
    return rows(
        subject.customer.complaints.all(),
        (
            "reference",
            "description",
            "remedy_sought",
            "topic__slug",
            "severity",
            "status",
            "received_at",
            "decision",
            "escalation_note",
            "closed_at",
        ),
    )


def export_complaint_history(subject):
    return rows(
        Complaint.history.filter(customer_id=subject.customer.pk).order_by("history_date"),
        ("history_date", "reference", "status", *COMPLAINT_TEXT),
    )


def erase_complaints(subject):
    blank = dict.fromkeys(COMPLAINT_TEXT, "")
    subject.customer.complaints.update(**blank, updated_at=timezone.now())
    Complaint.history.filter(customer_id=subject.customer.pk).update(**blank)


def export_complaint_events(subject):
    return rows(
        ComplaintEvent.objects.filter(complaint__customer=subject.customer),
        ("complaint__reference", "from_status", "to_status", "note", "created_at"),
    )


def erase_complaint_events(subject):
    ComplaintEvent.objects.filter(complaint__customer=subject.customer).update(
        note="", updated_at=timezone.now()
    )


def register():
    privacy.register(
        "interactions", models=(Interaction,), export=export_interactions, erase=erase_interactions
    )
    privacy.register(
        "preferences", models=(Preference,), export=export_preferences, erase=erase_preferences
    )
    privacy.register("bookings", models=(Booking,), export=export_bookings, erase=erase_bookings)
    # After bookings and preferences in the registry, so it is erased before them (the
    # preferences' checklist items would otherwise lose the link to the customer).
    privacy.register(
        "checklist_items", models=(ChecklistItem,), export=export_checklist, erase=erase_checklist
    )
    privacy.register(
        "complaints", models=(Complaint,), export=export_complaints, erase=erase_complaints
    )
    privacy.register(
        "complaint_history",
        models=(Complaint.history.model,),
        export=export_complaint_history,
        erase=lambda subject: None,  # scrubbed with the complaints
    )
    privacy.register(
        "complaint_events",
        models=(ComplaintEvent,),
        export=export_complaint_events,
        erase=erase_complaint_events,
    )
