"""Customer preferences (one per category and value).

Any department member records a preference, for the department that prepares it (like a
complaint routed to the department concerned); changing or deleting one follows the
department rule (`crm.selectors.preference_changeable`): checked here as well as by the
pages and the API, so no interface can skip it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import Customer
from qms.exceptions import ApplicationError
from qms.services_kit import model_update
from qms.workflow import lock

from ..models import Preference
from ..selectors import preference_can_change
from ._common import _check_can_log


def _check_can_change(preference: Preference, actor) -> None:
    if actor is None:
        return
    if not preference_can_change(user=actor, preference=preference):
        raise ApplicationError(_("Only the department that prepares this preference changes it."))


# --- Preferences -----------------------------------------------------------------------

PREFERENCE_FIELDS = ("category", "value", "note", "source", "last_confirmed_on", "department")


def _preference_clash(customer, category, value, exclude_pk=None) -> None:
    clash = Preference.objects.filter(customer=customer, category=category, value__iexact=value)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ApplicationError(_("This customer already has this preference."))


@transaction.atomic
def preference_create(*, customer: Customer, actor=None, **fields) -> Preference:
    _check_can_log(actor)
    unknown = set(fields) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown preference fields: {sorted(unknown)}")
    _preference_clash(customer, fields.get("category"), fields.get("value", ""))
    preference = Preference(customer=customer, **fields)
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def preference_update(*, preference: Preference, actor=None, **fields) -> Preference:
    _check_can_log(actor)
    preference = lock(preference)
    _check_can_change(preference, actor)
    for name in fields:
        if name not in PREFERENCE_FIELDS:
            raise TypeError(f"Unknown preference field: {name}")

    def no_clash(preference: Preference) -> None:
        _preference_clash(
            preference.customer_id, preference.category, preference.value, exclude_pk=preference.pk
        )

    preference, _changed = model_update(
        instance=preference, fields=PREFERENCE_FIELDS, data=fields, prepare=no_clash
    )
    return preference


@transaction.atomic
def preference_delete(*, preference: Preference, actor=None) -> None:
    _check_can_log(actor)
    preference = lock(preference)
    _check_can_change(preference, actor)
    preference.delete()
