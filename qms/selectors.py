"""Reads for the organisation core, and the department-scoping helpers every app uses.

Rule (docs/architecture.md section 7.5): quality managers and viewers read everything; anyone
else reads only the departments they head or belong to. Writes are narrower: quality
managers change everything, department members (heads and staff) change only their own
departments' records, viewers change nothing (`scope_for_change`). An object outside a
user's scope is reported as missing (404), never as forbidden, so ids cannot be probed.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import (
    Department,
    ImpactAssessment,
    InterestedParty,
    ManagementReview,
    Membership,
    Message,
    PartyConflict,
    ReviewDecision,
    User,
)


def department_ids_for_user(user) -> frozenset[int]:
    """Ids of the departments the user heads or is a staff member of (cached per user
    object, so a request asks the database once)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_qms_department_ids", None)
    if cached is None:
        cached = frozenset(
            Department.objects.filter(Q(head=user) | Q(memberships__user=user))
            .values_list("id", flat=True)
            .distinct()
        )
        user._qms_department_ids = cached
    return cached


def headed_department_ids(user) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_qms_headed_ids", None)
    if cached is None:
        cached = frozenset(Department.objects.filter(head=user).values_list("id", flat=True))
        user._qms_headed_ids = cached
    return cached


def role_label(user) -> str:
    """What the header says a person is: “Quality manager”, “Read-only viewer”,
    “Head of Front desk”, “Staff, Front desk”. One query, which also fills the caches of
    `department_ids_for_user` and `headed_department_ids`."""
    from django.utils.translation import gettext as _

    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_quality_manager or user.can_view_all:
        return user.get_role_display()
    cached = getattr(user, "_qms_role_label", None)
    if cached is not None:
        return cached
    rows = list(
        Department.objects.filter(Q(head=user) | Q(memberships__user=user))
        .values_list("id", "name", "head_id")
        .order_by("name")
        .distinct()
    )
    user._qms_department_ids = frozenset(row[0] for row in rows)
    user._qms_headed_ids = frozenset(row[0] for row in rows if row[2] == user.pk)
    headed = [name for _id, name, head in rows if head == user.pk]
    staff = [name for _id, name, head in rows if head != user.pk]
    if headed:
        label = _("Head of %(departments)s") % {"departments": ", ".join(headed)}
    elif staff:
        label = _("Staff, %(departments)s") % {"departments": ", ".join(staff)}
    else:
        label = user.get_role_display()
    user._qms_role_label = label
    return label


def user_is_department_head(user) -> bool:
    return bool(headed_department_ids(user))


def scope_by_department(queryset: QuerySet, user, *, field: str = "department") -> QuerySet:
    """Limit `queryset` to rows whose `field` (a department foreign key, or a lookup path
    to one, e.g. "requirement__deployments__department") is in the user's departments."""
    if getattr(user, "can_view_all", False):
        return queryset
    ids = department_ids_for_user(user)
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": ids})


