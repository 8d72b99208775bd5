"""Interactions: logged by hand, imported in bulk, mirrored from purchases, tickets and
interviews into the customer's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers import imports
from customers.models import Customer
from qms.exceptions import ApplicationError
from qms.models import Department
from research.models import Interview, Purchase, Ticket

from ..models import Interaction
from ._common import _check_department

# --- Interactions ----------------------------------------------------------------------

LOGGABLE_KINDS = (
    Interaction.Kind.ORDER,
    Interaction.Kind.PURCHASE,
    Interaction.Kind.VISIT,
    Interaction.Kind.CALL,
    Interaction.Kind.EMAIL,
    Interaction.Kind.INTERVIEW,
    Interaction.Kind.SURVEY_RESPONSE,
)


@transaction.atomic
def interaction_log(
    *,
    customer: Customer,
    kind: str,
    channel: str,
    occurred_at: dt.datetime,
    department: Department | None,
    summary: str,
    actor=None,
    link: str = "",
    external_id: str = "",
) -> Interaction:
    """Log one interaction by hand (a call, an e-mail, a visit…)."""
    _check_department(actor=actor, department=department)
    if kind not in LOGGABLE_KINDS:
        raise ApplicationError(
            _("Complaints and bookings have their own forms; log a call, e-mail, visit or order.")
        )
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ApplicationError(
            _("An interaction is logged after it happened; use a booking for a future visit.")
        )
    interaction = Interaction(
        customer=customer,
        kind=kind,
        channel=channel,
        occurred_at=occurred_at,
        department=department,
        summary=summary,
        logged_by=actor,
        link=link,
        external_id=external_id,
    )
    interaction.full_clean()
    interaction.save()
    return interaction


class InteractionSchema(imports.RowSchema):
    """Bulk interactions (CSV upload or API list), matched on `external_id`: columns
    external_id, customer (external reference), kind, occurred_at; optional channel,
    department (code), summary."""

    columns = ("external_id", "customer", "kind", "occurred_at")
    optional_columns = ("channel", "department", "summary")
    fields = ("customer_id", "kind", "channel", "occurred_at", "department_id", "summary")
    label = gettext_lazy("interactions")
    # The chunked engine: the interactions table carries the timeline's mirror rows and
    # constraints the COPY path does not yet fill (tickets and purchases use COPY).
    copy_import = False

    @property
    def model(self):
        return Interaction

    def load_lookups(self) -> dict:
        departments = {}
        for pk, code in Department.objects.values_list("id", "code"):
            departments[code] = pk
            departments[code.lower()] = pk
        return {"customers": imports._customer_refs(), "departments": departments}

    def parse(self, row, lookups):
        check = imports.Collect()
        values = {
            "external_id": check(imports.text, row, "external_id", required=True, max_length=60),
            "customer_id": check(
                imports.lookup, row, "customer", lookups["customers"], _("customer")
            ),
            "kind": check(
                imports.choice,
                row,
                "kind",
                [(k, k.label) for k in LOGGABLE_KINDS],
                default="",
            ),
            "channel": check(
                imports.choice,
                row,
                "channel",
                Interaction.Channel.choices,
                default=Interaction.Channel.SYSTEM,
            ),
            "occurred_at": check(imports.moment, row, "occurred_at", required=True),
            "department_id": check(
                imports.lookup,
                row,
                "department",
                lookups["departments"],
                _("department"),
                required=False,
            ),
            "summary": check(imports.text, row, "summary", multiline=True),
        }
        if values["kind"] == "":
            check.fail(_("“kind” is empty."))
        check.done()
        return values


def interactions_import(*, open_rows: Callable[[], Iterator[tuple[int, dict]]]):
    """All-or-nothing bulk import through the shared engine (same report format)."""
    return imports.run_import(InteractionSchema(), open_rows)


MIRROR_BATCH = 5000


def interactions_mirror_sources(*, customer: Customer | None = None, limit: int = MIRROR_BATCH):
    """Write the missing timeline rows of purchases, tickets and customer interviews
    (imported through the import engine, which does not know the timeline). Idempotent:
    each source row has at most one mirror (unique one-to-one); bounded per call.
    Returns the number of rows written."""
    written = 0
    purchases = Purchase.objects.filter(interaction__isnull=True)
    tickets = Ticket.objects.filter(interaction__isnull=True).select_related("topic")
    interviews = Interview.objects.filter(customer__isnull=False).exclude(
        Exists(Interaction.objects.filter(interview=OuterRef("pk"), customer=OuterRef("customer")))
    )
    if customer is not None:
        purchases = purchases.filter(customer=customer)
        tickets = tickets.filter(customer=customer)
        interviews = interviews.filter(customer=customer)
    rows = [
        Interaction(
            customer_id=p.customer_id,
            kind=Interaction.Kind.PURCHASE,
            channel=Interaction.Channel.SYSTEM,
            occurred_at=p.purchased_at,
            purchase=p,
        )
        for p in purchases.order_by("id")[:limit]
    ]
    rows += [
        Interaction(
            customer_id=t.customer_id,
            kind=Interaction.Kind.TICKET,
            channel=Interaction.Channel.SYSTEM,
            occurred_at=t.opened_at,
            ticket=t,
        )
        for t in tickets.order_by("id")[:limit]
    ]
    rows += [
        Interaction(
            customer_id=i.customer_id,
            kind=Interaction.Kind.INTERVIEW,
            channel=Interaction.Channel.IN_PERSON,
            occurred_at=timezone.make_aware(dt.datetime.combine(i.held_on, dt.time(12))),
            interview=i,
        )
        for i in interviews.order_by("id")[:limit]
    ]
    if rows:
        Interaction.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        written = len(rows)
    return written
