"""Helpers the CRM services share: the portal's base URL for links in e-mails, and
who may write (staff for their own departments, quality managers for any)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from qms.exceptions import ApplicationError
from qms.models import Department
from qms.selectors import department_ids_for_user


def base_url() -> str:
    return getattr(settings, "QMS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


# --- Who may write ---------------------------------------------------------------------


def _check_department(*, actor, department: Department | None) -> None:
    """Staff log for their own departments; quality managers for any."""
    if actor is None or actor.is_quality_manager:
        return
    if department is None or department.pk not in department_ids_for_user(actor):
        raise ApplicationError(_("Choose one of your own departments."))


def _check_can_log(actor) -> None:
    if actor is None or actor.is_quality_manager:
        return
    if not department_ids_for_user(actor):
        raise ApplicationError(_("Only quality managers and department members log this."))
