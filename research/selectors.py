"""Reads for the research sources (tickets, purchases, interviews) and the Pareto
analysis. Who reads: the same people as customers (see customers/selectors.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from coding import selectors as coding_selectors
from coding.models import Text
from customers.models import Customer, Segment, Topic
from customers.selectors import _get, _readable, day_start, user_can_read_customers

from .models import Interview, InterviewFinding, Purchase, Ticket


def _in_period(qs: QuerySet, field: str, start: dt.date | None, end: dt.date | None):
    """Half-open datetime range on `field`, so the column's index is used."""
    if start:
        qs = qs.filter(**{f"{field}__gte": day_start(start)})
    if end:
        qs = qs.filter(**{f"{field}__lt": day_start(end + dt.timedelta(days=1))})
    return qs


def ticket_list(
    *,
    user,
    search: str = "",
    topic: Topic | None = None,
    segment: Segment | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    customer: Customer | None = None,
) -> QuerySet[Ticket]:
    qs = Ticket.objects.select_related("customer", "topic").order_by("-opened_at", "-id")
    if search:
        qs = qs.filter(
            Q(external_id__icontains=search)
            | Q(product__icontains=search)
            | Q(customer__name__icontains=search)
        )
    if topic is not None:
        # The ticket's codings: the imported topic, the rules', the model's, people's.
        qs = qs.filter(
            id__in=coding_selectors.source_ids_for_topic(kind=Text.Kind.TICKET, topic=topic)
        )
    if segment is not None:
        qs = qs.filter(customer__segment=segment)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return _readable(_in_period(qs, "opened_at", start, end), user)


def purchase_list(
    *,
    user,
    search: str = "",
    segment: Segment | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    customer: Customer | None = None,
) -> QuerySet[Purchase]:
    qs = Purchase.objects.select_related("customer").order_by("-purchased_at", "-id")
    if search:
        qs = qs.filter(
            Q(external_id__icontains=search)
            | Q(product__icontains=search)
            | Q(customer__name__icontains=search)
        )
    if segment is not None:
        # The segment the customer was in when buying (segment at the time of the event).
        qs = qs.filter(segment=segment)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return _readable(_in_period(qs, "purchased_at", start, end), user)


def _interview_segment_q(segment: Segment, prefix: str = "") -> Q:
    return Q(**{f"{prefix}segment": segment}) | Q(**{f"{prefix}customer__segment": segment})


def interview_list(
    *,
    user,
    search: str = "",
    segment: Segment | None = None,
    topic: Topic | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Interview]:
    qs = (
        Interview.objects.select_related("customer", "segment", "interviewer")
        .annotate(finding_count=Count("findings"))
        .order_by("-held_on", "-id")
    )
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(notes__icontains=search)
            | Q(customer__name__icontains=search)
        )
    if segment is not None:
        qs = qs.filter(_interview_segment_q(segment))
    if topic is not None:
        qs = qs.filter(
            Q(id__in=InterviewFinding.objects.filter(topic=topic).values("interview_id"))
            | Q(
                id__in=coding_selectors.source_ids_for_topic(
                    kind=Text.Kind.INTERVIEW_NOTE, topic=topic
                )
            )
        )
    if start:
        qs = qs.filter(held_on__gte=start)
    if end:
        qs = qs.filter(held_on__lte=end)
    return _readable(qs, user)


def interview_get_for_user(*, user, pk) -> Interview:
    return _get(Interview.objects.select_related("customer", "segment", "interviewer"), user, pk)


def interview_findings(*, interview: Interview) -> QuerySet[InterviewFinding]:
    return interview.findings.select_related("topic", "requirement").order_by("id")


