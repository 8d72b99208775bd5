"""The department's open corrective actions and measures, on its head's home page."""

from qms.selectors import headed_department_ids

from .models import CorrectiveAction, Measure
from .selectors import OPEN_STATES

PANEL_LIMIT = 10


def department_actions_panel(user):
    headed = headed_department_ids(user)
    if not headed:
        return None
    actions = list(
        CorrectiveAction.objects.filter(department_id__in=headed, status__in=OPEN_STATES)
        .select_related("owner", "department")
        .order_by("due_date", "id")[:PANEL_LIMIT]
    )
    measures = list(
        Measure.objects.filter(department_id__in=headed)
        .exclude(status=Measure.Status.DONE)
        .exclude(action__status__in=CorrectiveAction.TERMINAL)
        .select_related("action", "owner")
        .order_by("due_date", "id")[:PANEL_LIMIT]
    )
    if not actions and not measures:
        return None
    return {"actions": actions, "measures": measures}


def register():
    from qms.dashboard import panel_registry

    register_record_panels()
    register_evidence()
    panel_registry.add(
        key="department-actions",
        template="actions/partials/panel_department.html",
        context=department_actions_panel,
        order=40,
    )


TRACE_LIMIT = 50


def requirement_actions_panel(obj, user):
    """On a requirement's page and trace: the corrective actions on its topics, with
    their effectiveness verdict (what was measured, by whom, when). Two queries."""
    from requirements.models import Requirement

    from .selectors import scope_actions

    if not isinstance(obj, Requirement):
        return None
    ids = [t.pk for t in obj.topics.all()]
    actions = []
    if ids:
        actions = list(
            scope_actions(
                CorrectiveAction.objects.filter(topic_id__in=ids).select_related(
                    "department", "owner", "topic", "verified_by"
                ),
                user,
            )
            .prefetch_related("criteria")
            .order_by("-created_at", "-id")[:TRACE_LIMIT]
        )
    return {"requirement": obj, "actions": actions, "topic_ids": ids, "user": user}


def register_record_panels():
    """The actions opened from a wave, a follow-up case or an objective appear on that
    record's page (the source apps render `{% record_panels obj %}`)."""
    from qms.dashboard import record_panels

    from .templatetags.actions_tags import actions_panel_context

    record_panels.add(
        key="requirement-actions",
        template="actions/partials/requirement_actions.html",
        context=requirement_actions_panel,
        order=50,
    )
    record_panels.add(
        key="corrective-actions",
        template="actions/partials/actions_for.html",
        context=actions_panel_context,
    )


# --- Evidence by clause (qms.evidence) ---------------------------------------------------


def _action_row(action):
    from django.urls import reverse

    from qms.evidence import EvidenceRow, date

    return EvidenceRow(
        cells=[
            action.reference,
            action.title,
            action.topic.name if action.topic_id else "",
            action.department.name,
            str(action.owner),
            action.get_status_display(),
            action.get_verdict_display(),
            str(action.verified_by or ""),
            date(action.verified_at),
            date(action.closed_at),
        ],
        url=reverse("actions:action-detail", args=[action.pk]),
    )


def _action_columns():
    from django.utils.translation import gettext as _

    return [
        _("Reference"),
        _("Title"),
        _("Topic"),
        _("Department"),
        _("Owner"),
        _("Status"),
        _("Effectiveness verdict"),
        _("Verified by"),
        _("Verified"),
        _("Finished"),
    ]


def actions_evidence(period, limit):
    """10.2: corrective actions opened or finished in the period, with their verdicts."""
    from django.db.models import Q
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceTable, day_bounds, page

    start, end = day_bounds(period)
    qs = (
        CorrectiveAction.objects.filter(
            Q(created_at__gte=start, created_at__lt=end)
            | Q(closed_at__gte=start, closed_at__lt=end)
        )
        .select_related("topic", "department", "owner", "verified_by")
        .order_by("created_at", "id")
    )
    return EvidenceTable(
        key="corrective-actions",
        clause="10.2",
        title=_("Corrective actions opened or finished in the period"),
        columns=_action_columns(),
        rows=[_action_row(a) for a in page(qs, limit)],
        count=qs.count(),
        list_url=reverse("actions:board"),
    )


def unverified_actions_evidence(period, limit):
    """10.2 gap: actions finished in the period without a verified effect: cancelled or
    closed as "no action needed", or closed without a passed check verified by someone."""
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceTable, day_bounds, page

    start, end = day_bounds(period)
    S = CorrectiveAction.Status
    qs = (
        CorrectiveAction.objects.filter(
            status__in=CorrectiveAction.TERMINAL, closed_at__gte=start, closed_at__lt=end
        )
        .exclude(
            Q(status=S.CLOSED)
            & Q(verdict=CorrectiveAction.Verdict.PASS)
            & Q(verified_by__isnull=False)
        )
        .filter(duplicate_of__isnull=True)
        .select_related("topic", "department", "owner", "verified_by")
        .order_by("closed_at", "id")
    )
    return EvidenceTable(
        key="actions-without-verified-effect",
        clause="10.2",
        title=_("Gap: actions finished without a verified effect"),
        columns=_action_columns(),
        rows=[_action_row(a) for a in page(qs, limit)],
        count=qs.count(),
        gap=True,
    )


def overdue_actions_evidence(period, limit):
    """10.2 gap: actions still waiting on people after their original due date."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceTable, page

    qs = (
        CorrectiveAction.objects.filter(
            status__in=CorrectiveAction.ESCALATING,
            due_date__lt=min(period.end, timezone.localdate()),
        )
        .select_related("topic", "department", "owner", "verified_by")
        .order_by("due_date", "id")
    )
    return EvidenceTable(
        key="overdue-actions",
        clause="10.2",
        title=_("Gap: corrective actions overdue"),
        columns=_action_columns(),
        rows=[_action_row(a) for a in page(qs, limit)],
        count=qs.count(),
        gap=True,
        list_url=reverse("actions:board") + "?overdue=on",
    )


def register_evidence():
    from qms.evidence import evidence

    evidence.add(key="corrective-actions", clause="10.2", compute=actions_evidence, order=10)
    evidence.add(
        key="actions-without-verified-effect",
        clause="10.2",
        compute=unverified_actions_evidence,
        order=80,
    )
    evidence.add(key="overdue-actions", clause="10.2", compute=overdue_actions_evidence, order=90)
