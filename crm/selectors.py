"""Reads of the CRM: Customer 360, timeline, preferences, bookings and checklists,
complaints.

Who reads: customers and their timeline are organisation-wide (like the customer
register: quality managers, viewers, department heads and staff). Complaints are
scoped: quality managers and viewers see all, heads and staff see their departments'
complaints only (404 otherwise). Bookings and checklists: all for QM/viewer, otherwise
bookings logged by or with checklist items for the user's departments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from coding import selectors as coding_selectors
from customers.models import Customer
from customers.selectors import user_can_read_customers
from qms.selectors import department_ids_for_user, scope_by_department
from requirements.models import Requirement

from .models import Booking, ChecklistItem, Complaint, Interaction, Preference

TIMELINE_PAGE_SIZE = 25


def user_can_log(user) -> bool:
    """Quality managers and department members log interactions, preferences, bookings
    and complaints; viewers only read."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_quality_manager or bool(department_ids_for_user(user))


# --- Timeline --------------------------------------------------------------------------


@dataclass
class TimelinePage:
    items: list[Interaction]
    next_cursor: str
    is_first: bool


def _cursor(item: Interaction) -> str:
    return f"{item.occurred_at.isoformat()}|{item.pk}"


def _parse_cursor(cursor: str):
    try:
        moment, pk = cursor.rsplit("|", 1)
        parsed = parse_datetime(moment)
        return (parsed, int(pk)) if parsed else None
    except (ValueError, TypeError):
        return None


def timeline_page(
    *, customer: Customer, cursor: str = "", kind: str = "", size: int = TIMELINE_PAGE_SIZE
) -> TimelinePage:
    """One page of the customer's timeline: a single query on
    `interaction_timeline_idx` (keyset: rows older than the cursor), so page 400 costs
    what page 1 costs."""
    qs = (
        Interaction.objects.filter(customer=customer)
        .select_related("department", "logged_by")
        .order_by("-occurred_at", "-id")
    )
    if kind:
        qs = qs.filter(kind=kind)
    position = _parse_cursor(cursor) if cursor else None
    if position:
        moment, pk = position
        qs = qs.filter(Q(occurred_at__lt=moment) | Q(occurred_at=moment, id__lt=pk))
    items = list(qs[: size + 1])
    more = len(items) > size
    items = items[:size]
    # The sources' details come by primary key, one query per kind of source present
    # (a 10-way join costs more to plan than to run).
    prefetch_related_objects(
        items, "purchase", "ticket__topic", "interview", "complaint__topic", "booking"
    )
    return TimelinePage(
        items=items,
        next_cursor=_cursor(items[-1]) if more and items else "",
        is_first=position is None,
    )


def interaction_list(*, user, customer: Customer | None = None, kind: str = "") -> QuerySet:
    if not user_can_read_customers(user):
        return Interaction.objects.none()
    qs = Interaction.objects.select_related("customer", "department").order_by(
        "-occurred_at", "-id"
    )
    if customer is not None:
        qs = qs.filter(customer=customer)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


# --- Preferences -----------------------------------------------------------------------


def preference_list(*, user, customer: Customer | None = None) -> QuerySet[Preference]:
    if not user_can_read_customers(user):
        return Preference.objects.none()
    qs = Preference.objects.select_related("customer", "department").order_by(
        "customer_id", "category", "value", "id"
    )
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs


def preference_get_for_user(*, user, pk) -> Preference:
    try:
        return preference_list(user=user).get(pk=pk)
    except (Preference.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Bookings and checklists -----------------------------------------------------------


def booking_list(*, user, upcoming_only: bool = True, now=None) -> QuerySet[Booking]:
    qs = Booking.objects.select_related("customer", "department").annotate(
        item_count=Count("checklist", distinct=True),
        prepared_count=Count("checklist", filter=Q(checklist__prepared_at__isnull=False)),
    )
    if upcoming_only:
        now = now or timezone.now()
        qs = qs.filter(starts_at__gte=now - dt.timedelta(days=1))
    if not user.can_view_all:
        ids = department_ids_for_user(user)
        qs = qs.filter(Q(department_id__in=ids) | Q(checklist__department_id__in=ids)).distinct()
    return qs.order_by("starts_at", "id")


def booking_get_for_user(*, user, pk) -> Booking:
    try:
        return booking_list(user=user, upcoming_only=False).get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def booking_checklist(*, booking: Booking) -> list[ChecklistItem]:
    return list(
        booking.checklist.select_related("department", "prepared_by", "preference").order_by(
            "department__code", "id"
        )
    )


def checklist_item_get_for_user(*, user, pk) -> ChecklistItem:
    qs = ChecklistItem.objects.select_related("booking", "department")
    if not user.is_quality_manager:
        qs = qs.filter(department_id__in=department_ids_for_user(user))
    try:
        return qs.get(pk=pk)
    except (ChecklistItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Complaints ------------------------------------------------------------------------


def complaint_list(
    *,
    user,
    status: str = "",
    open_only: bool = False,
    overdue: bool = False,
    customer: Customer | None = None,
    search: str = "",
) -> QuerySet[Complaint]:
    qs = Complaint.objects.select_related("customer", "topic", "department", "owner").order_by(
        "-received_at", "-id"
    )
    qs = scope_by_department(qs, user)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status=Complaint.Status.CLOSED)
    if overdue:
        qs = qs.filter(
            status__in=[s for s in Complaint.OPEN_STATUSES if s != Complaint.Status.DECIDED],
            due_at__lt=timezone.now(),
        )
    if customer is not None:
        qs = qs.filter(customer=customer)
    if search:
        qs = qs.filter(Q(reference__iexact=search) | Q(customer__name__icontains=search))
    return qs


def complaint_get_for_user(*, user, pk) -> Complaint:
    try:
        return complaint_list(user=user).get(pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Customer 360 ----------------------------------------------------------------------


def requirements_supported_by(*, customer: Customer) -> QuerySet[Requirement]:
    """Requirements whose topics this customer's evidence speaks to: the topics of their
    after-sales tickets, complaints and interview findings."""
    topic_ids = (
        Q(topics__tickets__customer=customer)
        | Q(topics__complaints__customer=customer)
        | Q(topics__findings__interview__customer=customer)
        | Q(topics__codings__text__customer=customer)
    )
    ids = Requirement.objects.filter(topic_ids).values("id")
    return (
        Requirement.objects.filter(id__in=ids)
        .exclude(status=Requirement.Status.RETIRED)
        .order_by("-importance", "title")
    )


def customer_360(*, user, customer: Customer) -> dict:
    return {
        "coded_topics": coding_selectors.customer_topics(customer=customer),
        "preferences": list(preference_list(user=user, customer=customer)),
        "open_complaints": list(complaint_list(user=user, customer=customer, open_only=True)),
        "requirements": list(requirements_supported_by(customer=customer)[:20]),
        "upcoming_bookings": list(
            Booking.objects.filter(customer=customer, starts_at__gte=timezone.now())
            .select_related("department")
            .order_by("starts_at")[:5]
        ),
    }
