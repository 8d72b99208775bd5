"""Writes for the research sources: interviews and their findings, and the ticket and
purchase imports (through the customers app's import engine). Keyword-only, atomic,
validated; a broken rule raises ApplicationError with a message a person can read."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import services as customer_services
from customers.imports import ImportReport
from customers.models import Customer, Segment, Topic
from qms.exceptions import ApplicationError
from qms.services_kit import model_update
from qms.workflow import lock

from . import imports
from .models import Interview, InterviewFinding

INTERVIEW_FIELDS = ("title", "held_on", "interviewer", "customer", "segment", "notes")

# --- Interviews ------------------------------------------------------------------------


@transaction.atomic
def interview_create(
    *,
    title: str,
    held_on: dt.date,
    interviewer,
    customer: Customer | None = None,
    segment: Segment | None = None,
    notes: str = "",
) -> Interview:
    if customer is None and segment is None:
        raise ApplicationError(
            _("Name the customer interviewed, or the segment of the group interviewed.")
        )
    if held_on > timezone.localdate():
        raise ApplicationError(_("An interview cannot be recorded before it is held."))
    interview = Interview(
        title=title,
        held_on=held_on,
        interviewer=interviewer,
        customer=customer,
        segment=segment,
        notes=notes,
    )
    interview.full_clean()
    interview.save()
    return interview


@transaction.atomic
def interview_update(*, interview: Interview, **fields) -> Interview:
    interview = lock(interview)
    data = {name: value for name, value in fields.items() if name in INTERVIEW_FIELDS}
    interview, _changed = model_update(
        instance=interview, fields=INTERVIEW_FIELDS, data=data, prepare=_someone_interviewed
    )
    return interview


def _someone_interviewed(interview: Interview) -> None:
    if interview.customer_id is None and interview.segment_id is None:
        raise ApplicationError(
            _("Name the customer interviewed, or the segment of the group interviewed.")
        )


@transaction.atomic
def finding_add(*, interview: Interview, topic: Topic, note: str, requirement=None):
    if not note.strip():
        raise ApplicationError(_("Write down what was learned."))
    finding = InterviewFinding(
        interview=interview, topic=topic, note=note.strip(), requirement=requirement
    )
    finding.full_clean()
    finding.save()
    return finding


@transaction.atomic
def finding_delete(*, finding: InterviewFinding) -> None:
    finding.delete()


# --- Imports (the customers app's engine, one rule: all-or-nothing) --------------------

SCHEMAS = {
    "tickets": imports.TicketSchema,
    "purchases": imports.PurchaseSchema,
}


def import_csv(*, kind: str, upload) -> ImportReport:
    """Import an uploaded CSV file of `kind` (tickets or purchases)."""
    return customer_services.import_file(schema=SCHEMAS[kind](), upload=upload)


def import_items(*, kind: str, items) -> ImportReport:
    """Import a JSON list of objects from the API; same rule and report as a CSV file."""
    return customer_services.import_list(schema=SCHEMAS[kind](), items=items)
