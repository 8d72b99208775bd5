"""Surveys and their versions: questions, choices and show-if conditions are edited on a
draft; publishing freezes the version and seeds the default alert rules."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.exceptions import ApplicationError
from qms.models import User
from qms.services_kit import model_update
from qms.workflow import lock, locked

from ..models import Choice, Question, Survey, SurveyVersion
from ..signals import survey_changed
from .alert_rules import alert_rules_seed_defaults


@transaction.atomic
def survey_create(
    *,
    title: str,
    code: str,
    purpose: str = Survey.Purpose.RELATIONSHIP,
    identity_mode: str = Survey.IdentityMode.IDENTIFIED,
    description: str = "",
    created_by: User | None = None,
) -> Survey:
    """A new survey with an empty draft version 1."""
    survey = Survey(
        title=title,
        code=code,
        purpose=purpose,
        identity_mode=identity_mode,
        description=description,
        created_by=created_by,
    )
    survey.full_clean()
    survey.save()
    SurveyVersion.objects.create(survey=survey, number=1)
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, **fields) -> Survey:
    allowed = {"title", "description", "purpose", "identity_mode"}
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
    draft = SurveyVersion.objects.create(
        survey=survey,
        number=number,
        intro_en=latest.intro_en if latest else "",
        intro_zh_hans=latest.intro_zh_hans if latest else "",
    )
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
    if choices is None:
        return
    if not question.has_choices:
        question.choices.all().delete()
        return
    codes = [c["code"] for c in choices]
    if len(codes) != len(set(codes)):
        raise ApplicationError(_("Each choice needs its own code."))
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
    if version.questions.filter(code=fields.get("code")).exists():
        raise ApplicationError(_("This version already has a question with that code."))
    position = (version.questions.aggregate(top=Max("position"))["top"] or 0) + 1
    question = Question(version=version, position=position, **fields)
    _check_show_if(question)
    question.full_clean(validate_constraints=False)
    question.save()
    _set_choices(question, choices)
    return question


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
    version.status = SurveyVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user
    version.full_clean(validate_constraints=False)
    version.save()
    alert_rules_seed_defaults(survey=version.survey, questions=questions)
    return version
