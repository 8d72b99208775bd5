"""Surveys and their versions: questions, choices and show-if conditions are edited on a
draft; publishing freezes the version and seeds the default alert rules."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from customers.models import Topic
from qms.exceptions import ApplicationError
from qms.models import User
from qms.services_kit import model_update
from qms.workflow import lock, locked

from .. import library, selectors
from ..models import Choice, Question, Survey, SurveyVersion
from ..signals import survey_changed
from .alert_rules import alert_rules_seed_defaults


def _unique_code(base: str, taken, max_length: int, fallback: str) -> str:
    """`base` as a slug, with -2, -3… when `taken(code)` says it is in use."""
    stem = slugify(base)[:max_length].strip("-") or fallback
    code, n = stem, 1
    while taken(code):
        n += 1
        suffix = f"-{n}"
        code = stem[: max_length - len(suffix)].rstrip("-") + suffix
    return code


def survey_code_for(title: str) -> str:
    """A free survey code made from the title (users never type codes)."""
    return _unique_code(
        title, lambda c: Survey.objects.filter(code=c).exists(), 60, fallback="survey"
    )


@transaction.atomic
def survey_create(
    *,
    title: str,
    code: str = "",
    title_zh_hans: str = "",
    languages: str = Survey.Languages.EN,
    purpose: str = Survey.Purpose.RELATIONSHIP,
    identity_mode: str = Survey.IdentityMode.IDENTIFIED,
    description: str = "",
    template: str = "",
    created_by: User | None = None,
) -> Survey:
    """A new survey with a draft version 1 that has the standard thank-you and e-mail
    texts; from `template` (a key of library.TEMPLATES) it also has that template's
    introduction and questions."""
    spec = library.TEMPLATES.get(template) if template else None
    if template and spec is None:
        raise ApplicationError(_("There is no such survey template."))
    survey = Survey(
        title=title,
        title_zh_hans=title_zh_hans,
        languages=languages,
        code=code or survey_code_for(title),
        purpose=purpose,
        identity_mode=identity_mode,
        description=description,
        created_by=created_by,
    )
    survey.full_clean()
    survey.save()
    version = SurveyVersion.objects.create(
        survey=survey,
        number=1,
        intro_en=spec.intro_en if spec else "",
        intro_zh_hans=spec.intro_zh_hans if spec else "",
        **library.standard_texts(title, title_zh_hans),
    )
    if spec is not None:
        for question_spec in library.template_questions(spec):
            _question_from_spec(version, question_spec)
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, **fields) -> Survey:
    allowed = {"title", "title_zh_hans", "languages", "description", "purpose", "identity_mode"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    if (
        "identity_mode" in fields
        and fields["identity_mode"] != survey.identity_mode
        and survey.versions.filter(status=SurveyVersion.Status.PUBLISHED).exists()
    ):
        # Customers were told how their answers are handled when they were invited.
        raise ApplicationError(
            _(
                "The identity mode cannot change once a version is published: customers "
                "were told how their answers would be used. Create a new survey instead."
            )
        )
    survey, _changed = model_update(instance=survey, fields=allowed, data=fields)
    # The satisfaction app drops its cached public pages of the survey's waves on commit.
    survey_changed.send(sender=Survey, survey=survey)
    return survey


def _require_draft(version: SurveyVersion) -> None:
    if not version.is_draft:
        raise ApplicationError(
            _("Version %(number)s is published and cannot change. Start a new draft to edit.")
            % {"number": version.number}
        )


@transaction.atomic
def version_draft_get_or_create(*, survey: Survey) -> SurveyVersion:
    """The survey's draft version; if there is none, a copy of the latest published
    version (questions, choices and show-if conditions, with the same codes)."""
    locked(Survey.objects.filter(pk=survey.pk), skip_locked=False).first()
    draft = survey.versions.filter(status=SurveyVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    latest = survey.versions.order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    if latest is None:
        texts = library.standard_texts(survey.title, survey.title_zh_hans)
    else:
        texts = {
            f"{name}_{suffix}": getattr(latest, f"{name}_{suffix}")
            for name in SurveyVersion.CUSTOMER_TEXTS
            for suffix in ("en", "zh_hans")
        }
    draft = SurveyVersion.objects.create(survey=survey, number=number, **texts)
    if latest is None:
        return draft
    mapping: dict[int, Question] = {}
    old_questions = list(latest.questions.prefetch_related("choices").order_by("position", "id"))
    for old in old_questions:
        new = Question.objects.create(
            version=draft,
            **{name: getattr(old, name) for name in _QUESTION_COPY_FIELDS},
        )
        mapping[old.pk] = new
        Choice.objects.bulk_create(
            Choice(
                question=new,
                code=c.code,
                position=c.position,
                text_en=c.text_en,
                text_zh_hans=c.text_zh_hans,
                topic_id=c.topic_id,
            )
            for c in old.choices.all()
        )
    for old in old_questions:
        if old.show_if_question_id and old.show_if_question_id in mapping:
            new = mapping[old.pk]
            new.show_if_question = mapping[old.show_if_question_id]
            new.save(update_fields=["show_if_question", "updated_at"])
    return draft


_QUESTION_COPY_FIELDS = (
    "code",
    "position",
    "kind",
    "text_en",
    "text_zh_hans",
    "help_en",
    "help_zh_hans",
    "required",
    "multi_select",
    "scale_max",
    "low_label_en",
    "low_label_zh_hans",
    "high_label_en",
    "high_label_zh_hans",
    "show_if_values",
)

QUESTION_FIELDS = set(_QUESTION_COPY_FIELDS) - {"position"} | {"show_if_question"}


def _check_show_if(question: Question) -> None:
    source = question.show_if_question
    if source is None:
        question.show_if_values = []
        return
    if source.version_id != question.version_id or (
        question.pk and source.position >= question.position
    ):
        raise ApplicationError(_("A question can only depend on an earlier question."))
    if not question.show_if_values:
        raise ApplicationError(_("List the answers that make this question appear."))


def _set_choices(question: Question, choices: list[dict] | None) -> None:
    """Replace the question's choices by `choices` in their order. A choice keeps the
    code it came with (reports, alert rules and show-if conditions read it); a new one
    gets a code made from its English label."""
    if choices is None:
        return
    if not question.has_choices:
        question.choices.all().delete()
        return
    codes = [c["code"] for c in choices if c.get("code")]
    if len(codes) != len(set(codes)):
        raise ApplicationError(_("Each choice needs its own code."))
    taken = set(codes)
    for data in choices:
        if not data.get("code"):
            data["code"] = _unique_code(
                data["text_en"] or data.get("text_zh_hans", ""),
                taken.__contains__,
                40,
                fallback="choice",
            )
            taken.add(data["code"])
    question.choices.all().delete()
    objs = []
    for position, data in enumerate(choices, start=1):
        choice = Choice(
            question=question,
            code=data["code"],
            position=position,
            text_en=data["text_en"],
            text_zh_hans=data.get("text_zh_hans", ""),
            topic=data.get("topic"),
        )
        choice.full_clean(exclude=["question"], validate_constraints=False)
        objs.append(choice)
    Choice.objects.bulk_create(objs)


@transaction.atomic
def question_create(
    *, version: SurveyVersion, choices: list[dict] | None = None, **fields
) -> Question:
    _require_draft(version)
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if not fields.get("code"):
        fields["code"] = question_code_for(version, fields.get("kind", ""), fields.get("text_en"))
    if version.questions.filter(code=fields.get("code")).exists():
        raise ApplicationError(_("This version already has a question with that code."))
    position = (version.questions.aggregate(top=Max("position"))["top"] or 0) + 1
    question = Question(version=version, position=position, **fields)
    _check_show_if(question)
    question.full_clean(validate_constraints=False)
    question.save()
    _set_choices(question, choices)
    return question


def question_code_for(version: SurveyVersion, kind: str, text_en: str | None) -> str:
    """A free question code: the measure's name for NPS, CSAT, CES and consent
    ("nps"), else made from the English wording."""
    base = kind if kind in ("nps", "csat", "ces", "consent", "driver") else (text_en or kind)
    return _unique_code(
        base, lambda c: version.questions.filter(code=c).exists(), 40, fallback="question"
    )


def _topic_for(spec: library.ChoiceSpec) -> Topic | None:
    """The portal's topic a library choice names: found by its code, else by its name,
    else created (so a driver question reports by topic from its first answer)."""
    if not spec.topic_slug:
        return None
    topic = Topic.objects.filter(slug=spec.topic_slug).first()
    if topic is None:
        topic = Topic.objects.filter(name__iexact=spec.topic_name).first()
    if topic is None:
        topic = Topic.objects.create(slug=spec.topic_slug, name=spec.topic_name)
    return topic


def _question_from_spec(version: SurveyVersion, spec: library.QuestionSpec) -> Question:
    fields = {
        name: getattr(spec, name)
        for name in (
            "kind",
            "text_en",
            "text_zh_hans",
            "help_en",
            "help_zh_hans",
            "required",
            "scale_max",
            "low_label_en",
            "low_label_zh_hans",
            "high_label_en",
            "high_label_zh_hans",
        )
    }
    if spec.show_to_unhappy:
        source = (
            version.questions.filter(kind__in=[Question.Kind.NPS, Question.Kind.CSAT])
            .order_by("position", "id")
            .first()
        )
        if source is not None:
            fields["show_if_question"] = source
            fields["show_if_values"] = (
                list(range(0, 7)) if source.kind == Question.Kind.NPS else [1, 2, 3]
            )
    choices = [
        {"text_en": c.text_en, "text_zh_hans": c.text_zh_hans, "topic": _topic_for(c)}
        for c in spec.choices
    ]
    return question_create(version=version, choices=choices or None, **fields)


@transaction.atomic
def question_add_from_library(*, version: SurveyVersion, key: str) -> Question:
    """Add the library's standard question `key` at the end of the draft. A driver
    question is shown to dissatisfied customers of the first NPS or CSAT question."""
    spec = library.QUESTIONS.get(key)
    if spec is None:
        raise ApplicationError(_("There is no such question in the library."))
    return _question_from_spec(version, spec)


@transaction.atomic
def question_duplicate(*, question: Question) -> Question:
    """A copy of the question (choices and show-if condition too) right below it."""
    version = question.version
    _require_draft(version)
    later = version.questions.filter(position__gt=question.position).order_by("-position")
    for q in later:
        q.position += 1
        q.save(update_fields=["position", "updated_at"])
    copy = Question.objects.create(
        version=version,
        **{name: getattr(question, name) for name in _QUESTION_COPY_FIELDS if name != "code"},
        code=question_code_for(version, "", f"{question.code}-copy"),
        show_if_question=question.show_if_question,
    )
    copy.position = question.position + 1
    copy.save(update_fields=["position", "updated_at"])
    Choice.objects.bulk_create(
        Choice(
            question=copy,
            code=c.code,
            position=c.position,
            text_en=c.text_en,
            text_zh_hans=c.text_zh_hans,
            topic_id=c.topic_id,
        )
        for c in question.choices.all()
    )
    return copy


@transaction.atomic
def question_reorder(*, version: SurveyVersion, order: list[int]) -> None:
    """Put the draft's questions in `order` (their ids, e.g. after a drag and drop).
    Refused when a question would come above the question its show-if condition reads."""
    _require_draft(version)
    version = lock(version)
    questions = {q.pk: q for q in version.questions.all()}
    if sorted(order) != sorted(questions):
        raise ApplicationError(_("The list of questions has changed. Reload the page."))
    seen = set()
    for pk in order:
        source = questions[pk].show_if_question_id
        if source and source not in seen:
            raise ApplicationError(
                _("A question must stay below the question its show-if condition reads.")
            )
        seen.add(pk)
    for position, pk in enumerate(order, start=1):
        q = questions[pk]
        if q.position != position:
            q.position = position
            q.save(update_fields=["position", "updated_at"])


@transaction.atomic
def question_update(*, question: Question, choices: list[dict] | None = None, **fields) -> Question:
    _require_draft(question.version)
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if (
        "code" in fields
        and question.version.questions.filter(code=fields["code"]).exclude(pk=question.pk).exists()
    ):
        raise ApplicationError(_("This version already has a question with that code."))
    question, _changed = model_update(
        instance=question,
        fields=QUESTION_FIELDS,
        data=fields,
        prepare=_check_show_if,
        validate_constraints=False,
    )
    _set_choices(question, choices)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    _require_draft(question.version)
    if question.dependants.exists():
        raise ApplicationError(
            _("Other questions depend on this one. Remove their show-if condition first.")
        )
    question.delete()


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """Swap the question with its neighbour. A question never moves above the question
    its show-if condition reads."""
    _require_draft(question.version)
    siblings = list(question.version.questions.order_by("position", "id"))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(siblings):
        return
    siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
    seen = set()
    for q in siblings:
        if q.show_if_question_id and q.show_if_question_id not in seen:
            raise ApplicationError(
                _("A question must stay below the question its show-if condition reads.")
            )
        seen.add(q.pk)
    for position, q in enumerate(siblings, start=1):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position", "updated_at"])


@transaction.atomic
def version_update_intro(*, version: SurveyVersion, intro_en: str, intro_zh_hans: str):
    _require_draft(version)
    version.intro_en = intro_en
    version.intro_zh_hans = intro_zh_hans
    version.save(update_fields=["intro_en", "intro_zh_hans", "updated_at"])
    return version


@transaction.atomic
def version_update_texts(*, version: SurveyVersion, **texts) -> SurveyVersion:
    """Save the draft's customer texts (introduction, thank-you, e-mails), and the
    survey's title in both languages when given (`title`, `title_zh_hans`)."""
    _require_draft(version)
    allowed = {
        f"{name}_{suffix}" for name in SurveyVersion.CUSTOMER_TEXTS for suffix in ("en", "zh_hans")
    }
    survey_fields = {k: texts.pop(k) for k in ("title", "title_zh_hans", "languages") if k in texts}
    unknown = set(texts) - allowed
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if survey_fields:
        survey_update(survey=version.survey, **survey_fields)
    version, _changed = model_update(
        instance=version, fields=allowed, data=texts, validate_constraints=False
    )
    return version


