"""Corrective actions' part of a customer's privacy export and erasure
(qms/privacy_registry.py): the sources that link an action to one of the customer's
complaints or follow-up cases. The action stays (it is the organisation's work, not
the customer's data); the note on the link, which may quote the customer, is blanked."""

from django.db.models import Q
from django.utils import timezone

from qms.privacy_registry import privacy, rows

from .models import ActionSource


def _sources(subject):
    customer = subject.customer
    return ActionSource.objects.filter(
        Q(complaint__customer=customer) | Q(followup_case__customer=customer)
    )


def export_action_sources(subject):
    return rows(
        _sources(subject),
        ("action__reference", "kind", "complaint__reference", "followup_case_id", "note"),
    )


def erase_action_sources(subject):
    _sources(subject).update(note="", updated_at=timezone.now())


def register():
    privacy.register(
        "action_sources",
        models=(ActionSource,),
        export=export_action_sources,
        erase=erase_action_sources,
    )
