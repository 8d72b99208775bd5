from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Segment
from qms.models import Department

from .models import Place
from .selectors import publishable_versions


class PlaceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("As staff call it, e.g. “Dining room, tables 1-12” or “Front desk”."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        help_text=_("Low scores left with contact details become its head's follow-ups."),
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.order_by("name"),
        required=False,
        empty_label=_("Any customer"),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    @classmethod
    def initial_for(cls, place: Place) -> dict:
        return {
            "name": place.name,
            "department": place.department_id,
            "segment": place.segment_id,
            "description": place.description,
        }


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(survey)s, version %(number)s") % {
            "survey": obj.survey.title,
            "number": obj.number,
        }


class CollectorForm(forms.Form):
    survey_version = VersionChoiceField(
        label=_("Survey"),
        queryset=publishable_versions(),
        help_text=_("The published survey the QR code opens."),
    )


class PlaceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)


class KioskForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the tablet"),
        max_length=80,
        help_text=_("So you know which one to revoke, e.g. “Tablet at the exit”."),
    )
