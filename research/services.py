"""Writes for the research sources: interviews and their findings, and the ticket and
purchase imports (through the customers app's import engine). Keyword-only, atomic,
validated; a broken rule raises ApplicationError with a message a person can read."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coding import services as coding_services
from coding.models import Text
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
    interview_record_text(interview=interview)
    return interview


def interview_record_text(*, interview: Interview) -> None:
    """The interview's notes are a text to code (in Chinese, English or both)."""
    coding_services.record_text(
        source=interview,
        kind=Text.Kind.INTERVIEW_NOTE,
        body=interview.notes,
        customer=interview.customer,
        written_at=timezone.make_aware(dt.datetime.combine(interview.held_on, dt.time(12))),
    )


@transaction.atomic
def interview_update(*, interview: Interview, **fields) -> Interview:
    interview = lock(interview)
    data = {name: value for name, value in fields.items() if name in INTERVIEW_FIELDS}
    interview, _changed = model_update(
        instance=interview, fields=INTERVIEW_FIELDS, data=data, prepare=_someone_interviewed
    )
    interview_record_text(interview=interview)
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


@transaction.atomic
def ticket_create(*, external_id: str, customer: Customer, opened_at, **fields):
    """One ticket (the API, the demo): its text is recorded for coding."""
    from .models import Ticket

    ticket = Ticket(external_id=external_id, customer=customer, opened_at=opened_at, **fields)
    ticket.full_clean()
    ticket.save()
    ticket_record_text(ticket=ticket)
    return ticket


def ticket_record_text(*, ticket) -> None:
    coding_services.record_text(
        source=ticket,
        kind=Text.Kind.TICKET,
        body=ticket.text,
        customer=ticket.customer,
        written_at=ticket.opened_at,
        imported_topic=ticket.topic,
    )


def import_csv(*, kind: str, upload) -> ImportReport:
    """Import an uploaded CSV file of `kind` (tickets or purchases)."""
    return customer_services.import_file(schema=SCHEMAS[kind](), upload=upload)


def import_items(*, kind: str, items) -> ImportReport:
    """Import a JSON list of objects from the API; same rule and report as a CSV file."""
    return customer_services.import_list(schema=SCHEMAS[kind](), items=items)
