"""Forms validate input; the services apply the rules (and say what is wrong)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qms.models import Department, User
from qms.registry import registry
from qms.selectors import headed_department_ids
from qms.ui.forms import param_field
from requirements.models import Requirement

from .models import KeyResult, Objective


class PeriodFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, periods=(), departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p, p) for p in periods]
        if departments is not None:
            self.fields["department"].queryset = departments
        else:
            del self.fields["department"]


class ObjectiveForm(forms.ModelForm):
    period_label = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("A year (2026) or a quarter (2026-Q3).")
    )

    class Meta:
        model = Objective
        fields = [
            "title",
            "period_label",
            "department",
            "parent",
            "requirements",
            "owner",
            "description",
            "weight",
            "checkin_interval",
            "plan_what",
            "plan_resources",
            "plan_responsible",
            "plan_due",
            "plan_evaluation",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "plan_what": forms.Textarea(attrs={"rows": 3}),
            "plan_resources": forms.Textarea(attrs={"rows": 2}),
            "plan_evaluation": forms.Textarea(attrs={"rows": 2}),
            "plan_due": forms.DateInput(attrs={"type": "date"}),
            "requirements": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, level, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.level = level
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(
            "last_name", "first_name", "username"
        )
        if level == Objective.Level.ORGANISATION:
            del self.fields["department"]
            del self.fields["parent"]
            self.fields["requirements"].required = True
            self.fields["requirements"].queryset = Requirement.objects.filter(
                status__in=[Requirement.Status.ACCEPTED, Requirement.Status.DEPLOYED]
            ).order_by("title")
            self.fields["requirements"].error_messages["required"] = _(
                "Name at least one customer requirement this objective serves: objectives "
                "must not drift from customer needs."
            )
            self.fields["requirements"].help_text = _(
                "The customer needs this objective serves (accepted or deployed requirements)."
            )
        else:
            del self.fields["requirements"]
            departments = Department.objects.order_by("name")
            if not user.is_quality_manager:
                departments = departments.filter(id__in=headed_department_ids(user))
            self.fields["department"].queryset = departments
            self.fields["department"].required = True
            self.fields["parent"].queryset = Objective.objects.filter(
                level=Objective.Level.ORGANISATION, status=Objective.Status.ACTIVE
            ).order_by("-period_start", "title")
            self.fields["parent"].required = True
        if self.instance.pk:
            # Level and department are fixed once created.
            self.fields.pop("department", None)
            self.initial["period_label"] = self.instance.period_label

    def _post_clean(self):
        # The service validates the model (with the rules a ModelForm cannot see).
        pass


def metric_choices():
    return [("", _("— manual: no metric —"))] + [(m.key, str(m.label)) for m in registry.all()]


def _metric_params():
    """Every parameter any metric takes, once, with the metrics that take it."""
    specs: dict[str, tuple] = {}
    for metric in registry.all():
        for spec in metric.param_specs:
            first, users = specs.get(spec.name, (spec, []))
            specs[spec.name] = (first, [*users, str(metric.label)])
    return specs


class KeyResultForm(forms.ModelForm):
    """A key result; a computed one names its metric from a list and what it counts
    (survey, topic, segment, ...) from lists, never as typed JSON."""

    metric_key = forms.ChoiceField(label=_("Metric"), required=False)

    class Meta:
        model = KeyResult
        fields = [
            "title",
            "mode",
            "metric_key",
            "unit",
            "direction",
            "baseline",
            "target",
            "due_date",
            "weight",
        ]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric_key"].choices = metric_choices()
        # One list per parameter, placed after the metric; only a computed key result
        # uses them, and only those its metric takes.
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name == "metric_key":
                for pname, (spec, users) in _metric_params().items():
                    fields[f"param_{pname}"] = param_field(
                        spec,
                        help_text=_("Counted by: %(metrics)s.") % {"metrics": ", ".join(users)},
                    )
        self.fields = fields
        if self.instance.pk and self.instance.metric_params:
            for name, value in self.instance.metric_params.items():
                self.initial[f"param_{name}"] = value

    def clean(self):
        data = super().clean()
        params = {}
        for name in [n for n in data if n.startswith("param_")]:
            value = data.pop(name)
            if value not in (None, ""):
                params[name.removeprefix("param_")] = (
                    value if isinstance(value, int) else str(value)
                )
        data["metric_params"] = params if data.get("mode") == KeyResult.Mode.COMPUTED else {}
        metric = next((m for m in registry.all() if m.key == data.get("metric_key")), None)
        if metric is not None and data["metric_params"]:
            unused = [n for n in data["metric_params"] if n not in metric.parameters]
            specs = _metric_params()
            if unused:
                taken = ", ".join(str(metric.param(n).label) for n in metric.parameters)
                self.add_error(
                    None,
                    _("“%(metric)s” does not count by %(names)s; it counts by: %(taken)s.")
                    % {
                        "metric": metric.label,
                        "names": ", ".join(str(specs[n][0].label) for n in unused),
                        "taken": taken or _("nothing to choose"),
                    },
                )
        if data.get("mode") == KeyResult.Mode.COMPUTED and not data.get("metric_key"):
            self.add_error("metric_key", _("Choose the metric that computes this key result."))
        if data.get("mode") == KeyResult.Mode.MANUAL and data.get("metric_key"):
            self.add_error("metric_key", _("A manual key result has no metric."))
        return data

    def _post_clean(self):
        pass


class CheckInForm(forms.Form):
    value = forms.DecimalField(
        label=_("Current value"),
        max_digits=14,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    confidence = forms.TypedChoiceField(
        label=_("Confidence"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("—"))] + [(str(i), str(i)) for i in range(11)],
        help_text=_("0 = the target will not be reached, 10 = sure to reach it."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnalysisForm(forms.Form):
    text = forms.CharField(
        label=_("Analysis"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, why the target was missed, and what was learnt."),
    )
    corrective_action_needed = forms.BooleanField(
        label=_("A corrective action is needed"), required=False
    )


class PeriodCloseForm(forms.Form):
    period = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I confirm: close every objective of this period. This cannot be undone."),
    )
