"""Reading a customer's answers from a submitted form into a draft, and checking them.

A draft is a plain dict keyed by question code: an int for scales and consent (1 yes,
0 no), a choice code for single choice and driver questions, a list of choice codes for
multiple choice and driver questions that allow several answers (`multi_select`), a
string for free text. It is what "save and finish later" stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from surveys.models import Question

TEXT_MAX = 4000


@dataclass
class QuestionView:
    """What a template needs to render one question in the customer's language."""

    question: Question
    name: str
    text: str
    help: str
    value: object
    visible: bool
    options: list = field(default_factory=list)  # (value, label, checked)
    low_label: str = ""
    high_label: str = ""
    error: str = ""
    depends_on: str = ""
    depends_values: str = ""


def field_name(question: Question) -> str:
    return f"q_{question.code}"


def _choices(question: Question) -> list:
    # Choices are prefetched: `question.choices.all()` runs no query here.
    return list(question.choices.all())


def is_several(question: Question) -> bool:
    """Whether the customer may pick several answers: multiple choice, or a driver
    question that allows several ("what disappointed you? pick all that apply")."""
    return question.kind == Question.Kind.MULTIPLE or (
        question.kind == Question.Kind.DRIVER and question.multi_select
    )


def parse(questions: list[Question], data) -> tuple[dict, dict]:
    """Read `data` (a QueryDict) into a draft. Returns (draft, errors by code); an
    invalid value is dropped and reported, never stored."""
    draft: dict = {}
    errors: dict = {}
    for question in questions:
        name = field_name(question)
        kind = question.kind
        if is_several(question):
            codes = {c.code for c in _choices(question)}
            picked = [v for v in data.getlist(name) if v in codes]
            if picked:
                draft[question.code] = sorted(set(picked))
            continue
        raw = (data.get(name) or "").strip()
        if not raw:
            continue
        if kind == Question.Kind.TEXT:
            draft[question.code] = raw[:TEXT_MAX]
        elif kind in (Question.Kind.SINGLE, Question.Kind.DRIVER):
            if raw in {c.code for c in _choices(question)}:
                draft[question.code] = raw
            else:
                errors[question.code] = _("Choose one of the options.")
        else:  # scales and consent
            low, high = question.scale_range
            try:
                number = int(raw)
            except ValueError:
                number = None
            if number is None or not low <= number <= high:
                errors[question.code] = _("Choose a value from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
            else:
                draft[question.code] = number
    return draft, errors


def is_visible(question: Question, draft: dict, by_id: dict) -> bool:
    """A question with a show-if condition appears only when the earlier answer is one of
    the listed values."""
    if not question.show_if_question_id:
        return True
    source = by_id.get(question.show_if_question_id)
    if source is None:
        return True
    answer = draft.get(source.code)
    if answer is None:
        return False
    wanted = {str(v) for v in question.show_if_values or []}
    if isinstance(answer, list):
        return bool(wanted & {str(v) for v in answer})
    return str(answer) in wanted


def validate(questions: list[Question], draft: dict) -> dict:
    """Errors for required questions left unanswered (only those the customer sees)."""
    by_id = {q.pk: q for q in questions}
    errors = {}
    for question in questions:
        if (
            question.required
            and is_visible(question, draft, by_id)
            and draft.get(question.code) in (None, "", [])
        ):
            errors[question.code] = _("Please answer this question.")
    return errors


def visible_draft(questions: list[Question], draft: dict) -> dict:
    """The draft without answers to questions whose show-if condition is not met."""
    by_id = {q.pk: q for q in questions}
    return {
        q.code: draft[q.code] for q in questions if q.code in draft and is_visible(q, draft, by_id)
    }


def views(questions: list[Question], draft: dict, errors: dict, language: str) -> list:
    by_id = {q.pk: q for q in questions}
    result = []
    for question in questions:
        value = draft.get(question.code)
        view = QuestionView(
            question=question,
            name=field_name(question),
            text=question.text(language),
            help=question.help(language),
            value=value,
            visible=is_visible(question, draft, by_id),
            error=errors.get(question.code, ""),
        )
        if question.show_if_question_id and question.show_if_question_id in by_id:
            view.depends_on = field_name(by_id[question.show_if_question_id])
            view.depends_values = ",".join(str(v) for v in question.show_if_values or [])
        if question.is_scale:
            low, high = question.scale_range
            view.options = [(n, str(n), value == n) for n in range(low, high + 1)]
            view.low_label = question.low_label(language) or _default_low(question)
            view.high_label = question.high_label(language) or _default_high(question)
        elif question.kind == Question.Kind.CONSENT:
            view.options = [(1, _("Yes"), value == 1), (0, _("No"), value == 0)]
        elif question.has_choices:
            chosen = set(value) if isinstance(value, list) else {value}
            view.options = [
                (c.code, c.text(language), c.code in chosen) for c in _choices(question)
            ]
        result.append(view)
    return result


def _default_low(question: Question) -> str:
    return {
        Question.Kind.NPS: _("Not at all likely"),
        Question.Kind.CSAT: _("Very dissatisfied"),
        Question.Kind.CES: _("Very difficult"),
    }.get(question.kind, "")


def _default_high(question: Question) -> str:
    return {
        Question.Kind.NPS: _("Extremely likely"),
        Question.Kind.CSAT: _("Very satisfied"),
        Question.Kind.CES: _("Very easy"),
    }.get(question.kind, "")
