"""Row schemas of the research sources for the customers app's import engine (see
customers/imports.py: one engine, all-or-nothing, matched on `external_id`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    columns = ("external_id", "customer", "topic", "opened_at")
    optional_columns = ("product", "closed_at", "resolution")
    fields = ("customer_id", "topic_id", "product", "opened_at", "closed_at", "resolution")
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
            "topic_id": check(lookup, row, "topic", lookups["topics"], TOPIC),
            "product": check(text, row, "product", max_length=120),
            "opened_at": check(moment, row, "opened_at", required=True),
            "closed_at": check(moment, row, "closed_at"),
            "resolution": check(text, row, "resolution", multiline=True),
        }
        opened_at, closed_at = values["opened_at"], values["closed_at"]
        if opened_at and closed_at and closed_at < opened_at:
            check.fail(_("“closed_at” is before “opened_at”."))
        check.done()
        return values


class PurchaseSchema(RowSchema):
    columns = ("external_id", "customer", "product", "amount", "purchased_at")
    optional_columns = ("quantity",)
    fields = ("customer_id", "product", "quantity", "amount", "purchased_at")
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
        }
        check.done()
        return values
