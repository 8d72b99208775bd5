"""Forms in the kit: how a form and its fields are drawn, and how a service's refusal
lands on the form."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from qms.exceptions import ApplicationError


class FormRenderer(DjangoTemplates):
    """`{{ form }}` and `{{ field.as_field_group }}` draw the portal's markup: Bootstrap
    classes, a required marker, help text, and errors the field points to with
    `aria-describedby` (settings.FORM_RENDERER)."""

    form_template_name = "qms/kit/form.html"
    field_template_name = "qms/kit/field.html"


def add_service_error(form, exc: ApplicationError | ValidationError) -> None:
    """Put what a service refused on the form: an ApplicationError above the fields,
    a ValidationError on the fields it names (or above them)."""
    if isinstance(exc, ApplicationError):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def service_error_messages(exc: ApplicationError | ValidationError) -> list[str]:
    """The sentences of a service's refusal, for a flash message."""
    if isinstance(exc, ApplicationError):
        return [str(exc)]
    return list(exc.messages)


def param_field(spec, *, help_text: str = "") -> forms.Field:
    """The form field for one metric parameter (`qms.registry.Param`): a list of what
    the portal knows (surveys, questions, topics, segments, departments, or the metric's
    fixed choices), a number box for a number; never a box for a code or JSON."""
    from qms.registry import param_kinds

    if spec.kind == "number":
        return forms.IntegerField(
            label=spec.label, required=False, min_value=1, help_text=help_text
        )
    if spec.kind == "choice":
        return forms.ChoiceField(
            label=spec.label,
            required=False,
            choices=[("", _("As the metric counts by default")), *spec.choices],
            help_text=help_text,
        )
    if spec.kind == "text":
        return forms.CharField(
            label=spec.label, required=False, max_length=100, help_text=help_text
        )
    everything = {
        "survey": _("All surveys"),
        "question": _("Every question of its kind"),
        "topic": _("All topics"),
        "segment": _("All segments"),
        "department": _("All departments"),
    }.get(spec.kind, _("All"))
    return forms.ChoiceField(
        label=spec.label,
        required=False,
        choices=[("", everything), *param_kinds.choices(spec.kind)],
        help_text=help_text,
    )