LANGUAGE_NAMES = {"en": _lazy("English"), "zh-hans": _lazy("Simplified Chinese")}
_SUFFIX = {"en": "en", "zh-hans": "zh_hans"}


def version_missing_texts(*, version: SurveyVersion, questions=None) -> list[dict]:
    """What the customer would see empty, per language the survey is sent in:
    `[{"language": "zh-hans", "language_name": …, "texts": ["title", …]}]` (empty
    when the version can be published). Required: title, thank-you text, invitation and
    reminder subject and message, each question's wording and choice labels. Optional
    texts (introduction, help, scale labels) must be written in every language or in
    none."""
    survey = version.survey
    if questions is None:
        questions = list(version.questions.prefetch_related("choices").order_by("position"))
    labels = {
        "intro": _("introduction"),
        "thanks": _("thank-you text"),
        "invitation_subject": _("invitation subject"),
        "invitation_body": _("invitation message"),
        "reminder_subject": _("reminder subject"),
        "reminder_body": _("reminder message"),
    }
    languages = survey.sent_languages
    suffixes = [_SUFFIX[lang] for lang in languages]

    def optional_written(obj, name):
        return any(getattr(obj, f"{name}_{s}") for s in suffixes)

    result = []
    for language in languages:
        suffix = _SUFFIX[language]
        missing = []
        title = survey.title if suffix == "en" else survey.title_zh_hans
        if not title.strip():
            missing.append(_("survey title"))
        for name in SurveyVersion.CUSTOMER_TEXTS:
            text = getattr(version, f"{name}_{suffix}")
            if not text.strip() and (name != "intro" or optional_written(version, name)):
                missing.append(labels[name])
        for number, question in enumerate(questions, start=1):
            if not getattr(question, f"text_{suffix}").strip():
                missing.append(_("question %(n)s") % {"n": number})
            for name, label in (
                ("help", _("help text of question %(n)s")),
                ("low_label", _("lowest label of question %(n)s")),
                ("high_label", _("highest label of question %(n)s")),
            ):
                if not getattr(question, f"{name}_{suffix}") and optional_written(question, name):
                    missing.append(label % {"n": number})
            if question.has_choices:
                for choice in question.choices.all():
                    if not getattr(choice, f"text_{suffix}").strip():
                        missing.append(
                            _("choice “%(choice)s” of question %(n)s")
                            % {"choice": choice.text(), "n": number}
                        )
        if missing:
            result.append(
                {"language": language, "language_name": LANGUAGE_NAMES[language], "texts": missing}
            )
    return result


@transaction.atomic
def version_publish(*, version: SurveyVersion, user: User | None = None) -> SurveyVersion:
    version = lock(version)
    _require_draft(version)
    questions = list(version.questions.prefetch_related("choices"))
    if not questions:
        raise ApplicationError(_("Add at least one question before publishing."))
    for question in questions:
        if question.has_choices and len(question.choices.all()) < 2:
            raise ApplicationError(
                _("Question “%(code)s” needs at least two choices.") % {"code": question.code}
            )
    missing = version_missing_texts(version=version, questions=questions)
    if missing:
        raise ApplicationError(
            _("Not published: the customer would see empty texts. %(missing)s")
            % {
                "missing": " ".join(
                    _("%(language)s: %(texts)s.")
                    % {"language": m["language_name"], "texts": ", ".join(m["texts"])}
                    for m in missing
                )
            }
        )
    version.status = SurveyVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user
    version.full_clean(validate_constraints=False)
    version.save()
    selectors.published_questions_forget(version_id=version.pk)
    alert_rules_seed_defaults(survey=version.survey, questions=questions)
    return version
