"""Traceability blocks (issue 21): on a requirement's page and trace, the survey
questions and driver topics that measure the need with their latest figures; on a wave's
page, the customer needs its driver questions measure. The requirements app renders
`{% record_panels %}` and does not import this app."""

from __future__ import annotations

SURVEY_LIMIT = 5
QUARTERS = 4


def _quarters(count: int = QUARTERS):
    from qms.registry import Period

    period = Period.current_quarter()
    found = [period]
    for _ in range(count - 1):
        period = period.previous()
        found.append(period)
    return list(reversed(found))


def measuring_questions(*, topic_ids) -> list[dict]:
    """The driver questions whose choices map to the topics, grouped by survey (one
    query): [{"survey", "questions": [question], "topics": [topic]}]."""
    from surveys.models import Choice, Question

    by_survey: dict[int, dict] = {}
    choices = (
        Choice.objects.filter(topic_id__in=list(topic_ids), question__kind=Question.Kind.DRIVER)
        .select_related("question__version__survey", "topic")
        .order_by("question__version__survey__title", "-question__version_id", "question_id")
    )
    for choice in choices:
        survey = choice.question.version.survey
        entry = by_survey.setdefault(
            survey.pk, {"survey": survey, "questions": {}, "topics": {}, "versions": set()}
        )
        # The newest version's wording of each question code.
        entry["questions"].setdefault(choice.question.code, choice.question)
        entry["topics"].setdefault(choice.topic_id, choice.topic)
    return [
        {
            "survey": e["survey"],
            "questions": list(e["questions"].values()),
            "topics": list(e["topics"].values()),
        }
        for e in by_survey.values()
    ]


def survey_figures(*, survey, topics, quarters) -> list[dict]:
    """NPS, CSAT and each topic's driver share per quarter for one survey: a fixed
    number of queries per quarter (the scores in one pass, the drivers in one)."""
    from qms.registry import batch, registry

    from .analysis import driver_shares

    rows = []
    with batch():
        for quarter in quarters:
            nps = registry.compute("nps", period=quarter, survey=survey.pk)
            csat = registry.compute("csat", period=quarter, survey=survey.pk)
            base, drivers = driver_shares(period=quarter, survey=survey.pk)
            by_topic = {d["topic"]: d for d in drivers if d.get("topic")}
            shares = []
            for topic in topics:
                row = by_topic.get(topic.slug)
                shares.append((topic, row["share"] if row and base else (0.0 if base else None)))
            rows.append(
                {
                    "period": quarter,
                    "nps": nps,
                    "csat": csat,
                    "base": base,
                    "shares": shares,
                }
            )
    return rows


def requirement_measurement_panel(obj, user):
    from requirements.models import Requirement

    if not isinstance(obj, Requirement):
        return None
    topic_ids = [t.pk for t in obj.topics.all()]
    surveys = measuring_questions(topic_ids=topic_ids)[:SURVEY_LIMIT] if topic_ids else []
    quarters = _quarters()
    for entry in surveys:
        entry["figures"] = survey_figures(
            survey=entry["survey"], topics=entry["topics"], quarters=quarters
        )
        entry["latest"] = next(
            (row for row in reversed(entry["figures"]) if row["base"] or row["nps"].n), None
        )
    return {
        "requirement": obj,
        "surveys": surveys,
        "user": user,
        "can_read_surveys": bool(getattr(user, "can_view_all", False)),
    }


def wave_needs_panel(obj, user):
    """On a wave's page: the customer needs its driver questions measure."""
    from requirements.selectors import requirements_concerned
    from surveys.models import Choice, Question

    from .models import Wave

    if not isinstance(obj, Wave):
        return None
    topic_ids = set(
        Choice.objects.filter(
            question__version_id=obj.survey_version_id,
            question__kind=Question.Kind.DRIVER,
            topic__isnull=False,
        ).values_list("topic_id", flat=True)
    )
    return {
        "needs": requirements_concerned(topic_ids=topic_ids, user=user) if topic_ids else [],
        "heading_id": "wave-needs-heading",
        "intro": "wave",
    }


