"""The places' part of a customer's privacy export and erasure (qms/privacy_registry.py):
a walk-in who left contact details is a customer, and their place responses name where
and when they answered. Erasure drops held answers and contact details (the response's
own answers are satisfaction's part) and keeps place, time and state for the counts."""

from qms.privacy_registry import privacy, rows

from .models import PlaceResponse, ReceiptCode


def export_place_responses(subject):
    return rows(
        PlaceResponse.objects.filter(customer=subject.customer),
        ("place__name", "submitted_at", "state", "language"),
    )


def erase_place_responses(subject):
    PlaceResponse.objects.filter(customer=subject.customer).update(draft={}, contact={})


def export_receipts(subject):
    return rows(
        ReceiptCode.objects.filter(customer=subject.customer),
        ("collector__place__name", "order_ref", "expires_at", "used_at"),
    )


def register():
    privacy.register(
        "place_responses",
        models=(PlaceResponse,),
        export=export_place_responses,
        erase=erase_place_responses,
    )
    privacy.register(
        "place_receipt_codes",
        models=(ReceiptCode,),
        export=export_receipts,
        erase=lambda subject: None,  # a code and an order reference: nothing a person wrote
    )
