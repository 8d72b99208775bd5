"""Bookings and personalised service: the preparation checklist built from the
customer's preferences."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from qms.exceptions import ApplicationError
from qms.models import Department
from qms.selectors import department_ids_for_user
from qms.workflow import lock

from ..models import (
    Booking,
    ChecklistItem,
    Interaction,
)
from ._common import _check_department

# --- Bookings and personalised service -------------------------------------------------


@transaction.atomic
def booking_create(
    *,
    customer: Customer,
    kind: str,
    starts_at: dt.datetime,
    department: Department,
    note: str = "",
    actor=None,
) -> Booking:
    """Log an upcoming booking, visit or order: the customer's preferences become a
    preparation checklist, one item per preference, for the department that prepares
    it (the preference's department, else the one logging the booking)."""
    _check_department(actor=actor, department=department)
    if starts_at < timezone.now() - dt.timedelta(days=1):
        raise ApplicationError(
            _("A booking is for the future; log a past visit as an interaction.")
        )
    booking = Booking(
        customer=customer,
        kind=kind,
        starts_at=starts_at,
        department=department,
        note=note,
        created_by=actor,
    )
    booking.full_clean()
    booking.save()
    items = [
        ChecklistItem(
            booking=booking,
            preference=preference,
            department_id=preference.department_id or department.pk,
            text=f"{preference.get_category_display()}: {preference.value}"
            + (f" ({preference.note})" if preference.note else ""),
        )
        for preference in customer.preferences.order_by("category", "value")
    ]
    ChecklistItem.objects.bulk_create(items)
    Interaction.objects.create(
        customer=customer,
        kind=kind,
        channel=Interaction.Channel.IN_PERSON,
        occurred_at=starts_at,
        department=department,
        summary=note,
        logged_by=actor,
        booking=booking,
    )
    return booking


@transaction.atomic
def checklist_item_set(*, item: ChecklistItem, actor, prepared: bool = True) -> ChecklistItem:
    """Tick (or untick) a checklist item: who prepared it and when."""
    item = lock(item)
    if not actor.is_quality_manager and item.department_id not in department_ids_for_user(actor):
        raise ApplicationError(_("Only the department concerned ticks this item."))
    if prepared:
        if item.prepared_at is None:
            item.prepared_by = actor
            item.prepared_at = timezone.now()
    else:
        item.prepared_by = None
        item.prepared_at = None
    item.save(update_fields=["prepared_by", "prepared_at", "updated_at"])
    return item
