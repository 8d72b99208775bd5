"""Reads for text coding, scoped to the user, and the counts other apps use (the
Pareto across sources, the driver analysis, the customer 360, requirement evidence).

Who reads and codes: quality managers every text (they also manage topics and
keywords); read-only viewers read every text; a department head reads and codes the
texts of the department's complaints and cases; nobody else sees texts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from customers.models import Topic
from qms.selectors import headed_department_ids

from .models import CandidateTopic, Coding, ModelVersion, Text, TopicKeyword

# --- Who may do what ------------------------------------------------------------------------


def user_can_use_queue(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.can_view_all or bool(headed_department_ids(user))


def user_can_code_text(user, text: Text) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_quality_manager:
        return True
    return text.department_id is not None and text.department_id in headed_department_ids(user)


def user_can_manage_topics(user) -> bool:
    return bool(getattr(user, "is_quality_manager", False))


def _scoped(qs: QuerySet, user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.can_view_all:
        return qs
    ids = headed_department_ids(user)
    if not ids:
        return qs.none()
    return qs.filter(department_id__in=ids)


# --- Texts and the queue ------------------------------------------------------------------


def text_list(
    *,
    user,
    kind: str = "",
    status: str = "",
    topic: Topic | None = None,
    search: str = "",
) -> QuerySet[Text]:
    qs = Text.objects.select_related("customer", "department", "suggested_topic").order_by(
        "-written_at", "-id"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if topic is not None:
        qs = qs.filter(codings__topic=topic)
    if search:
        qs = qs.filter(body__icontains=search)
    return _scoped(qs, user)


def text_get_for_user(*, user, pk) -> Text:
    try:
        return _scoped(Text.objects.select_related("customer", "department"), user).get(pk=pk)
    except (Text.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def text_codings(*, texts) -> dict[int, list[Coding]]:
    """The codings of a page of texts, one query."""
    by_text: dict[int, list[Coding]] = {}
    for coding in Coding.objects.filter(text__in=list(texts)).select_related(
        "topic", "confirmed_by"
    ):
        by_text.setdefault(coding.text_id, []).append(coding)
    return by_text


def queue_texts(*, user, suggested: Topic | None = None, unsuggested: bool = False) -> QuerySet:
    """Texts waiting for a person: what the rules and the model could not code."""
    qs = (
        Text.objects.filter(status=Text.Status.QUEUED)
        .select_related("customer", "department", "suggested_topic")
        .order_by("-suggested_confidence", "-written_at", "-id")
    )
    if suggested is not None:
        qs = qs.filter(suggested_topic=suggested)
    elif unsuggested:
        qs = qs.filter(suggested_topic__isnull=True)
    return _scoped(qs, user)


@dataclass
class QueueGroup:
    topic: Topic | None  # the model's best suggestion; None: no suggestion
    count: int


def queue_groups(*, user) -> list[QueueGroup]:
    """The queue grouped by the model's best suggestion, most frequent first."""
    rows = (
        queue_texts(user=user)
        .order_by()
        .values("suggested_topic")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    rows = list(rows)
    topics = Topic.objects.in_bulk([r["suggested_topic"] for r in rows if r["suggested_topic"]])
    return [
        QueueGroup(topic=topics.get(r["suggested_topic"]), count=r["n"])
        for r in rows
        if r["suggested_topic"] is None or r["suggested_topic"] in topics
    ]


def queue_count(*, user) -> int:
    return queue_texts(user=user).count()


def coding_topics() -> QuerySet[Topic]:
    """The topics a person may code to (active ones), by name."""
    return Topic.objects.filter(is_active=True).order_by("name", "id")


# --- Keywords, models, candidates ---------------------------------------------------------


def topic_keywords(*, topic: Topic) -> QuerySet[TopicKeyword]:
    return topic.keywords.order_by("phrase")


def keyword_list(*, user, topic: Topic | None = None) -> QuerySet[TopicKeyword]:
    qs = TopicKeyword.objects.select_related("topic").order_by("topic__name", "phrase")
    if topic is not None:
        qs = qs.filter(topic=topic)
    return qs if user_can_use_queue(user) else qs.none()


def model_versions(*, user) -> QuerySet[ModelVersion]:
    qs = ModelVersion.objects.defer("data").order_by("-trained_at", "-id")
    return qs if getattr(user, "can_view_all", False) else qs.none()


def candidate_list(*, user, status: str = CandidateTopic.Status.OPEN) -> QuerySet:
    qs = CandidateTopic.objects.select_related("topic").order_by("-size", "-id")
    if status:
        qs = qs.filter(status=status)
    return qs if getattr(user, "can_view_all", False) else qs.none()


def candidate_get_for_user(*, user, pk) -> CandidateTopic:
    try:
        return candidate_list(user=user, status="").get(pk=pk)
    except (CandidateTopic.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def candidate_examples(*, candidates) -> dict[int, list[Text]]:
    ids = {i for c in candidates for i in c.example_text_ids}
    texts = Text.objects.in_bulk(list(ids))
    return {c.pk: [texts[i] for i in c.example_text_ids if i in texts] for c in candidates}


def coding_overview() -> dict:
    """How much is coded, and by what (for the model page)."""
    by_status = dict(
        Text.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    by_origin = dict(
        Coding.objects.order_by()
        .values_list("origin")
        .annotate(n=Count("id"))
        .values_list("origin", "n")
    )
    return {
        "by_status": [(label, by_status.get(value, 0)) for value, label in Text.Status.choices],
        "by_origin": [(label, by_origin.get(value, 0)) for value, label in Coding.Origin.choices],
    }


# --- Counts for other apps ----------------------------------------------------------------


def _period(qs: QuerySet, start: dt.datetime | None, end: dt.datetime | None) -> QuerySet:
    if start is not None:
        qs = qs.filter(text__written_at__gte=start)
    if end is not None:
        qs = qs.filter(text__written_at__lt=end)
    return qs


def topic_counts(
    *,
    kind: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    segment=None,
    customer=None,
) -> QuerySet:
    """{"topic": id, "n": texts} per topic for texts of `kind`: one aggregate query
    (the Pareto across sources calls it once per source)."""
    qs = _period(Coding.objects.filter(text__kind=kind), start, end)
    if segment is not None:
        qs = qs.filter(text__customer__segment=segment)
    if customer is not None:
        qs = qs.filter(text__customer=customer)
    return qs.values("topic").annotate(n=Count("text", distinct=True)).order_by()


def source_ids_for_topic(*, kind: str, topic: Topic) -> QuerySet:
    """Ids of the source records (e.g. tickets) whose text is coded to `topic`, as a
    subquery for the source's own list."""
    return Coding.objects.filter(text__kind=kind, topic=topic).values("text__object_id")


def topic_evidence(*, topics) -> dict[int, dict[str, int]]:
    """For each topic id: texts coded to it, by kind ("84 tickets and 12 comments")."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        Coding.objects.filter(topic__in=list(topics))
        .values("topic", "text__kind")
        .annotate(n=Count("text", distinct=True))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["topic"], {})[row["text__kind"]] = row["n"]
    return counts


def evidence_phrase(counts: dict[str, int]) -> str:
    """“84 tickets and 12 comments” from {kind: n}."""
    from django.utils.text import get_text_list
    from django.utils.translation import ngettext

    words = {
        Text.Kind.TICKET: lambda n: ngettext("%(n)d ticket", "%(n)d tickets", n),
        Text.Kind.SURVEY_COMMENT: lambda n: ngettext("%(n)d comment", "%(n)d comments", n),
        Text.Kind.COMPLAINT: lambda n: ngettext("%(n)d complaint", "%(n)d complaints", n),
        Text.Kind.INTERVIEW_NOTE: lambda n: ngettext(
            "%(n)d interview note", "%(n)d interview notes", n
        ),
    }
    parts = [
        words[kind](n) % {"n": n}
        for kind, n in sorted(counts.items(), key=lambda kv: -kv[1])
        if n and kind in words
    ]
    from django.utils.translation import gettext as _

    return get_text_list(parts, _("and"))


def customer_topics(*, customer, limit: int = 5) -> list[tuple[Topic, int]]:
    """What a customer writes about most, over every source (the customer 360)."""
    rows = (
        Coding.objects.filter(text__customer=customer)
        .values("topic")
        .annotate(n=Count("text", distinct=True))
        .order_by("-n")[:limit]
    )
    rows = list(rows)
    topics = Topic.objects.in_bulk([r["topic"] for r in rows])
    return [(topics[r["topic"]], r["n"]) for r in rows if r["topic"] in topics]


def topics_for_sources(*, kind: str, object_ids) -> dict[int, list[tuple[str, str]]]:
    """Source id -> [(topic name, origin)], for a page of source records (one query)."""
    out: dict[int, list[tuple[str, str]]] = {}
    for object_id, name, origin in (
        Coding.objects.filter(text__kind=kind, text__object_id__in=list(object_ids))
        .order_by("topic__name")
        .values_list("text__object_id", "topic__name", "origin")
    ):
        out.setdefault(object_id, []).append((name, origin))
    return out


def topics_of_sources(*, kind: str, object_ids, limit: int = 10) -> list[tuple[Topic, int]]:
    """[(topic, texts)] most first, for the texts of these source records (`object_ids`
    may be a subquery): e.g. what dissatisfied respondents wrote about."""
    rows = list(
        Coding.objects.filter(text__kind=kind, text__object_id__in=object_ids)
        .values("topic")
        .annotate(n=Count("text", distinct=True))
        .order_by("-n", "topic")[:limit]
    )
    topics = Topic.objects.in_bulk([r["topic"] for r in rows])
    return [(topics[r["topic"]], r["n"]) for r in rows if r["topic"] in topics]
