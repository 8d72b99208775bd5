"""Forms of the satisfaction pages. They validate input; services apply the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Segment
from surveys.models import Survey

from .models import FollowUpCase, Invitation, ResponseExport, Wave


class SurveyFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Title or code")}),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), required=False, choices=[("", _("Any"))] + Survey.Purpose.choices
    )


class WaveForm(forms.ModelForm):
    class Meta:
        model = Wave
        fields = [
            "name",
            "kind",
            "segment",
            "language",
            "starts_at",
            "send_window_start",
            "send_window_end",
            "expires_after_days",
            "max_reminders",
            "reminder_interval_days",
            "contact_cap_days",
            "recurrence_days",
            "trigger",
            "trigger_delay_hours",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "send_window_start": forms.TimeInput(attrs={"type": "time"}),
            "send_window_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.order_by("name")
        self.fields["starts_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["trigger_delay_hours"].required = False

    def clean_trigger_delay_hours(self):
        # Only used with a trigger; an empty box means the usual day.
        value = self.cleaned_data.get("trigger_delay_hours")
        return 24 if value is None else value

    def clean_max_reminders(self):
        value = self.cleaned_data["max_reminders"]
        if value > 5:
            raise forms.ValidationError(_("At most five reminders."))
        return value


class CommentFilterForm(forms.Form):
    q = forms.CharField(label=_("Contains"), required=False)
    wave = forms.ModelChoiceField(label=_("Wave"), queryset=Wave.objects.none(), required=False)
    segment = forms.ModelChoiceField(
        label=_("Segment"), queryset=Segment.objects.order_by("name"), required=False
    )
    dissatisfied = forms.ChoiceField(
        label=_("Respondents"),
        required=False,
        choices=[("", _("All")), ("yes", _("Dissatisfied")), ("no", _("Not dissatisfied"))],
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = Wave.objects.filter(survey_version__survey=survey).order_by(
            "-starts_at"
        )


class AnalysisFilterForm(forms.Form):
    period = forms.CharField(
        label=_("Period"), required=False, help_text=_("2026, 2026-Q3 or 2026-07")
    )
    wave = forms.ModelChoiceField(label=_("Wave"), queryset=Wave.objects.none(), required=False)
    segment = forms.ModelChoiceField(
        label=_("Segment"), queryset=Segment.objects.order_by("name"), required=False
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = Wave.objects.filter(survey_version__survey=survey).order_by(
            "-starts_at"
        )

    def clean_period(self):
        from qms.exceptions import ApplicationError
        from qms.registry import Period

        text = self.cleaned_data.get("period")
        if not text:
            return None
        try:
            return Period.parse(text)
        except ApplicationError as exc:
            raise forms.ValidationError(str(exc)) from None


class InvitationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any"))] + Invitation.State.choices
    )


class FollowUpForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=FollowUpCase.State.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResponseExportForm(forms.Form):
    """Export a survey's answers, or one wave's, as CSV or XLSX."""

    format = forms.ChoiceField(
        label=_("Format"),
        choices=ResponseExport.Format.choices,
        initial=ResponseExport.Format.CSV,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    wave = forms.ModelChoiceField(
        label=_("Wave"),
        queryset=Wave.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = Wave.objects.filter(
            survey_version__survey=survey
        ).select_related("survey_version")
