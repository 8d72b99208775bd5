from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    Branding,
    Department,
    ImpactAssessment,
    InterestedParty,
    ManagementReview,
    ReviewDecision,
    User,
)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "parent", "head", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Department.objects.order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["head"].queryset = User.objects.filter(is_active=True).order_by(
            "last_name", "first_name", "username"
        )


class MembershipForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        if department is not None:
            self.fields["user"].queryset = self.fields["user"].queryset.exclude(
                memberships__department=department
            )


class PersonForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "is_active"]


class PersonCreateForm(PersonForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        help_text=_("The person changes it after signing in."),
    )

    def clean_password(self):
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class DepartmentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or code")}),
    )


class PersonFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Name, username or e-mail")}),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *User.Role.choices]
    )


class StatusFilterForm(forms.Form):
    """`?status=` of a list whose statuses are links (the message log, conflicts): empty
    for all, else one of `statuses`."""

    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *statuses]


class PeriodForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        required=False,
        help_text=_("2026, 2026-Q3 or 2026-07"),
    )


class PartyForm(forms.ModelForm):
    class Meta:
        model = InterestedParty
        fields = ["name", "category", "needs", "influence", "interest", "review_date", "owner"]
        widgets = {
            "needs": forms.Textarea(attrs={"rows": 4}),
            "review_date": forms.DateInput(attrs={"type": "date"}),
        }


class PartyFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or need")}),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *InterestedParty.Category.choices],
    )


class ConflictForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What pulls against what"), widget=forms.Textarea)
    parties = forms.ModelMultipleChoiceField(
        label=_("Interested parties"),
        queryset=InterestedParty.objects.order_by("category", "name"),
        widget=forms.CheckboxSelectMultiple,
    )


class ConflictDecisionForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}))
    outcomes = forms.CharField(
        label=_("Outcome per party"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One line per party, e.g. “Suppliers: stable long-term orders”."),
    )


class ImpactForm(forms.Form):
    party = forms.ModelChoiceField(
        label=_("Interested party"), queryset=InterestedParty.objects.order_by("category", "name")
    )
    impact = forms.ChoiceField(label=_("Expected impact"), choices=ImpactAssessment.Impact.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    mitigation = forms.CharField(
        label=_("Mitigation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for a negative impact, unless a quality manager approves it."),
    )


class ImpactApprovalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this negative impact accepted?"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DashboardFilterForm(forms.Form):
    period = forms.CharField(
        label=_("Period"), required=False, help_text=_("2026, 2026-Q3 or 2026-07")
    )
    segment = forms.ChoiceField(label=_("Segment"), required=False)

    def __init__(self, *args, segments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", _("All segments")), *segments]


class DashboardSettingsForm(forms.Form):
    """Minimum answers, the at-risk margin, and a target for each dashboard tile (left
    empty: no target, or the target of an objective's key result)."""

    min_n = forms.IntegerField(
        label=_("Minimum answers to read a number"),
        min_value=1,
        help_text=_(
            "A tile or a month in a trend with fewer answers than this says “too few "
            "answers” instead of showing a number that swings on one response."
        ),
    )
    at_risk_margin_pct = forms.IntegerField(
        label=_("At-risk margin (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Missing a target by less than this share of it is “at risk”."),
    )

    def __init__(self, *args, tiles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tile_keys = []
        for tile, unit in tiles:
            name = f"target_{tile.key}"
            self.tile_keys.append((name, tile.key))
            self.fields[name] = forms.DecimalField(
                label=_("Target: %(tile)s") % {"tile": tile.label} + (f" ({unit})" if unit else ""),
                required=False,
                max_digits=12,
                decimal_places=2,
            )

    def targets(self) -> dict:
        return {key: self.cleaned_data.get(name) for name, key in self.tile_keys}


class ReviewForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_label = forms.CharField(
        label=_("Period reviewed"), max_length=10, help_text=_("2026, 2026-Q3 or 2026-07")
    )
    meeting_date = forms.DateField(
        label=_("Meeting date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    attendees = forms.CharField(
        label=_("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewNotesForm(forms.ModelForm):
    class Meta:
        model = ManagementReview
        fields = ["title", "meeting_date", "attendees", "resources_note", "improvement_note"]
        widgets = {
            "meeting_date": forms.DateInput(attrs={"type": "date"}),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "resources_note": forms.Textarea(attrs={"rows": 3}),
            "improvement_note": forms.Textarea(attrs={"rows": 3}),
        }


class DecisionForm(forms.ModelForm):
    class Meta:
        model = ReviewDecision
        fields = ["kind", "title", "owner", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(
            "last_name", "first_name"
        )


class DecisionCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (ReviewDecision.Status.DONE, _("Done")),
            (ReviewDecision.Status.CANCELLED, _("Cancelled")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


LOGO_ACCEPT = "image/png,image/jpeg,image/webp,image/gif"


class BrandingForm(forms.ModelForm):
    logo_upload = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG, JPEG, WebP or GIF image of at most 300 KB, ideally wide and short."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}
        ),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Branding
        fields = ["name", "main_colour", "contact_email", "contact_phone"]
        widgets = {"main_colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not (self.instance and self.instance.logo_type):
            del self.fields["remove_logo"]
