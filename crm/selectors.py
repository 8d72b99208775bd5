"""Reads of the CRM: Customer 360, timeline, preferences, bookings and checklists,
complaints.

Who reads: customers and their timeline are organisation-wide (like the customer
register: quality managers, viewers, department heads and staff); so are a customer's
preferences, which every department serving the customer reads. Who changes a
preference follows its department like every department-owned record
(`preference_changeable`): quality managers, and the members of the department that
prepares it; a preference without a department is shared, changed by any department
member unless a checklist of another department already uses it. Complaints are
scoped: quality managers and viewers see all, heads and staff see their departments'
complaints only (404 otherwise). Bookings and checklists: all for QM/viewer, otherwise
bookings logged by or with checklist items for the user's departments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from coding import selectors as coding_selectors
from customers.models import Customer
from customers.selectors import user_can_read_customers
from qms.selectors import (
    department_ids_for_user,
    get_for_change_or_404,
    scope_by_department,
)
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


def timeline_mark_openable(*, user, items: list[Interaction]) -> None:
    """Set `can_open` on each timeline item: whether the user may open the complaint or
    booking it stands for. The timeline is organisation-wide; another department's
    complaint or booking shows as a line without its details (docs/architecture.md
    section 7.5). Two queries, whatever the page size."""
    complaint_ids = {i.complaint_id for i in items if i.complaint_id}
    booking_ids = {i.booking_id for i in items if i.booking_id}
    open_complaints = set(
        complaint_list(user=user).filter(pk__in=complaint_ids).values_list("pk", flat=True)
        if complaint_ids
        else ()
    )
    open_bookings = set(
        booking_list(user=user, upcoming_only=False)
        .filter(pk__in=booking_ids)
        .values_list("pk", flat=True)
        if booking_ids
        else ()
    )
    for item in items:
        item.can_open = (
            item.complaint_id in open_complaints
            if item.complaint_id
            else item.booking_id in open_bookings
            if item.booking_id
            else True
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


def preference_changeable(*, user) -> QuerySet[Preference]:
    """The preferences `user` may edit or delete (docs/architecture.md section 7.5): all
    for a quality manager; for a department member, those of their departments, and
    the shared ones (no department) whose checklist items are all their departments'
    (deleting a preference unlinks the checklist items that hang off it); none for a
    viewer."""
    qs = Preference.objects.select_related("customer", "department")
    if getattr(user, "is_quality_manager", False):
        return qs
    ids = department_ids_for_user(user)
    if not ids:
        return qs.none()
    foreign_items = ChecklistItem.objects.filter(preference=OuterRef("pk")).exclude(
        department_id__in=ids
    )
    return qs.filter(
        Q(department_id__in=ids) | (Q(department__isnull=True) & ~Exists(foreign_items))
    )


def preference_get_for_change(*, user, pk) -> Preference:
    """The preference `user` may change, or 404 (another department's is "not found")."""
    try:
        return preference_changeable(user=user).get(pk=pk)
    except (Preference.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def preference_can_change(*, user, preference: Preference) -> bool:
    return preference_changeable(user=user).filter(pk=preference.pk).exists()


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
    """A checklist item the user may tick: quality managers any, department members
    their departments' items, viewers none (404)."""
    qs = ChecklistItem.objects.select_related("booking", "department")
    return get_for_change_or_404(qs, user, pk=pk)


# --- Complaints ------------------------------------------------------------------------


def complaint_list(
    *,
    user,
    status: str = "",
    open_only: bool = False,
    overdue: bool = False,
    customer: Customer | None = None,
    search: str = "",
    topic=None,
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
    if topic is not None:
        qs = qs.filter(topic=topic)
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
    preferences = list(preference_list(user=user, customer=customer))
    changeable = set(
        preference_changeable(user=user).filter(customer=customer).values_list("pk", flat=True)
    )
    for preference in preferences:
        preference.can_change = preference.pk in changeable
    return {
        "coded_topics": coding_selectors.customer_topics(customer=customer),
        "preferences": preferences,
        "open_complaints": list(complaint_list(user=user, customer=customer, open_only=True)),
        "requirements": list(requirements_supported_by(customer=customer)[:20]),
        # The same scope as the booking list: bookings of the user's departments or
        # with checklist items for them.
        "upcoming_bookings": list(
            booking_list(user=user, upcoming_only=False)
            .filter(customer=customer, starts_at__gte=timezone.now())
            .order_by("starts_at", "id")[:5]
        ),
    }
