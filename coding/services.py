"""Writes for text coding: sources record their texts, the coding task codes them with
the keyword rules and the active model, people confirm and correct in the queue, the
model is retrained from what people coded, and the clustering proposes new topics.

Every function is keyword-only; the ones that write are atomic. A person's coding is
never replaced by a rule or the model: texts a person coded are left alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from customers.models import Topic
from qms.exceptions import ApplicationError

from .models import CandidateTopic, Coding, ModelVersion, Text, TopicKeyword

logger = logging.getLogger(__name__)


class _LazyLearning:
    """`coding.learning` (numpy, SciPy, scikit-learn: a second and a hundred megabytes to
    import) is loaded the first time it is used, by the worker that codes or trains, not
    by every web process that records a text or shows a page."""

    def __getattr__(self, name):
        from . import learning as module

        return getattr(module, name)


learning = _LazyLearning()

# Kinds of text that usually speak of several topics at once: each keyword match codes.
MULTI_TOPIC_KINDS = (Text.Kind.INTERVIEW_NOTE,)
HUMAN_ORIGINS = (Coding.Origin.IMPORTED, Coding.Origin.PERSON)
AUTOMATIC_ORIGINS = (Coding.Origin.RULE, Coding.Origin.MODEL)


def _threshold() -> float:
    return float(getattr(settings, "QMS_CODING_THRESHOLD", 0.7))


def _model_secret() -> bytes:
    """The key that signs stored model files (derived from SECRET_KEY): a file written or
    changed by anyone else does not load, and the portal codes by rules until retrained."""
    return hashlib.sha256(b"qms-coding-model:" + settings.SECRET_KEY.encode()).digest()


def _kick_coding() -> None:
    """Best effort: code the new texts now; the scanner codes them anyway."""

    def send():
        from .tasks import code_pending_texts_task

        try:
            code_pending_texts_task.delay()
        except Exception:  # the broker is down: the beat scanner picks them up
            logger.warning("coding: could not enqueue the coding task", exc_info=True)

    transaction.on_commit(send)


# --- Sources record their texts ---------------------------------------------------------


@transaction.atomic
def record_text(
    *,
    source,
    kind: str,
    body: str,
    customer=None,
    department=None,
    written_at: dt.datetime | None = None,
    imported_topic: Topic | None = None,
) -> Text:
    """Create or update the text of `source` (a ticket, answer, complaint, interview).

    A changed body is coded again (rule and model codings are dropped; imported and
    person codings stay). An empty body is kept but skipped by the coding."""
    body = body or ""
    content_type = ContentType.objects.get_for_model(source)
    text = Text.objects.filter(content_type=content_type, object_id=source.pk).first()
    status = Text.Status.EMPTY if not body.strip() else Text.Status.PENDING
    if text is None:
        text = Text.objects.create(
            content_type=content_type,
            object_id=source.pk,
            kind=kind,
            body=body,
            customer=customer,
            department=department,
            written_at=written_at or timezone.now(),
            status=status,
        )
    else:
        changed = text.body != body
        new_values = {
            "body": body,
            "customer_id": getattr(customer, "pk", None),
            "department_id": getattr(department, "pk", None),
            "written_at": written_at or text.written_at,
        }
        moved = any(getattr(text, name) != value for name, value in new_values.items())
        for name, value in new_values.items():
            setattr(text, name, value)
        if changed:
            text.status = status
            text.coded_at = None
            text.suggested_topic = None
            text.suggested_confidence = None
            text.suggestions = []
            text.codings.filter(origin__in=AUTOMATIC_ORIGINS).delete()
        if moved:
            text.save()
    if imported_topic is not None:
        text.codings.filter(origin=Coding.Origin.IMPORTED).exclude(topic=imported_topic).delete()
        Coding.objects.get_or_create(
            text=text,
            topic=imported_topic,
            defaults={"origin": Coding.Origin.IMPORTED, "confidence": 1.0},
        )
    if text.status == Text.Status.PENDING:
        _kick_coding()
    return text


def record_texts(*, model, kind: str, rows: Iterable[dict], batch_size: int = 2000) -> int:
    """Bulk form of `record_text` for imports: each row has `object_id`, `body`,
    `customer_id`, `department_id`, `written_at` and `topic_id` (imported, or None).
    Streams the rows in batches; returns how many texts were created or changed."""
    content_type = ContentType.objects.get_for_model(model)
    touched = 0
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            touched += _record_batch(content_type, kind, batch)
            batch = []
    if batch:
        touched += _record_batch(content_type, kind, batch)
    if touched:
        _kick_coding()
    return touched


@transaction.atomic
def _record_batch(content_type, kind: str, rows: list[dict]) -> int:
    existing = {
        t.object_id: t
        for t in Text.objects.filter(
            content_type=content_type, object_id__in=[r["object_id"] for r in rows]
        )
    }
    new, changed = [], []
    for row in rows:
        body = row.get("body") or ""
        status = Text.Status.EMPTY if not body.strip() else Text.Status.PENDING
        text = existing.get(row["object_id"])
        if text is None:
            new.append(
                Text(
                    content_type=content_type,
                    object_id=row["object_id"],
                    kind=kind,
                    body=body,
                    customer_id=row.get("customer_id"),
                    department_id=row.get("department_id"),
                    written_at=row.get("written_at") or timezone.now(),
                    status=status,
                )
            )
        elif text.body != body:
            text.body = body
            text.status = status
            text.coded_at = None
            text.suggested_topic = None
            text.suggested_confidence = None
            text.suggestions = []
            changed.append(text)
    Text.objects.bulk_create(new, batch_size=1000)
    if changed:
        Coding.objects.filter(text__in=changed, origin__in=AUTOMATIC_ORIGINS).delete()
        Text.objects.bulk_update(
            changed,
            [
                "body",
                "status",
                "coded_at",
                "suggested_topic",
                "suggested_confidence",
                "suggestions",
            ],
            batch_size=1000,
        )
    ids = dict(
        Text.objects.filter(
            content_type=content_type, object_id__in=[r["object_id"] for r in rows]
        ).values_list("object_id", "id")
    )
    wanted = {ids[r["object_id"]]: r.get("topic_id") for r in rows}
    stale = [
        pk
        for pk, text_id, topic_id in Coding.objects.filter(
            text_id__in=list(wanted), origin=Coding.Origin.IMPORTED
        ).values_list("id", "text_id", "topic_id")
        if wanted[text_id] != topic_id
    ]
    if stale:
        Coding.objects.filter(pk__in=stale).delete()
    Coding.objects.bulk_create(
        [
            Coding(
                text_id=text_id,
                topic_id=topic_id,
                origin=Coding.Origin.IMPORTED,
                confidence=1.0,
            )
            for text_id, topic_id in wanted.items()
            if topic_id
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(new) + len(changed)


def text_remove(*, source) -> None:
    """The source record is gone: its text and codings go too."""
    content_type = ContentType.objects.get_for_model(source)
    Text.objects.filter(content_type=content_type, object_id=source.pk).delete()


def texts_erase(*, customer) -> int:
    """Privacy erasure: the customer's texts are blanked (their codings stay, so the
    counts by topic still add up, but no words of theirs remain)."""
    return Text.objects.filter(customer=customer).update(
        body="", status=Text.Status.EMPTY, suggestions=[], updated_at=timezone.now()
    )


# --- Keywords ---------------------------------------------------------------------------


def keyword_table() -> dict[str, list[str]]:
    """Topic key (str(pk)) -> its phrases, for the rules; active topics only."""
    table: dict[str, list[str]] = {}
    for topic_id, phrase in TopicKeyword.objects.filter(topic__is_active=True).values_list(
        "topic_id", "phrase"
    ):
        table.setdefault(str(topic_id), []).append(phrase)
    return table


@transaction.atomic
def keywords_set(*, topic: Topic, keywords: Iterable[tuple[str, str]]) -> int:
    """Replace the topic's keywords with `(phrase, language)` pairs; blank phrases are
    dropped, duplicates kept once. Returns how many the topic now has."""
    wanted: dict[str, str] = {}
    for phrase, language in keywords:
        phrase = " ".join((phrase or "").split())
        if phrase and phrase.lower() not in {p.lower() for p in wanted}:
            wanted[phrase] = language or ""
    topic.keywords.exclude(phrase__in=list(wanted)).delete()
    current = {k.phrase: k for k in topic.keywords.all()}
    for phrase, language in wanted.items():
        keyword = current.get(phrase)
        if keyword is None:
            keyword = TopicKeyword(topic=topic, phrase=phrase, language=language)
            keyword.full_clean()
            keyword.save()
        elif keyword.language != language:
            keyword.language = language
            keyword.save(update_fields=["language", "updated_at"])
    return len(wanted)


# --- The model ---------------------------------------------------------------------------


class ModelState:
    """The active model as loaded (None when there is none or it failed to load)."""

    def __init__(self, version: ModelVersion | None, model, error: str = ""):
        self.version = version
        self.model = model
        self.error = error


_loaded: dict[tuple, object] = {}


def active_model() -> ModelState:
    """The active model version, loaded once per process and version. A file that does
    not load leaves the portal working with rules and the queue; the error is recorded
    on the version and shown on the model page."""
    version = ModelVersion.objects.filter(is_active=True).defer("data").first()
    if version is None:
        return ModelState(None, None)
    key = (version.pk, version.created_at)
    if key in _loaded:
        return ModelState(version, _loaded[key])
    data = ModelVersion.objects.filter(pk=version.pk).values_list("data", flat=True).first()
    try:
        model = learning.TrainedModel.loads(bytes(data or b""), secret=_model_secret())
    except learning.ModelLoadError as exc:
        message = str(exc) or _("The model file could not be read.")
        if version.load_error != message:
            ModelVersion.objects.filter(pk=version.pk).update(load_error=message)
        logger.warning("coding: model %s failed to load: %s", version.pk, message)
        return ModelState(version, None, message)
    _loaded.clear()
    _loaded[key] = model
    return ModelState(version, model)


def model_status() -> ModelState:
    """The active version and the error its last load gave, without loading it (for
    pages: the worker that codes records a load failure on the version)."""
    version = ModelVersion.objects.filter(is_active=True).defer("data").first()
    if version is None:
        return ModelState(None, None)
    return ModelState(version, None, version.load_error)


def training_examples() -> list[tuple[str, str]]:
    """(text, topic key) pairs from what people coded: confirmed codings and the topics
    that came with imported records."""
    rows = (
        Coding.objects.filter(origin__in=HUMAN_ORIGINS, topic__is_active=True)
        .exclude(text__status=Text.Status.EMPTY)
        .values_list("text__body", "topic_id")
        .order_by("id")
    )
    examples = [(body, str(topic_id)) for body, topic_id in rows.iterator(chunk_size=2000)]
    # Texts a person said fit no topic teach the model to leave such texts to the queue.
    none = Text.objects.filter(status=Text.Status.NO_TOPIC).values_list("body", flat=True)
    examples += [(body, learning.NO_TOPIC) for body in none.iterator(chunk_size=2000)]
    return examples


@transaction.atomic
def model_train(*, seed: int = 0) -> ModelVersion | None:
    """Train a new model from the confirmed codings and make it the active one; None
    when there is too little to learn from (fewer than two topics)."""
    examples = training_examples()
    if len({topic for _body, topic in examples} - {learning.NO_TOPIC}) < 2:
        return None
    try:
        trained = learning.train(examples, seed=seed)
    except ValueError:  # too few usable examples (empty texts left out)
        return None
    ModelVersion.objects.filter(is_active=True).update(is_active=False)
    version = ModelVersion.objects.create(
        data=trained.dumps(secret=_model_secret()),
        trained_at=timezone.now(),
        n_examples=trained.n_examples,
        accuracy=trained.accuracy,
        metrics=trained.metrics or {},
        is_active=True,
    )
    return version


def retrain_due() -> bool:
    """Enough confirmed codings arrived since the active model was trained."""
    latest = ModelVersion.objects.aggregate(at=Max("trained_at"))["at"]
    confirmed = Coding.objects.filter(origin=Coding.Origin.PERSON)
    if latest is not None:
        confirmed = confirmed.filter(confirmed_at__gt=latest)
    return confirmed.count() >= getattr(settings, "QMS_CODING_RETRAIN_AFTER", 50)


def model_activate(*, version: ModelVersion) -> ModelVersion:
    with transaction.atomic():
        ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
        ModelVersion.objects.filter(pk=version.pk).update(is_active=True, load_error="")
    version.refresh_from_db()
    return version


# --- Coding -----------------------------------------------------------------------------


def code_pending(*, batch_size: int | None = None, limit: int | None = None) -> int:
    """Code every pending text, batch by batch (bounded memory); returns how many texts
    were coded. Safe to run twice at once or again: a text is coded only while pending,
    and a (text, topic) coding exists once."""
    batch_size = batch_size or getattr(settings, "QMS_CODING_BATCH", 2000)
    keywords = keyword_table()
    state = active_model()
    done = 0
    last_id = 0
    while limit is None or done < limit:
        ids = list(
            Text.objects.filter(status=Text.Status.PENDING, id__gt=last_id)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            break
        last_id = ids[-1]
        done += code_texts(text_ids=ids, keywords=keywords, state=state)
    return done


@transaction.atomic
def code_texts(*, text_ids: list[int], keywords=None, state: ModelState | None = None) -> int:
    """Code the pending texts among `text_ids`: rules first, then the model; a text the
    model is unsure of goes to the queue with its suggestions."""
    keywords = keyword_table() if keywords is None else keywords
    state = active_model() if state is None else state
    threshold = _threshold()
    # Every field written back is loaded: a deferred one would cost a query per text.
    qs = Text.objects.filter(id__in=text_ids, status=Text.Status.PENDING).only(
        "id",
        "kind",
        "body",
        "status",
        "language",
        "coded_at",
        "suggestions",
        "suggested_topic",
        "suggested_confidence",
        "updated_at",
    )
    if transaction.get_connection().vendor == "postgresql":
        qs = qs.select_for_update(skip_locked=True)
    texts = list(qs)
    if not texts:
        return 0
    person_coded = set(
        Coding.objects.filter(
            text_id__in=[t.id for t in texts], origin=Coding.Origin.PERSON
        ).values_list("text_id", flat=True)
    )
    # Texts that came with a topic (imported) are coded already: the queue is for texts
    # with none.
    imported = set(
        Coding.objects.filter(
            text_id__in=[t.id for t in texts], origin=Coding.Origin.IMPORTED
        ).values_list("text_id", flat=True)
    )
    active_topics = set(Topic.objects.filter(is_active=True).values_list("id", flat=True))
    now = timezone.now()
    codings: list[Coding] = []
    todo = [t for t in texts if t.id not in person_coded]
    # Rules first (one match codes), then the model above the threshold, else the queue;
    # other languages by rule only (learning.decide_many).
    decisions = learning.decide_many([t.body for t in todo], keywords, state.model, threshold)
    for text in texts:
        text.coded_at = now
        text.updated_at = now
        if text.id in person_coded:
            text.language = learning.detect_language(text.body)
            text.status = Text.Status.CODED
    for text, decision in zip(todo, decisions, strict=True):
        text.language = decision.language
        usable = [
            (int(key), float(conf))
            for key, conf in decision.suggestions
            if str(key).isdigit() and int(key) in active_topics
        ][:5]
        text.suggestions = [[key, round(conf, 4)] for key, conf in usable]
        text.suggested_topic_id = usable[0][0] if usable else None
        text.suggested_confidence = usable[0][1] if usable else None
        topic_id = int(decision.topic) if decision.topic is not None else None
        if text.kind in MULTI_TOPIC_KINDS and decision.language != "other":
            # Interview notes cover several subjects: every topic whose keywords occur.
            matched = [
                int(key)
                for key in learning.match_keywords(text.body, keywords)
                if int(key) in active_topics and int(key) != topic_id
            ]
            codings += [
                Coding(text_id=text.id, topic_id=key, origin=Coding.Origin.RULE) for key in matched
            ]
            if topic_id is None and matched:
                text.status = Text.Status.CODED
                continue
        if topic_id is not None and topic_id in active_topics:
            is_rule = decision.origin == "rule"
            codings.append(
                Coding(
                    text_id=text.id,
                    topic_id=topic_id,
                    origin=Coding.Origin.RULE if is_rule else Coding.Origin.MODEL,
                    confidence=min(1.0, max(0.0, float(decision.confidence))),
                    model_version=None if is_rule else state.version,
                )
            )
            text.status = Text.Status.CODED
        else:
            text.status = Text.Status.CODED if text.id in imported else Text.Status.QUEUED
    Coding.objects.bulk_create(codings, ignore_conflicts=True, batch_size=1000)
    _write_back(texts, now)
    return len(texts)


def _write_back(texts: list[Text], now) -> None:
    """Store what the coding decided. Coded texts need no suggestions: they are written
    by a few grouped UPDATEs (one per status and language); only queued texts keep their
    own suggestions."""
    groups: dict[tuple[str, str], list[int]] = {}
    queued = []
    for text in texts:
        if text.status == Text.Status.QUEUED:
            queued.append(text)
        else:
            groups.setdefault((text.status, text.language), []).append(text.id)
    for (status, language), ids in groups.items():
        Text.objects.filter(id__in=ids).update(
            status=status,
            language=language,
            coded_at=now,
            suggestions=[],
            suggested_topic=None,
            suggested_confidence=None,
            updated_at=now,
        )
    if not queued:
        return
    # One parameterised UPDATE per text, sent with executemany (Django's bulk_update
    # builds CASE expressions in Python: seconds per thousand texts).
    field = Text._meta.get_field
    coded_at = field("coded_at").get_db_prep_value(now, connection)
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    # The table name is the model's and every value is a parameter.
    sql = (
        f"UPDATE {Text._meta.db_table} SET status = %s, language = %s, coded_at = %s, "  # noqa: S608
        f"updated_at = %s, suggestions = %s{json_cast}, suggested_topic_id = %s, "
        "suggested_confidence = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (
                    text.status,
                    text.language,
                    coded_at,
                    coded_at,
                    json.dumps(text.suggestions),
                    text.suggested_topic_id,
                    text.suggested_confidence,
                    text.id,
                )
                for text in queued
            ],
        )


def recode_queue() -> int:
    """Send the queued texts back to the coding (after the keywords or the model
    changed); returns how many."""
    count = Text.objects.filter(status=Text.Status.QUEUED).update(status=Text.Status.PENDING)
    if count:
        _kick_coding()
    return count


# --- People code ------------------------------------------------------------------------


def _check_can_code(user, text: Text) -> None:
    from .selectors import user_can_code_text

    if not user_can_code_text(user, text):
        raise ApplicationError(_("You may not code this text."))


@transaction.atomic
def text_code(*, text: Text, topics: Iterable[Topic], user, replace: bool = True) -> Text:
    """A person codes the text to `topics` (each a training example). With `replace`
    (confirm or correct), the text's other codings go; without it (add a topic), they
    stay, and the rule and model codings the person saw become theirs."""
    topics = list(topics)
    if not topics:
        raise ApplicationError(_("Choose at least one topic."))
    _check_can_code(user, text)
    text = Text.objects.select_for_update().get(pk=text.pk)
    if text.status == Text.Status.EMPTY:
        raise ApplicationError(_("The text is empty; there is nothing to code."))
    now = timezone.now()
    keep = {t.pk for t in topics}
    if replace:
        text.codings.exclude(topic_id__in=keep).delete()
    for topic in topics:
        Coding.objects.update_or_create(
            text=text,
            topic=topic,
            defaults={
                "origin": Coding.Origin.PERSON,
                "confidence": 1.0,
                "confirmed_by": user,
                "confirmed_at": now,
            },
        )
    text.status = Text.Status.CODED
    text.coded_at = now
    text.save(update_fields=["status", "coded_at", "updated_at"])
    transaction.on_commit(_maybe_retrain)
    return text


@transaction.atomic
def texts_no_topic(*, texts: Iterable[Text], user) -> int:
    """A person says these texts fit none of the topics: they leave the queue, teach the
    model, and are grouped with the others into candidate new topics."""
    count = 0
    now = timezone.now()
    for text in texts:
        _check_can_code(user, text)
        if text.status == Text.Status.EMPTY:
            continue
        text.codings.exclude(origin=Coding.Origin.IMPORTED).delete()
        Text.objects.filter(pk=text.pk).update(
            status=Text.Status.NO_TOPIC, coded_at=now, updated_at=now
        )
        count += 1
    return count


def texts_code(
    *, texts: Iterable[Text], topics: Iterable[Topic], user, replace: bool = True
) -> int:
    """The same topics for several texts at once (a group of the queue)."""
    topics = list(topics)
    count = 0
    with transaction.atomic():
        for text in texts:
            text_code(text=text, topics=topics, user=user, replace=replace)
            count += 1
    return count


@transaction.atomic
def coding_remove(*, coding: Coding, user) -> None:
    """A person removes a wrong topic from a text; a text left with none goes back to
    the queue."""
    _check_can_code(user, coding.text)
    text = coding.text
    coding.delete()
    if not text.codings.exists():
        text.status = Text.Status.QUEUED
        text.save(update_fields=["status", "updated_at"])


def _maybe_retrain() -> None:
    if not retrain_due():
        return
    from .tasks import train_model_task

    try:
        train_model_task.delay()
    except Exception:
        logger.warning("coding: could not enqueue retraining", exc_info=True)


# --- Candidate new topics ------------------------------------------------------------------

CLUSTER_SAMPLE = 5000
MIN_GROUP = 3


def _overlap(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


@transaction.atomic
def candidates_refresh(*, max_groups: int = 12) -> list[CandidateTopic]:
    """Group the texts that fit no topic well (queued, or coded by the model below the
    threshold) and record each group as a candidate topic; a group like last week's
    (shared typical words) updates that candidate, so its size history shows growth."""
    rows = list(
        Text.objects.filter(status__in=[Text.Status.QUEUED, Text.Status.NO_TOPIC])
        .exclude(codings__origin=Coding.Origin.PERSON)
        .order_by("-written_at", "-id")
        .values_list("id", "body")[:CLUSTER_SAMPLE]
    )
    if len(rows) < MIN_GROUP:
        return []
    groups = learning.cluster([body for _id, body in rows], max_groups=max_groups)
    now = timezone.now()
    today = timezone.localdate().isoformat()
    open_candidates = list(CandidateTopic.objects.filter(status=CandidateTopic.Status.OPEN))
    result = []
    for group in groups:
        if group.size < MIN_GROUP:
            continue
        terms = list(group.top_terms)[:10]
        examples = [rows[i][0] for i in group.indices[:5]]
        match = max(open_candidates, key=lambda c: _overlap(c.top_terms, terms), default=None)
        if match is not None and _overlap(match.top_terms, terms) >= 0.5:
            open_candidates.remove(match)
            candidate = match
        else:
            candidate = CandidateTopic(last_seen_at=now)
        history = [h for h in candidate.size_history if h.get("on") != today]
        history.append({"on": today, "size": group.size})
        candidate.size_history = history[-26:]
        candidate.top_terms = terms
        candidate.example_text_ids = examples
        candidate.size = group.size
        candidate.last_seen_at = now
        candidate.save()
        result.append(candidate)
    return result


@transaction.atomic
def candidate_make_topic(
    *, candidate: CandidateTopic, name: str, keywords: Iterable[str], user
) -> Topic:
    """Turn a candidate group into a topic with the chosen keywords, in one step; the
    group's texts are coded again so the new rules pick them up."""
    if not getattr(user, "is_quality_manager", False):
        raise ApplicationError(_("Only quality managers create topics."))
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("Give the topic a name."))
    if candidate.status != CandidateTopic.Status.OPEN:
        raise ApplicationError(_("This group has already been dealt with."))
    base = slugify(name)[:50] or f"topic-{candidate.pk}"
    slug, n = base, 1
    while Topic.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    topic = Topic(name=name, slug=slug)
    topic.full_clean()
    topic.save()
    keywords_set(topic=topic, keywords=[(k, "") for k in keywords])
    candidate.status = CandidateTopic.Status.ACCEPTED
    candidate.topic = topic
    candidate.save(update_fields=["status", "topic", "updated_at"])
    recode_queue()
    return topic


@transaction.atomic
def candidate_dismiss(*, candidate: CandidateTopic, user) -> CandidateTopic:
    if not getattr(user, "is_quality_manager", False):
        raise ApplicationError(_("Only quality managers manage topics."))
    candidate.status = CandidateTopic.Status.DISMISSED
    candidate.save(update_fields=["status", "updated_at"])
    return candidate