def register():
    from qms.dashboard import record_panels

    register_evidence()
    record_panels.add(
        key="requirement-measurements",
        template="satisfaction/partials/requirement_measurements.html",
        context=requirement_measurement_panel,
        order=30,
    )
    record_panels.add(
        key="wave-needs",
        template="requirements/partials/needs_concerned.html",
        context=wave_needs_panel,
        order=5,
    )


# --- Evidence by clause (qms.evidence) ---------------------------------------------------


def waves_evidence(period, limit):
    """9.1.2: the survey waves started in the period, with invitations sent and answers
    received (a count per shown row, from the wave's index)."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, date, day_bounds, page

    from .models import Response, Wave

    start, end = day_bounds(period)
    answered = (
        Response.objects.filter(wave=OuterRef("pk"))
        .order_by()
        .values("wave")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        Wave.objects.filter(started_at__gte=start, started_at__lt=end)
        .select_related("survey_version__survey")
        .order_by("started_at", "id")
    )
    rows = [
        EvidenceRow(
            cells=[
                w.survey_version.survey.title,
                w.name,
                w.get_status_display(),
                date(w.started_at),
                w.sent_count,
                w.answered,
            ],
            url=reverse("satisfaction:wave-detail", args=[w.pk]),
        )
        for w in page(qs.annotate(answered=Coalesce(Subquery(answered), 0)), limit)
    ]
    return EvidenceTable(
        key="waves",
        clause="9.1.2",
        title=_("Survey waves started in the period"),
        columns=[
            _("Survey"),
            _("Wave"),
            _("Status"),
            _("Started"),
            _("Invitations sent"),
            _("Answers"),
        ],
        rows=rows,
        count=qs.count(),
        list_url=reverse("satisfaction:survey-list"),
    )


def figures_evidence(period, limit):
    """9.1.2: the satisfaction figures of the period from the metrics registry (one
    pass over the tallies for NPS, CSAT and CES)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable
    from qms.registry import batch, registry

    rows = []
    with batch():
        for key in ("nps", "csat", "ces", "response_rate", "driver_share"):
            metric = registry.get(key)
            value = registry.compute(key, period=period)
            shown = "" if value.value is None else f"{float(value.value):.1f}{metric.unit}"
            rows.append(EvidenceRow(cells=[str(metric.label), shown, value.n]))
    return EvidenceTable(
        key="satisfaction-figures",
        clause="9.1.2",
        title=_("Customer satisfaction figures of the period"),
        columns=[_("Measure"), _("Value"), _("Answers (n)")],
        rows=rows,
        count=len(rows),
        list_url=reverse("qms:home"),
    )


def overdue_followups_evidence(period, limit):
    """9.1.2 gap: follow-up cases of dissatisfied customers not closed by their due
    date, among those due in the period."""
    from django.db.models import F, Q
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, date, day_bounds, page

    from .models import FollowUpCase

    start, end = day_bounds(period)
    qs = (
        FollowUpCase.objects.filter(due_at__gte=start, due_at__lt=end)
        .filter(
            Q(state__in=FollowUpCase.OPEN_STATES, due_at__lt=min(end, _now()))
            | Q(closed_at__gt=F("due_at"))
        )
        .select_related("owner")
        .order_by("due_at", "id")
    )
    rows = [
        EvidenceRow(
            cells=[
                c.reason,
                str(c.owner or ""),
                c.get_state_display(),
                date(c.due_at),
                date(c.closed_at),
            ],
            url=reverse("satisfaction:followup-detail", args=[c.pk]),
        )
        for c in page(qs, limit)
    ]
    return EvidenceTable(
        key="late-followups",
        clause="9.1.2",
        title=_("Gap: follow-up cases of dissatisfied customers handled late"),
        columns=[_("Why"), _("Owner"), _("State"), _("Due"), _("Closed")],
        rows=rows,
        count=qs.count(),
        gap=True,
        list_url=reverse("satisfaction:followup-list"),
    )


def _now():
    from django.utils import timezone

    return timezone.now()


def register_evidence():
    from qms.evidence import evidence

    evidence.add(key="satisfaction-figures", clause="9.1.2", compute=figures_evidence, order=10)
    evidence.add(key="waves", clause="9.1.2", compute=waves_evidence, order=20)
    evidence.add(key="late-followups", clause="9.1.2", compute=overdue_followups_evidence, order=90)
