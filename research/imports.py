"""Row schemas of the research sources for the customers app's import engine (see
customers/imports.py: one engine, all-or-nothing, matched on `external_id`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coding.models import Text
from coding.services import record_texts
from customers.imports import (
    CUSTOMER,
    TOPIC,
    Collect,
    RowSchema,
    _customer_refs,
    _topic_keys,
    lookup,
    moment,
    money,
    positive_int,
    text,
)

from .models import Purchase, Ticket


class TicketSchema(RowSchema):
    """A ticket needs its customer and date; its topic is optional (the service desk
    may export only what the customer said: the text is coded to topics). Each written
    chunk records the tickets' texts for the coding app (one bulk call per chunk)."""

    columns = ("external_id", "customer", "opened_at")
    optional_columns = ("topic", "product", "description", "agent_notes", "closed_at", "resolution")
    fields = (
        "customer_id",
        "topic_id",
        "product",
        "description",
        "agent_notes",
        "opened_at",
        "closed_at",
        "resolution",
    )
    label = gettext_lazy("tickets")

    @property
    def model(self):
        return Ticket

    def load_lookups(self) -> dict:
        return {"customers": _customer_refs(), "topics": _topic_keys()}

    def parse(self, row, lookups):
        check = Collect()
        values = {
            "external_id": check(text, row, "external_id", required=True, max_length=60),
            "customer_id": check(lookup, row, "customer", lookups["customers"], CUSTOMER),
            "topic_id": check(lookup, row, "topic", lookups["topics"], TOPIC, required=False),
            "product": check(text, row, "product", max_length=120),
            "description": check(text, row, "description"),
            "agent_notes": check(text, row, "agent_notes"),
            "opened_at": check(moment, row, "opened_at", required=True),
            "closed_at": check(moment, row, "closed_at"),
            "resolution": check(text, row, "resolution", multiline=True),
        }
        opened_at, closed_at = values["opened_at"], values["closed_at"]
        if opened_at and closed_at and closed_at < opened_at:
            check.fail(_("“closed_at” is before “opened_at”."))
        check.done()
        return values

    def write(self, values, report):
        super().write(values, report)
        record_ticket_texts(external_ids=[v["external_id"] for v in values])

    def after_copy(self, keys):
        # The texts of the tickets created or changed, for coding (as `write` does).
        for start in range(0, len(keys), 5000):
            record_ticket_texts(external_ids=keys[start : start + 5000])


def record_ticket_texts(*, external_ids=None) -> int:
    """Record the texts of these tickets (all when None) for coding, their imported
    topic as an imported coding; streamed, so any number of tickets fits in memory."""
    qs = Ticket.objects.order_by("id")
    if external_ids is not None:
        qs = qs.filter(external_id__in=external_ids)
    rows = (
        {
            "object_id": pk,
            "body": "\n\n".join(p for p in (description, notes) if p.strip()),
            "customer_id": customer_id,
            "department_id": None,
            "written_at": opened_at,
            "topic_id": topic_id,
        }
        for pk, description, notes, customer_id, opened_at, topic_id in qs.values_list(
            "id", "description", "agent_notes", "customer_id", "opened_at", "topic_id"
        ).iterator(chunk_size=2000)
    )
    return record_texts(model=Ticket, kind=Text.Kind.TICKET, rows=rows)


class PurchaseSchema(RowSchema):
    """A purchase line; `order_ref` (optional) names the order it belongs to (see
    research.orders for what an order is). The segment at the time of the purchase is
    the customer's segment when the line is first written."""

    columns = ("external_id", "customer", "product", "amount", "purchased_at")
    optional_columns = ("quantity", "order_ref")
    fields = ("customer_id", "product", "quantity", "amount", "purchased_at", "order_ref")
    label = gettext_lazy("purchases")

    @property
    def model(self):
        return Purchase

    def load_lookups(self) -> dict:
        return {"customers": _customer_refs()}

    def parse(self, row, lookups):
        check = Collect()
        values = {
            "external_id": check(text, row, "external_id", required=True, max_length=60),
            "customer_id": check(lookup, row, "customer", lookups["customers"], CUSTOMER),
            "product": check(text, row, "product", required=True, max_length=120),
            "quantity": check(positive_int, row, "quantity", default=1),
            "amount": check(money, row, "amount"),
            "purchased_at": check(moment, row, "purchased_at", required=True),
            "order_ref": check(text, row, "order_ref", max_length=60),
        }
        check.done()
        return values

    def write(self, values, report):
        super().write(values, report)
        stamp_purchase_segments(external_ids=[v["external_id"] for v in values])

    def after_copy(self, keys):
        """PostgreSQL's COPY import writes the lines without `write`: stamp them here."""
        for start in range(0, len(keys), 5000):
            stamp_purchase_segments(external_ids=keys[start : start + 5000])


def stamp_purchase_segments(*, external_ids) -> int:
    """Give new purchase lines the segment their customer is in now (segment at the time
    of the event); lines that already have one keep it. One UPDATE, whatever wrote the
    rows."""
    from django.db.models import OuterRef, Subquery

    from customers.models import Customer

    return Purchase.objects.filter(
        external_id__in=external_ids, segment__isnull=True, customer__segment__isnull=False
    ).update(
        segment_id=Subquery(
            Customer.objects.filter(pk=OuterRef("customer_id")).values("segment_id")[:1]
        )
    )
