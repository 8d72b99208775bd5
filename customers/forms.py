import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.models import User
from qms.timezones import zone_choices

from .models import Consent, Contact, Customer, Segment, Topic


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
            "time_zone",
            "account_owner",
            "is_active",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = forms.Select(
            choices=zone_choices(blank_label=_("The organisation's time zone"))
        )
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


CODE_HELP = _(
    "Optional: left empty, it is made from the name. Import files may name it in their "
    "column instead of the name."
)


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["name", "code", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = bool(self.instance.pk)
        if not self.instance.pk:
            self.fields["code"].help_text = CODE_HELP

    def validate_unique(self):
        """Uniqueness is the service's rule (with a readable message)."""


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "slug", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = bool(self.instance.pk)
        if not self.instance.pk:
            self.fields["slug"].help_text = CODE_HELP

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


# --- Fields ----------------------------------------------------------------------------


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
