import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.models import User

from .models import (
    Consent,
    Contact,
    Customer,
    Interview,
    InterviewFinding,
    Requirement,
    Segment,
    Topic,
)
from .selectors import pareto_sources


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# --- Customers -------------------------------------------------------------------------


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "kind",
            "name",
            "external_ref",
            "segment",
            "language",
            "email",
            "phone",
            "address",
            "account_owner",
            "is_active",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.order_by("name")
        self.fields["account_owner"].queryset = User.objects.filter(is_active=True).order_by(
            "last_name", "first_name", "username"
        )


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        required=False,
        queryset=Segment.objects.order_by("name"),
        empty_label=_("All segments"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Customer.Kind.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("All languages")), *Customer.Language.choices],
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        active = {"yes": True, "no": False}.get(data["active"])
        return {
            "search": data["q"],
            "segment": data["segment"],
            "kind": data["kind"],
            "language": data["language"],
            "active": active,
        }


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Consent.Channel.choices)
    granted = forms.TypedChoiceField(
        label=_("Consent"),
        choices=[("yes", _("Given")), ("no", _("Withdrawn"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(label=_("How"), choices=Consent.Method.choices)
    recorded_at = forms.DateTimeField(
        label=_("When"),
        widget=DateTimeInput(),
        help_text=_("When the customer gave or withdrew consent."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean_recorded_at(self):
        value = self.cleaned_data["recorded_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("Consent cannot be recorded for a time in the future."))
        return value


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "job_title", "email", "phone", "is_primary"]


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["name", "code", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self):
        """Uniqueness is the service's rule (with a readable message)."""


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "slug", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self):
        """Uniqueness is the service's rule (with a readable message)."""


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)


# --- Imports ---------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma or semicolon separated, with the column names on line 1."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload


# --- Research --------------------------------------------------------------------------


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


class CustomerRefField(forms.CharField):
    """A customer typed as their external reference (or exact name): a select of every
    customer would not scale to a large customer base."""

    default_error_messages = {
        "unknown": _("No customer has the reference or name “%(value)s”."),
        "ambiguous": _("Several customers are called “%(value)s”; type the reference."),
    }

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        found = Customer.objects.filter(external_ref=value).first()
        if found is None:
            by_name = list(Customer.objects.filter(name__iexact=value)[:2])
            if len(by_name) > 1:
                raise forms.ValidationError(
                    self.error_messages["ambiguous"], params={"value": value}
                )
            found = by_name[0] if by_name else None
        if found is None:
            raise forms.ValidationError(self.error_messages["unknown"], params={"value": value})
        return found

    def prepare_value(self, value):
        if isinstance(value, Customer):
            return value.external_ref or value.name
        if isinstance(value, int):
            customer = Customer.objects.filter(pk=value).first()
            return (customer.external_ref or customer.name) if customer else ""
        return value


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