def finding_list(
    *,
    user,
    topic: Topic | None = None,
    segment: Segment | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[InterviewFinding]:
    qs = InterviewFinding.objects.select_related(
        "interview", "interview__customer", "interview__segment", "topic", "requirement"
    ).order_by("-interview__held_on", "-id")
    if topic is not None:
        qs = qs.filter(topic=topic)
    if segment is not None:
        qs = qs.filter(_interview_segment_q(segment, "interview__"))
    if start:
        qs = qs.filter(interview__held_on__gte=start)
    if end:
        qs = qs.filter(interview__held_on__lte=end)
    return _readable(qs, user)


# --- Pareto analysis -------------------------------------------------------------------
#
# Each source of evidence registers how to count mentions of a topic (ONE aggregate
# query, grouped by topic in the database) and how to list the evidence for drill-down.
# The satisfaction app can add survey driver answers later with
# `pareto_sources.register(ParetoSource(key="surveys", ...))` in its AppConfig.ready()
# (it may import customers; customers never imports it).


@dataclass(frozen=True)
class ParetoSource:
    key: str
    label: str
    # (start, end, segment) -> queryset of {"topic": id, "n": count}, one row per topic
    count: Callable
    # url name of the evidence list; it takes topic, start, end, segment query parameters
    evidence_url_name: str
    order: int = 50


class ParetoSourceRegistry:
    def __init__(self):
        self._sources: dict[str, ParetoSource] = {}

    def register(self, source: ParetoSource) -> None:
        self._sources[source.key] = source

    def unregister(self, key: str) -> None:
        self._sources.pop(key, None)

    def all(self) -> list[ParetoSource]:
        return sorted(self._sources.values(), key=lambda s: (s.order, s.key))

    def get(self, key: str) -> ParetoSource | None:
        return self._sources.get(key)


pareto_sources = ParetoSourceRegistry()


def _day_bounds(start, end):
    return (
        day_start(start) if start else None,
        day_start(end + dt.timedelta(days=1)) if end else None,
    )


def ticket_topic_counts(start, end, segment) -> QuerySet:
    """Tickets per topic from their codings (imported with the ticket, or coded from
    its text by the rules, the model or a person); a ticket counts once per topic."""
    start_at, end_at = _day_bounds(start, end)
    return coding_selectors.topic_counts(
        kind=Text.Kind.TICKET, start=start_at, end=end_at, segment=segment
    )


def interview_note_topic_counts(start, end, segment) -> QuerySet:
    """Interviews per topic coded from their notes (in any language)."""
    start_at, end_at = _day_bounds(start, end)
    return coding_selectors.topic_counts(
        kind=Text.Kind.INTERVIEW_NOTE, start=start_at, end=end_at, segment=segment
    )


def finding_topic_counts(start, end, segment) -> QuerySet:
    qs = InterviewFinding.objects.all()
    if start:
        qs = qs.filter(interview__held_on__gte=start)
    if end:
        qs = qs.filter(interview__held_on__lte=end)
    if segment is not None:
        qs = qs.filter(_interview_segment_q(segment, "interview__"))
    return qs.values("topic").annotate(n=Count("*")).order_by()


pareto_sources.register(
    ParetoSource(
        key="tickets",
        label=_("After-sales tickets"),
        count=ticket_topic_counts,
        evidence_url_name="research:ticket-list",
        order=10,
    )
)
pareto_sources.register(
    ParetoSource(
        key="interviews",
        label=_("Interview findings"),
        count=finding_topic_counts,
        evidence_url_name="research:finding-list",
        order=20,
    )
)
pareto_sources.register(
    ParetoSource(
        key="interview_notes",
        label=_("Interview notes (coded)"),
        count=interview_note_topic_counts,
        evidence_url_name="research:interview-list",
        order=25,
    )
)


@dataclass
class ParetoRow:
    topic: Topic
    counts: dict  # source key -> count
    total: int
    share: float  # percent of all mentions
    cumulative: float  # cumulative percent, Pareto order
    top_source: str  # the source with most evidence, for the drill-down link


def pareto(
    *,
    user,
    start: dt.date | None = None,
    end: dt.date | None = None,
    segment: Segment | None = None,
    source: str = "",
) -> list[ParetoRow]:
    """Topics ranked by how often they appear across sources, with the cumulative share.

    One aggregate query per source, plus one query for the topics' names.
    """
    if not user_can_read_customers(user):
        return []
    sources = [pareto_sources.get(source)] if source else pareto_sources.all()
    counts: dict[int, dict[str, int]] = {}
    for src in sources:
        if src is None:
            continue
        for row in src.count(start, end, segment):
            counts.setdefault(row["topic"], {})[src.key] = row["n"]
    if not counts:
        return []
    topics = Topic.objects.in_bulk(list(counts))
    grand_total = sum(sum(c.values()) for c in counts.values())
    ranked = sorted(
        ((topics[pk], c) for pk, c in counts.items() if pk in topics),
        key=lambda item: (-sum(item[1].values()), item[0].name.lower()),
    )
    rows, running = [], 0
    for topic, by_source in ranked:
        total = sum(by_source.values())
        running += total
        rows.append(
            ParetoRow(
                topic=topic,
                counts=by_source,
                total=total,
                share=round(100 * total / grand_total, 1),
                cumulative=round(100 * running / grand_total, 1),
                top_source=max(by_source.items(), key=lambda kv: kv[1])[0],
            )
        )
    return rows
