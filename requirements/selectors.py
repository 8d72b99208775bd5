"""Reads for the requirements register and its deployment to departments.

Scoping (ARCHITECTURE.md §7.5): quality managers and viewers read everything. Anyone
else reads only deployments to the departments they head or belong to, and only once the
requirement is deployed; a requirement is visible to them when it is deployed to one of
their departments. Out-of-scope objects are 404.
"""

from __future__ import annotations

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from coding import selectors as coding_selectors
from qms.models import Department, Membership
from qms.selectors import (  # noqa: F401 - headed_department_ids re-exported for the API
    department_ids_for_user,
    get_for_change_or_404,
    get_in_scope_or_404,
    headed_department_ids,
    scope_by_department,
)

from .models import (
    BriefRead,
    DecisionCitation,
    Deployment,
    Requirement,
    RequirementReview,
    RequirementTransition,
)


def _count(queryset) -> Subquery:
    """A correlated COUNT(*) subquery (no join fan-out in the outer query)."""
    return Coalesce(
        Subquery(
            queryset.order_by().annotate(c=Func(F("pk"), function="COUNT")).values("c")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def staff_count_expression(department_ref: str = "department") -> Subquery:
    return _count(Membership.objects.filter(department=OuterRef(department_ref)))


def read_count_expression() -> Subquery:
    """Reads of the deployment's current revision by current staff of its department."""
    return _count(
        BriefRead.objects.filter(
            deployment=OuterRef("pk"),
            revision=OuterRef("requirement__revision"),
            user__memberships__department=OuterRef("department"),
        )
    )


# --- Requirements ----------------------------------------------------------------------


def _visible_requirements(user) -> QuerySet[Requirement]:
    qs = Requirement.objects.all()
    if getattr(user, "can_view_all", False):
        return qs
    ids = department_ids_for_user(user)
    if not ids:
        return qs.none()
    return qs.filter(
        status=Requirement.Status.DEPLOYED,
        pk__in=Deployment.objects.filter(department_id__in=ids).values("requirement_id"),
    )


def requirement_list(
    *,
    user,
    search: str = "",
    kind: str = "",
    status: str = "",
    segment=None,
    topic=None,
    department=None,
) -> QuerySet[Requirement]:
    """The register, with deployment and acknowledgement counts annotated."""
    qs = _visible_requirements(user).select_related("segment", "owner")
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(description__icontains=search)
            | Q(acceptance_criterion__icontains=search)
            | Q(reference__icontains=search)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if segment is not None:
        qs = qs.filter(segment=segment)
    if topic is not None:
        qs = qs.filter(
            Exists(
                Requirement.topics.through.objects.filter(
                    requirement_id=OuterRef("pk"), topic_id=getattr(topic, "pk", topic)
                )
            )
        )
    if department is not None:
        qs = qs.filter(
            Exists(
                Deployment.objects.filter(
                    requirement_id=OuterRef("pk"),
                    department_id=getattr(department, "pk", department),
                )
            )
        )
    deployments = Deployment.objects.filter(requirement_id=OuterRef("pk"))
    return qs.annotate(
        deployment_count=_count(deployments),
        acknowledged_count=_count(deployments.filter(acknowledged_revision=OuterRef("revision"))),
    ).order_by("-importance", "title", "id")


def requirement_get_for_user(*, user, pk) -> Requirement:
    try:
        return (
            _visible_requirements(user)
            .select_related("segment", "owner")
            .prefetch_related("topics")
            .get(pk=pk)
        )
    except (Requirement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def requirement_export_rows(qs: QuerySet[Requirement], *, chunk_size: int = 1000):
    """Rows for the CSV export, streamed in chunks: plain values (no model instances),
    with the chunk's topics and departments fetched in one query each."""
    kinds = {k: str(v) for k, v in Requirement.Kind.choices}
    statuses = {k: str(v) for k, v in Requirement.Status.choices}
    importance = {k: str(v) for k, v in Requirement.Importance.choices}
    kano = {k: str(v) for k, v in Requirement.Kano.choices}
    rows = qs.values_list(
        "pk",
        "title",
        "kind",
        "status",
        "segment__name",
        "importance",
        "acceptance_criterion",
        "reference",
        "owner__username",
        "revision",
        "acknowledged_count",
        "deployment_count",
    ).iterator(chunk_size=chunk_size)
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from _export_chunk(chunk, kinds, statuses, importance, kano)
            chunk = []
    if chunk:
        yield from _export_chunk(chunk, kinds, statuses, importance, kano)


def _export_chunk(chunk, kinds, statuses, importance, kano):
    ids = [row[0] for row in chunk]
    topics: dict[int, list[str]] = {}
    for requirement_id, name in (
        Requirement.topics.through.objects.filter(requirement_id__in=ids)
        .order_by("topic__name")
        .values_list("requirement_id", "topic__name")
    ):
        topics.setdefault(requirement_id, []).append(name)
    departments: dict[int, list[str]] = {}
    for requirement_id, code in (
        Deployment.objects.filter(requirement_id__in=ids)
        .order_by("department__code")
        .values_list("requirement_id", "department__code")
    ):
        departments.setdefault(requirement_id, []).append(code)
    for (pk, title, kind, status, segment, imp, criterion, reference, owner, revision,
         acknowledged, deployed) in chunk:  # fmt: skip
        yield (
            pk,
            title,
            kinds.get(kind, kind),
            kano[Requirement.KANO_BY_KIND[kind]],
            statuses.get(status, status),
            segment or "",
            importance.get(imp, imp),
            criterion,
            reference,
            owner or "",
            revision,
            "; ".join(topics.get(pk, [])),
            "; ".join(departments.get(pk, [])),
            acknowledged,
            deployed,
        )


def requirement_latest_review(*, requirement: Requirement) -> RequirementReview | None:
    return requirement.reviews.select_related("reviewed_by").first()


def requirement_reviews(*, requirement: Requirement) -> QuerySet[RequirementReview]:
    return requirement.reviews.select_related("reviewed_by")


def requirement_transitions(*, requirement: Requirement) -> QuerySet[RequirementTransition]:
    return requirement.transitions.select_related("actor")


def requirement_findings(*, requirement: Requirement):
    """Interview findings coded to this requirement, if the interviews feature is
    installed (a relation named "findings"); an empty list otherwise."""
    related = {rel.get_accessor_name() for rel in Requirement._meta.related_objects}
    if "findings" not in related:
        return []
    return list(requirement.findings.all()[:50])


# --- Deployments -----------------------------------------------------------------------


def _deployment_base(user) -> QuerySet[Deployment]:
    qs = Deployment.objects.select_related(
        "requirement", "requirement__segment", "department", "department__head", "acknowledged_by"
    )
    if not getattr(user, "can_view_all", False):
        qs = qs.filter(requirement__status=Requirement.Status.DEPLOYED)
    return scope_by_department(qs, user, field="department")


def deployment_list(
    *, user, department=None, requirement=None, search: str = "", pending: bool = False
) -> QuerySet[Deployment]:
    """Deployments in the user's scope, with coverage counts and the user's own read of
    the current revision annotated (`read_by_me`)."""
    qs = _deployment_base(user)
    if department is not None:
        qs = qs.filter(department=department)
    if requirement is not None:
        qs = qs.filter(requirement=requirement)
    if search:
        qs = qs.filter(Q(requirement__title__icontains=search) | Q(commitment__icontains=search))
    if pending:
        qs = qs.exclude(acknowledged_revision=F("requirement__revision"))
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    return qs.annotate(
        read_count=read_count_expression(),
        staff_count=staff_count_expression(),
        read_by_me=Exists(
            BriefRead.objects.filter(
                deployment=OuterRef("pk"),
                revision=OuterRef("requirement__revision"),
                user_id=user_id,
            )
        ),
    ).order_by("-requirement__importance", "requirement__title", "department__name", "id")


def brief_list(*, user) -> QuerySet[Deployment]:
    """ "Our customers' needs": deployed needs of the departments the user heads or
    belongs to (for everyone, including quality managers, only their own departments)."""
    ids = department_ids_for_user(user)
    qs = deployment_list(user=user).filter(
        department_id__in=ids, requirement__status=Requirement.Status.DEPLOYED
    )
    return qs


def deployment_get_for_user(*, user, pk) -> Deployment:
    deployment = get_in_scope_or_404(_deployment_base(user), user, field="department", pk=pk)
    return deployment


def deployment_get_for_change(*, user, pk) -> Deployment:
    """A deployment the user may act on (acknowledge, mark read): of one of their own
    departments, or any for a quality manager; 404 otherwise, viewers included."""
    return get_for_change_or_404(_deployment_base(user), user, field="department", pk=pk)


def deployment_with_counts(*, user, pk) -> Deployment:
    try:
        return deployment_list(user=user).get(pk=pk)
    except (Deployment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def deployment_staff_reads(*, deployment: Deployment) -> list[tuple]:
    """(staff member, read_at or None) for the current revision, staff by name."""
    reads = dict(
        BriefRead.objects.filter(
            deployment=deployment, revision=deployment.requirement.revision
        ).values_list("user_id", "created_at")
    )
    members = (
        Membership.objects.filter(department_id=deployment.department_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    return [(m.user, reads.get(m.user_id)) for m in members]


# --- Coverage --------------------------------------------------------------------------


def department_coverage_list(*, user) -> QuerySet[Department]:
    """Per department in scope: deployed needs, acknowledged (current revision) and staff.
    Reads are added per page by `department_attach_read_counts` (one grouped query)."""
    qs = Department.objects.all()
    if not getattr(user, "can_view_all", False):
        qs = qs.filter(pk__in=department_ids_for_user(user))
    live = Deployment.objects.filter(
        department_id=OuterRef("pk"), requirement__status=Requirement.Status.DEPLOYED
    )
    return (
        qs.select_related("head")
        .annotate(
            need_count=_count(live),
            acknowledged_count=_count(
                live.filter(acknowledged_revision=F("requirement__revision"))
            ),
            staff_count=staff_count_expression("pk"),
        )
        .order_by("name", "id")
    )


def department_attach_read_counts(departments) -> None:
    """Set `read_count` (reads of the current revision of deployed needs, by current staff
    of the department) and `possible_reads` (needs × staff) on each department, with one
    grouped aggregate query for the whole page."""
    departments = list(departments)
    counts = dict(
        BriefRead.objects.filter(
            deployment__department_id__in=[d.pk for d in departments],
            deployment__requirement__status=Requirement.Status.DEPLOYED,
            revision=F("deployment__requirement__revision"),
            user__memberships__department_id=F("deployment__department_id"),
        )
        .values("deployment__department_id")
        .annotate(n=Count("id"))
        .values_list("deployment__department_id", "n")
    )
    for department in departments:
        department.read_count = counts.get(department.pk, 0)
        department.possible_reads = department.need_count * department.staff_count


def department_coverage_get(*, user, pk) -> Department:
    try:
        department = department_coverage_list(user=user).get(pk=pk)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    department_attach_read_counts([department])
    return department


def requirement_coverage(*, requirement: Requirement, user) -> QuerySet[Deployment]:
    """The requirement's deployments in the user's scope, with read coverage."""
    return deployment_list(user=user, requirement=requirement)


def is_department_member(*, user, department_id: int) -> bool:
    return Membership.objects.filter(user_id=user.pk, department_id=department_id).exists()


def member_department_ids(*, user) -> frozenset[int]:
    """Departments the user is a staff member of (not merely the head of)."""
    return frozenset(
        Membership.objects.filter(user_id=user.pk).values_list("department_id", flat=True)
    )


def requirement_coded_evidence(*, requirement: Requirement) -> dict:
    """The coded texts behind the requirement's topics: per topic and in total, by source
    ("84 tickets and 12 comments")."""
    topics = list(requirement.topics.all())
    counts = coding_selectors.topic_evidence(topics=[t.pk for t in topics])
    rows = []
    total: dict[str, int] = {}
    for topic in topics:
        by_kind = counts.get(topic.pk, {})
        if not by_kind:
            continue
        rows.append((topic, coding_selectors.evidence_phrase(by_kind)))
        for kind, n in by_kind.items():
            total[kind] = total.get(kind, 0) + n
    return {"rows": rows, "total": coding_selectors.evidence_phrase(total) if total else ""}


# --- Management review decisions citing a requirement (traceability, issue 21) ----------


def requirement_decisions(*, requirement: Requirement) -> list[DecisionCitation]:
    """The review decisions citing the requirement, with their review and owner: one
    query. Decisions are organisation records; every signed-in reader of the requirement
    sees them (department people see their own needs' decisions)."""
    return list(
        DecisionCitation.objects.filter(requirement=requirement)
        .select_related("decision__review", "decision__owner")
        .order_by("-decision__review__meeting_date", "decision_id")
    )


def citations_for_decisions(*, decision_ids) -> dict[int, list[Requirement]]:
    """{decision id: [requirements it cites]} in one query (the review page)."""
    found: dict[int, list[Requirement]] = {}
    rows = (
        DecisionCitation.objects.filter(decision_id__in=list(decision_ids))
        .select_related("requirement")
        .order_by("requirement__title", "requirement_id")
    )
    for row in rows:
        found.setdefault(row.decision_id, []).append(row.requirement)
    return found


def citable_requirements() -> QuerySet[Requirement]:
    """The needs a decision may cite: every requirement not retired, by title."""
    return Requirement.objects.exclude(status=Requirement.Status.RETIRED).order_by("title", "id")


def requirements_for_topics(*, topic_ids, user=None) -> dict[int, list[Requirement]]:
    """{topic id: [requirements tagged with it]} in one query: the needs a record on a
    topic (an action, a wave's driver, a complaint) concerns; with `user`, only those the
    user may open."""
    found: dict[int, list[Requirement]] = {}
    through = Requirement.topics.through.objects.filter(topic_id__in=list(topic_ids))
    if user is not None:
        through = through.filter(requirement__in=_visible_requirements(user))
    rows = through.select_related("requirement").order_by("requirement__title", "requirement_id")
    for row in rows:
        found.setdefault(row.topic_id, []).append(row.requirement)
    return found


def requirements_concerned(*, topic_ids, user) -> list[Requirement]:
    """The needs tagged with any of the topics that the user may open, once each, by
    title (one query)."""
    seen: dict[int, Requirement] = {}
    for requirements in requirements_for_topics(topic_ids=topic_ids, user=user).values():
        for requirement in requirements:
            seen.setdefault(requirement.pk, requirement)
    return sorted(seen.values(), key=lambda r: (r.title.lower(), r.pk))
