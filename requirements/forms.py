"""Forms of the requirements register and its deployment. They validate input; the
rules live in requirements/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Segment, Topic
from qms.models import Department, User

from .models import Deployment, Requirement


class RequirementForm(forms.ModelForm):
    class Meta:
        model = Requirement
        fields = [
            "title",
            "description",
            "kind",
            "segment",
            "importance",
            "acceptance_criterion",
            "reference",
            "owner",
            "topics",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "topics": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(
            "last_name", "first_name", "username"
        )
        self.fields["segment"].queryset = Segment.objects.order_by("name")
        self.fields["topics"].queryset = Topic.objects.filter(is_active=True).order_by("name")
        self.fields["kind"].help_text = _(
            "Statutory and contractual needs are must-be (meet requirements); stated and "
            "implied ones are performance (identify needs); delighters are attractive "
            "(exceed expectations)."
        )


class RequirementFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Requirement.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Requirement.Status.choices],
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        required=False,
        queryset=Segment.objects.order_by("name"),
        empty_label=_("All segments"),
        to_field_name="code",
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.order_by("name"),
        empty_label=_("All topics"),
        to_field_name="slug",
    )
    department = forms.ModelChoiceField(
        label=_("Deployed to"),
        required=False,
        queryset=Department.objects.order_by("name"),
        empty_label=_("Any department"),
        to_field_name="code",
    )


class ReviewForm(forms.Form):
    can_meet = forms.TypedChoiceField(
        label=_("Can the organisation meet this requirement?"),
        choices=[("yes", _("Yes, we can meet it")), ("no", _("No, not as it stands"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for “no”: say why. A “no” sends the requirement back to proposed."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("can_meet") is False and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Say why the organisation cannot meet it."))
        return cleaned


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for retiring"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. “replaced by the 2027 check-in standard”."),
        error_messages={"required": _("Give a reason for retiring the requirement.")},
    )


class DeploymentForm(forms.ModelForm):
    class Meta:
        model = Deployment
        fields = ["department", "commitment", "ack_days"]
        widgets = {"commitment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, requirement=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("name")
        if requirement is not None:
            departments = departments.exclude(requirement_deployments__requirement=requirement)
        self.fields["department"].queryset = departments


class DeploymentUpdateForm(forms.ModelForm):
    class Meta:
        model = Deployment
        fields = ["commitment", "ack_days"]
        widgets = {"commitment": forms.Textarea(attrs={"rows": 3})}


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. how and by when your department will meet the commitment."),
    )


class DecisionCiteForm(forms.Form):
    """Which customer need a review decision concerns, picked by title."""

    requirement = forms.ModelChoiceField(
        label=_("Customer need"),
        queryset=Requirement.objects.none(),
        empty_label=_("Choose a need"),
    )

    def __init__(self, *args, **kwargs):
        from .selectors import citable_requirements

        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = citable_requirements()
