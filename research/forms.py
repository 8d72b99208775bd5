"""Forms of the research pages: period and segment filters, the Pareto form,
interviews and their findings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import CustomerRefField, DateInput
from customers.models import Customer, Segment, Topic
from qms.models import User
from requirements.models import Requirement

from .models import Interview, InterviewFinding
from .selectors import pareto_sources


class PeriodSegmentForm(forms.Form):
    """Period (from, to) and segment: the filters shared by research lists."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        required=False,
        queryset=Segment.objects.order_by("name"),
        empty_label=_("All segments"),
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period cannot end before it starts."))
        return data


class ResearchFilterForm(PeriodSegmentForm):
    q = forms.CharField(label=_("Search"), required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All topics"),
    )
    customer = forms.ModelChoiceField(
        required=False, queryset=Customer.objects.all(), widget=forms.HiddenInput
    )

    def __init__(self, *args, names=("search", "topic", "segment", "start", "end"), **kwargs):
        super().__init__(*args, **kwargs)
        self.names = names
        keep = {"q" if name == "search" else name for name in names}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        if "q" in data:
            data["search"] = data.pop("q")
        return {name: data[name] for name in self.names if name in data}


class ParetoForm(PeriodSegmentForm):
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("All sources"))] + [
            (s.key, s.label) for s in pareto_sources.all()
        ]


class InterviewForm(forms.ModelForm):
    customer = CustomerRefField(
        label=_("Customer"),
        required=False,
        help_text=_(
            "The customer's external reference or exact name; leave empty for a group interview."
        ),
    )

    class Meta:
        model = Interview
        fields = ["title", "held_on", "customer", "segment", "interviewer", "notes"]
        widgets = {"held_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "segment": _("For a group interview (e.g. a mom group), the segment it speaks for."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.order_by("name")
        self.fields["interviewer"].queryset = User.objects.filter(is_active=True).order_by(
            "last_name", "first_name", "username"
        )

    def clean(self):
        data = super().clean()
        if not data.get("customer") and not data.get("segment"):
            raise forms.ValidationError(
                _("Name the customer interviewed, or the segment of the group interviewed.")
            )
        return data


class FindingForm(forms.ModelForm):
    class Meta:
        model = InterviewFinding
        fields = ["topic", "note", "requirement"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(is_active=True).order_by("name")
        self.fields["requirement"].queryset = Requirement.objects.exclude(
            status=Requirement.Status.RETIRED
        ).order_by("title")
