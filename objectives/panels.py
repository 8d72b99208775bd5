"""The objectives panel on department members' home pages (qms.dashboard.panel_registry)."""

from django.utils import timezone

from qms.selectors import department_ids_for_user

from .selectors import decorate_my_objectives, my_objectives

PANEL_LIMIT = 8


def my_objectives_panel(user):
    """The department's objectives with health and check-ins due; hidden for people
    without a department (quality managers see the dashboard instead)."""
    if not department_ids_for_user(user):
        return None
    objectives = decorate_my_objectives(my_objectives(user=user)[:PANEL_LIMIT], user=user)
    if not objectives:
        return None
    today = timezone.localdate()
    for objective in objectives:
        objective.checkin_due = bool(objective.checkin_due_on and objective.checkin_due_on <= today)
    return {"objectives": objectives, "due_count": sum(o.checkin_due for o in objectives)}


TRACE_LIMIT = 50


def requirement_objectives_panel(obj, user):
    """On a requirement's page and trace: the objectives serving the need (organisation
    objectives naming it and the department objectives aligned under them), each with its
    health, progress and key results' latest values. Three queries whatever the size."""
    from django.db.models import Q

    from requirements.models import Requirement

    from .selectors import attach_progress, objective_queryset, objective_scope

    if not isinstance(obj, Requirement):
        return None
    qs = objective_scope(
        objective_queryset().filter(Q(requirements=obj) | Q(parent__requirements=obj)), user
    )
    objectives = list(qs.distinct().order_by("-period_start", "level", "title", "id")[:TRACE_LIMIT])
    attach_progress(objectives)
    return {"requirement": obj, "objectives": objectives, "user": user}


def register():
    from qms.dashboard import panel_registry, record_panels

    register_evidence()
    record_panels.add(
        key="requirement-objectives",
        template="objectives/partials/requirement_objectives.html",
        context=requirement_objectives_panel,
        order=20,
    )

    panel_registry.add(
        key="objectives",
        template="objectives/partials/panel_my_objectives.html",
        context=my_objectives_panel,
        order=20,
    )


# --- Evidence by clause (qms.evidence) ---------------------------------------------------


def _overlapping(period):
    from .models import Objective

    return Objective.objects.filter(period_start__lte=period.end, period_end__gte=period.start)


def objectives_evidence(period, limit):
    """6.2: the quality objectives of the period, with owner, health and progress (the
    key results prefetched: two queries for the rows, one count)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, date, page

    from .selectors import _key_results_prefetch, attach_progress

    qs = (
        _overlapping(period)
        .select_related("department", "owner")
        .prefetch_related(_key_results_prefetch())
        .order_by("level", "department__name", "title", "id")
    )
    from .templatetags.objectives_tags import _health_labels

    labels = _health_labels()
    objectives = page(qs, limit)
    attach_progress(objectives)
    rows = [
        EvidenceRow(
            cells=[
                o.title,
                o.period_label,
                o.department.name if o.department_id else _("Organisation"),
                str(o.owner),
                "" if o.progress is None else f"{o.progress:.0f} %",
                str(labels.get(o.health, ("", ""))[0]),
                date(o.last_checkin_at),
            ],
            url=reverse("objectives:objective-detail", args=[o.pk]),
        )
        for o in objectives
    ]
    return EvidenceTable(
        key="objectives",
        clause="6.2",
        title=_("Quality objectives of the period"),
        columns=[
            _("Objective"),
            _("Period"),
            _("Department"),
            _("Owner"),
            _("Progress"),
            _("Health"),
            _("Last check-in"),
        ],
        rows=rows,
        count=qs.count(),
        list_url=reverse("objectives:cascade"),
    )


def unserved_requirements_evidence(period, limit):
    """6.2 gap: accepted or deployed customer needs that no objective of the period
    serves (directly, or through the organisation objective a department objective is
    aligned to)."""
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, page
    from requirements.models import Requirement

    served = _overlapping(period).filter(requirements__isnull=False).values("requirements")
    qs = (
        Requirement.objects.filter(
            status__in=[Requirement.Status.ACCEPTED, Requirement.Status.DEPLOYED]
        )
        .exclude(Q(pk__in=served))
        .select_related("owner")
        .order_by("-importance", "title", "id")
    )
    from django.urls import reverse

    rows = [
        EvidenceRow(
            cells=[r.title, r.get_status_display(), r.get_importance_display(), str(r.owner or "")],
            url=reverse("requirements:requirement-detail", args=[r.pk]),
        )
        for r in page(qs, limit)
    ]
    return EvidenceTable(
        key="requirements-without-objectives",
        clause="6.2",
        title=_("Gap: customer needs without an objective in the period"),
        columns=[_("Requirement"), _("Status"), _("Importance"), _("Owner")],
        rows=rows,
        count=qs.count(),
        gap=True,
        list_url=reverse("objectives:alignment"),
    )


def objectives_without_checkins_evidence(period, limit):
    """6.2 gap: active objectives of the period with no check-in during the period."""
    from django.db.models import Exists, OuterRef
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, day_bounds, page

    from .models import CheckIn, Objective

    start, end = day_bounds(period)
    checked = CheckIn.objects.filter(
        key_result__objective=OuterRef("pk"), at__gte=start, at__lt=end
    )
    qs = (
        _overlapping(period)
        .filter(status=Objective.Status.ACTIVE)
        .exclude(Exists(checked))
        .select_related("department", "owner")
        .order_by("department__name", "title", "id")
    )
    rows = [
        EvidenceRow(
            cells=[
                o.title,
                o.department.name if o.department_id else _("Organisation"),
                str(o.owner),
                o.get_checkin_interval_display(),
            ],
            url=reverse("objectives:objective-detail", args=[o.pk]),
        )
        for o in page(qs, limit)
    ]
    return EvidenceTable(
        key="objectives-without-checkins",
        clause="6.2",
        title=_("Gap: objectives without a check-in in the period"),
        columns=[_("Objective"), _("Department"), _("Owner"), _("Check-in interval")],
        rows=rows,
        count=qs.count(),
        gap=True,
    )


def customer_objectives_evidence(period, limit):
    """5.1.2: organisation objectives naming the customer needs they serve."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, page

    from .models import Objective

    qs = (
        _overlapping(period)
        .filter(level=Objective.Level.ORGANISATION, requirements__isnull=False)
        .distinct()
        .select_related("owner")
        .prefetch_related("requirements")
        .order_by("title", "id")
    )
    rows = [
        EvidenceRow(
            cells=[
                o.title,
                str(o.owner),
                "; ".join(sorted(r.title for r in o.requirements.all())),
            ],
            url=reverse("objectives:objective-detail", args=[o.pk]),
        )
        for o in page(qs, limit)
    ]
    return EvidenceTable(
        key="customer-objectives",
        clause="5.1.2",
        title=_("Organisation objectives committed to customer needs"),
        columns=[_("Objective"), _("Owner"), _("Customer needs served")],
        rows=rows,
        count=qs.count(),
    )


def register_evidence():
    from qms.evidence import evidence

    evidence.add(
        key="customer-objectives", clause="5.1.2", compute=customer_objectives_evidence, order=20
    )
    evidence.add(key="objectives", clause="6.2", compute=objectives_evidence, order=10)
    evidence.add(
        key="requirements-without-objectives",
        clause="6.2",
        compute=unserved_requirements_evidence,
        order=80,
    )
    evidence.add(
        key="objectives-without-checkins",
        clause="6.2",
        compute=objectives_without_checkins_evidence,
        order=90,
    )
