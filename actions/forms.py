"""Forms of the corrective-action pages. They validate input; services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm import selectors as crm_selectors
from crm.models import Complaint
from customers.models import Topic
from objectives.models import Objective, ObjectiveAnalysis
from qms.models import Department, User
from qms.registry import Direction, param_kinds, registry
from qms.ui.forms import param_field
from satisfaction.models import FollowUpCase, Wave

from .models import CorrectiveAction, Measure, SourceKind

S = CorrectiveAction.Status
DATE = forms.DateInput(attrs={"type": "date"})


def _people():
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")


class ComplaintChoiceField(forms.ModelMultipleChoiceField):
    """Complaints in words: number, customer, topic and the start of what happened."""

    def label_from_instance(self, complaint):
        words = " ".join(complaint.description.split())
        if len(words) > 70:
            words = words[:69] + "…"
        return (
            f"{complaint.reference} · {complaint.customer.name} · {complaint.topic.name} · "
            f"{complaint.get_status_display()} · {words}"
        )


class ActionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), ("active", _("Not finished")), *S.choices],
    )
    source = forms.ChoiceField(
        label=_("Opened from"), required=False, choices=[("", _("Any")), *SourceKind.choices]
    )
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.order_by("name")
    )
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=_people())
    topic = forms.ModelChoiceField(
        label=_("Topic"), required=False, queryset=Topic.objects.order_by("name")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name == "q":
                field.widget.attrs["class"] = "form-control form-control-sm"
            elif name != "overdue":
                field.widget.attrs["class"] = "form-select form-select-sm"


class ActionCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Problem description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.filter(is_active=True).order_by("name"),
        help_text=_("Choosing a topic lists similar actions, so duplicates are merged."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name")
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=_people())
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    source_kind = forms.ChoiceField(
        label=_("Opened from"), choices=SourceKind.choices, initial=SourceKind.MANUAL
    )
    wave = forms.ModelChoiceField(
        label=_("Survey wave"),
        required=False,
        queryset=Wave.objects.select_related("survey_version__survey").order_by("-starts_at"),
    )
    question_code = forms.ChoiceField(
        label=_("Question"),
        required=False,
        choices=(),
        help_text=_("The question the finding is about, if it is about one."),
    )
    followup_case = forms.ModelChoiceField(
        label=_("Follow-up case"),
        required=False,
        queryset=FollowUpCase.objects.select_related("customer").order_by("-created_at"),
    )
    objective = forms.ModelChoiceField(
        label=_("Objective"), required=False, queryset=Objective.objects.order_by("-period_end")
    )
    objective_analysis = forms.ModelChoiceField(
        label=_("Objective analysis"),
        required=False,
        queryset=ObjectiveAnalysis.objects.select_related("objective").order_by("-at"),
    )
    complaints = ComplaintChoiceField(
        label=_("Complaints"),
        required=False,
        queryset=Complaint.objects.none(),
        widget=forms.SelectMultiple(attrs={"data-searchable": "", "size": 6}),
        help_text=_(
            "Type a customer's name, the topic or words of the complaint to find it; pick "
            "one or more."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the complaints this user may see are offered.
        self.fields["complaints"].queryset = (
            crm_selectors.complaint_list(user=user)
            if user is not None
            else Complaint.objects.none()
        )
        self.fields["question_code"].choices = [
            ("", _("— any question —")),
            *param_kinds.choices("question"),
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("source_kind")
        missing = {
            SourceKind.SURVEY_FINDING: ("wave", _("Choose the wave the finding comes from.")),
            SourceKind.FOLLOWUP_CASE: ("followup_case", _("Choose the follow-up case.")),
            SourceKind.COMPLAINT: ("complaints", _("Choose the complaint(s).")),
        }.get(kind)
        if missing and not data.get(missing[0]):
            self.add_error(missing[0], missing[1])
        if (
            kind == SourceKind.MISSED_OBJECTIVE
            and not data.get("objective")
            and not data.get("objective_analysis")
        ):
            self.add_error("objective", _("Choose the missed objective or its analysis."))
        return data


class ContainmentForm(forms.Form):
    containment = forms.CharField(
        label=_("Containment (what holds the problem now)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    not_needed = forms.BooleanField(label=_("Containment not needed"), required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("containment") or "").strip() and not data.get("not_needed"):
            raise forms.ValidationError(
                _("Describe the containment, or tick “containment not needed”.")
            )
        return data


class RootCauseForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[c for c in CorrectiveAction.RootCauseMethod.choices if c[0]],
        widget=forms.RadioSelect,
    )
    why1 = forms.CharField(label=_("Why 1"), required=False, max_length=300)
    why2 = forms.CharField(label=_("Why 2"), required=False, max_length=300)
    why3 = forms.CharField(label=_("Why 3"), required=False, max_length=300)
    why4 = forms.CharField(label=_("Why 4"), required=False, max_length=300)
    why5 = forms.CharField(label=_("Why 5"), required=False, max_length=300)
    people = forms.CharField(label=_("People"), required=False, max_length=300)
    method_cause = forms.CharField(label=_("Method (process)"), required=False, max_length=300)
    machine = forms.CharField(label=_("Machine"), required=False, max_length=300)
    material = forms.CharField(label=_("Material"), required=False, max_length=300)
    measurement = forms.CharField(label=_("Measurement"), required=False, max_length=300)
    environment = forms.CharField(label=_("Environment"), required=False, max_length=300)
    statement = forms.CharField(
        label=_("Root-cause statement"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "method": d["method"],
            "statement": d["statement"],
            "whys": [d[f"why{i}"] for i in range(1, 6)],
            "categories": {
                "people": d["people"],
                "method": d["method_cause"],
                "machine": d["machine"],
                "material": d["material"],
                "measurement": d["measurement"],
                "environment": d["environment"],
            },
        }


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("Measure"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=_people())
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name")
    )
    due_date = forms.DateField(label=_("Due date"), widget=DATE)


class MeasureStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)


class WindowsForm(forms.Form):
    baseline_start = forms.DateField(label=_("Baseline from"), widget=DATE)
    baseline_end = forms.DateField(label=_("Baseline until"), widget=DATE)
    followup_start = forms.DateField(label=_("Follow-up from"), widget=DATE)
    followup_end = forms.DateField(label=_("Follow-up until"), widget=DATE)
    min_n = forms.IntegerField(label=_("Minimum n in each window"), min_value=1, initial=10)

    def clean(self):
        d = super().clean()
        if (
            d.get("baseline_start")
            and d.get("baseline_end")
            and d["baseline_end"] < d["baseline_start"]
        ):
            self.add_error("baseline_end", _("The baseline cannot end before it starts."))
        if (
            d.get("followup_start")
            and d.get("followup_end")
            and d["followup_end"] < d["followup_start"]
        ):
            self.add_error("followup_end", _("The follow-up cannot end before it starts."))
        return d


class CriterionForm(forms.Form):
    """An effectiveness criterion chosen in words: the metric (a hidden field here; the
    page lists the metrics by name and description), each of its parameters as a list of
    the portal's surveys, questions, topics, segments or departments, and the signed
    target change. Nothing is typed but the target."""

    metric_key = forms.ChoiceField(label=_("Metric"), choices=(), widget=forms.HiddenInput)
    target_change_pct = forms.DecimalField(
        label=_("Target change (%)"),
        max_digits=7,
        decimal_places=2,
    )

    def __init__(self, *args, metric_key: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric_key"].choices = [(m.key, m.label) for m in registry.all()]
        key = (
            metric_key
            or (self.data.get(self.add_prefix("metric_key")) if self.is_bound else None)
            or self.initial.get("metric_key")
        )
        self.metric = next((m for m in registry.all() if m.key == key), None)
        target = self.fields.pop("target_change_pct")
        if self.metric is not None:
            for spec in self.metric.param_specs:
                self.fields[f"param_{spec.name}"] = param_field(spec)
            if self.metric.direction == Direction.LOWER_IS_BETTER:
                target.help_text = _("Lower is better: a fall, e.g. -50 to halve it.")
            else:
                target.help_text = _("Higher is better: a rise, e.g. 10 for ten per cent more.")
        self.fields["target_change_pct"] = target

    def param_fields(self):
        return [self[name] for name in self.fields if name.startswith("param_")]

    def clean(self):
        data = super().clean()
        data["metric_params"] = {
            name.removeprefix("param_"): value
            for name, value in data.items()
            if name.startswith("param_") and value not in (None, "")
        }
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "metric_key": d["metric_key"],
            "metric_params": {k: str(v) for k, v in d["metric_params"].items()},
            "target_change_pct": d["target_change_pct"],
        }


class ExtensionForm(forms.Form):
    new_date = forms.DateField(label=_("New due date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=S.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    justification = forms.CharField(
        label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    implemented_by = forms.ModelChoiceField(
        label=_("Implemented by"), required=False, queryset=_people()
    )

    def clean(self):
        d = super().clean()
        if (
            d.get("to") in (S.CANCELLED, S.NO_ACTION_NEEDED)
            and not (d.get("justification") or "").strip()
        ):
            self.add_error("justification", _("Write why this action is not going ahead."))
        return d


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=CorrectiveAction.objects.exclude(status__in=CorrectiveAction.TERMINAL),
        help_text=_("The surviving action; this one is cancelled as its duplicate."),
    )