def get_in_scope_or_404(queryset: QuerySet, user, *, field: str = "department", **lookup):
    """The one object matching `lookup` inside the user's scope, or Http404."""
    try:
        return scope_by_department(queryset, user, field=field).distinct().get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def scope_for_change(queryset: QuerySet, user, *, field: str = "department") -> QuerySet:
    """Limit `queryset` to the rows the user may change: all of them for a quality
    manager, the rows whose `field` is one of the user's departments for a head or a
    staff member, none for a viewer or anyone outside every department. Pages and API
    views fetch the object to change through this (a 404 otherwise) and services check
    it again, so a new interface cannot forget the rule."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.is_quality_manager:
        return queryset
    ids = department_ids_for_user(user)
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": ids})


def get_for_change_or_404(queryset: QuerySet, user, *, field: str = "department", **lookup):
    """The one object matching `lookup` that the user may change, or Http404."""
    try:
        return scope_for_change(queryset, user, field=field).distinct().get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Departments -----------------------------------------------------------------------


def department_list(*, user, search: str = "") -> QuerySet[Department]:
    qs = (
        Department.objects.select_related("parent", "head")
        .annotate(staff_count=Count("memberships", distinct=True))
        .order_by("name", "id")
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return scope_by_department(qs, user, field="id")


def department_get_for_user(*, user, pk) -> Department:
    qs = Department.objects.select_related("parent", "head")
    return get_in_scope_or_404(qs, user, field="id", pk=pk)


def department_staff(*, department: Department) -> QuerySet[Membership]:
    return department.memberships.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__username"
    )


def department_children(*, department: Department) -> QuerySet[Department]:
    return department.children.select_related("head").order_by("name")


# --- People ----------------------------------------------------------------------------


def person_list(*, user, search: str = "", role: str = "") -> QuerySet[User]:
    """Everyone, for quality managers and viewers; callers check `can_view_all`."""
    if not getattr(user, "can_view_all", False):
        return User.objects.none()
    qs = User.objects.annotate(
        headed_count=Count("headed_departments", distinct=True),
        membership_count=Count("memberships", distinct=True),
    )
    if search:
        qs = qs.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("last_name", "first_name", "username")


def person_get_for_user(*, user, pk) -> User:
    if not getattr(user, "can_view_all", False) and str(user.pk) != str(pk):
        raise Http404
    try:
        return User.objects.get(pk=pk)
    except (User.DoesNotExist, ValueError):
        raise Http404 from None


# --- Messages --------------------------------------------------------------------------


def message_list(*, status: str = "") -> QuerySet[Message]:
    qs = Message.objects.all()
    if status:
        qs = qs.filter(status=status)
    return qs


# --- Interested parties ----------------------------------------------------------------


def party_list(*, search: str = "", category: str = "") -> QuerySet[InterestedParty]:
    qs = InterestedParty.objects.select_related("owner").annotate(
        impact_count=Count("impacts", distinct=True),
        negative_count=Count("impacts", filter=Q(impacts__impact="negative"), distinct=True),
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(needs__icontains=search))
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("category", "name", "id")


def party_get(*, pk) -> InterestedParty:
    try:
        return InterestedParty.objects.select_related("owner").get(pk=pk)
    except (InterestedParty.DoesNotExist, ValueError):
        raise Http404 from None


def party_impacts(*, party: InterestedParty) -> QuerySet[ImpactAssessment]:
    return party.impacts.select_related("target_type", "approved_by").prefetch_related("target")


def impacts_for(*, target) -> QuerySet[ImpactAssessment]:
    return ImpactAssessment.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).select_related("party", "approved_by")


def impacts_blocking(*, target) -> list[ImpactAssessment]:
    return [a for a in impacts_for(target=target).filter(impact="negative") if a.is_blocking]


def conflict_list(*, status: str = "") -> QuerySet[PartyConflict]:
    qs = PartyConflict.objects.select_related("decided_by").prefetch_related("parties")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-created_at", "-id")


def conflict_get(*, pk) -> PartyConflict:
    try:
        return (
            PartyConflict.objects.select_related("decided_by")
            .prefetch_related("parties")
            .get(pk=pk)
        )
    except (PartyConflict.DoesNotExist, ValueError):
        raise Http404 from None


# --- Management review -----------------------------------------------------------------


def review_list() -> QuerySet[ManagementReview]:
    return (
        ManagementReview.objects.select_related("chair")
        .annotate(
            decision_count=Count("decisions", distinct=True),
            open_count=Count("decisions", filter=Q(decisions__status="open"), distinct=True),
        )
        .order_by("-meeting_date", "-id")
    )


def review_get(*, pk) -> ManagementReview:
    try:
        return ManagementReview.objects.select_related("chair").get(pk=pk)
    except (ManagementReview.DoesNotExist, ValueError):
        raise Http404 from None


def review_decisions(*, review: ManagementReview) -> QuerySet[ReviewDecision]:
    return review.decisions.select_related("owner").order_by("status", "due_date", "id")


def decision_get_for_user(*, user, pk) -> ReviewDecision:
    """Owners see their own decisions; quality managers and viewers see all."""
    qs = ReviewDecision.objects.select_related("owner", "review")
    if not getattr(user, "can_view_all", False):
        qs = qs.filter(owner=user)
    try:
        return qs.get(pk=pk)
    except (ReviewDecision.DoesNotExist, ValueError):
        raise Http404 from None


def decisions_open_for_owner(*, user) -> QuerySet[ReviewDecision]:
    return (
        ReviewDecision.objects.filter(owner=user, status=ReviewDecision.Status.OPEN)
        .select_related("review")
        .order_by("due_date", "id")
    )
