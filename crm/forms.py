"""Forms of the CRM pages. They validate input; the rules live in crm/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import DateInput, DateTimeInput
from customers.models import Topic
from qms.models import Department, User
from qms.selectors import department_ids_for_user

from .models import Booking, Complaint, Interaction, Preference
from .services import LOGGABLE_KINDS


def _departments_for(user):
    qs = Department.objects.order_by("name")
    if user.is_quality_manager:
        return qs
    return qs.filter(pk__in=department_ids_for_user(user))


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=[(k, k.label) for k in LOGGABLE_KINDS])
    channel = forms.ChoiceField(label=_("Channel"), choices=Interaction.Channel.choices)
    occurred_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was said or done, and what was promised."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments_for(user)
        if user.is_quality_manager:
            self.fields["department"].required = False


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["category", "value", "note", "source", "last_confirmed_on", "department"]
        widgets = {"last_confirmed_on": DateInput()}
        help_texts = {
            "value": _("E.g. “Room facing the sea”, “Sugar-free coffee”, “Aisle seat”."),
        }


class BookingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Booking.Kind.choices)
    starts_at = forms.DateTimeField(label=_("Arrives or starts"), widget=DateTimeInput())
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments_for(user)


class ComplaintForm(forms.Form):
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In the customer's words where possible."),
    )
    remedy_sought = forms.CharField(
        label=_("Remedy the customer seeks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.filter(is_active=True).order_by("name")
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Complaint.Severity.choices,
        initial=Complaint.Severity.MEDIUM,
        help_text=_("Sets the response target: critical 1 day, high 3, medium 7, low 14."),
    )
    department = forms.ModelChoiceField(
        label=_("Department concerned"), queryset=Department.objects.order_by("name")
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("username"),
        help_text=_("Empty: the head of the department concerned."),
    )
    channel = forms.ChoiceField(label=_("Received through"), choices=Interaction.Channel.choices)


class ComplaintStepForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decision = forms.CharField(
        label=_("Decision sent to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action != "decide":
            del self.fields["decision"]
        else:
            self.fields["decision"].required = True
        if action == "reject":
            self.fields["note"].required = True
            self.fields["note"].label = _("Why the customer rejects the outcome")


class ComplaintEscalateForm(forms.Form):
    note = forms.CharField(
        label=_("Why a corrective action is needed"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(label=_("Reference or customer"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + Complaint.Status.choices
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.order_by("name"),
        empty_label=_("All topics"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    open = forms.BooleanField(label=_("Open only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data.get("q", "").strip(),
            "status": data.get("status", ""),
            "open_only": bool(data.get("open")),
            "overdue": bool(data.get("overdue")),
            "topic": data.get("topic"),
        }


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. “Customer's written request of 2026-03-01”."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the personal data cannot be restored."), required=True
    )
