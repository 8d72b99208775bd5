"""The privacy registry: what the portal holds about one customer, contributed by the
app that holds it (docs/architecture.md section 2).

The customer register lives in `customers`, but survey answers, follow-up cases,
complaints and e-mails live in apps to its right, which `crm` (where export and erasure
are offered) may not import. So each app with data about customers has a `privacy.py`
whose `register()` adds one or more **parts** here, found by name like the metrics:

    privacy.register(
        "survey_responses",                  # the section of the export
        models=(Response, Answer),           # the models whose rows it covers
        export=lambda subject: [...],        # JSON-ready rows about subject.customer
        erase=lambda subject: None,          # scrub them (one transaction, the caller's)
    )

Erasure removes what identifies a person (names, e-mails, phones, addresses, free
text, notes, history rows) and keeps what the aggregates count (scores, choices, dates,
states, amounts): NPS, response rates and complaint counts stay true after an erasure.
Parts are erased right to left (the apps that build on customers first, the customer
record itself last); every part reads the e-mail addresses captured before anything
was scrubbed from `subject.emails`.

`exempt(model, reason)` declares a model that can point at anything (a generic
relation) but never holds data about a customer. A test walks every model (history
tables included) and fails when one that refers to a customer, directly or one hop
away, is neither covered by a part nor exempt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ERASED_EMAIL = "erased@invalid"


@dataclass
class Subject:
    """The customer being exported or erased, and what identifies them elsewhere."""

    customer: Any
    emails: set[str] = field(default_factory=set)
    # The names the person goes by (the customer's and its contacts'), for texts such as
    # e-mails to staff ("Follow up with Mei Chen") that name them without a link.
    names: set[str] = field(default_factory=set)

    @property
    def placeholder(self) -> str:
        return f"Erased customer #{self.customer.pk}"


@dataclass(frozen=True)
class PrivacyPart:
    name: str
    app_label: str
    models: tuple[type, ...]
    export: Callable[[Subject], Any]
    erase: Callable[[Subject], None]


def plain(value):
    """A JSON-ready value (dates as ISO text, decimals as text)."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def rows(qs, fields: Iterable[str]) -> list[dict]:
    """`qs` as a list of dicts of `fields`, JSON-ready."""
    fields = tuple(fields)
    return [
        {name: plain(value) for name, value in zip(fields, row, strict=True)}
        for row in qs.values_list(*fields)
    ]


class PrivacyRegistry:
    def __init__(self):
        self._parts: dict[str, PrivacyPart] = {}
        self._exempt: dict[type, str] = {}

    def register(self, name: str, *, models, export, erase) -> None:
        models = tuple(models)
        if not models:
            raise ValueError("A privacy part covers at least one model.")
        self._parts[name] = PrivacyPart(
            name=name,
            app_label=models[0]._meta.app_label,
            models=models,
            export=export,
            erase=erase,
        )

    def exempt(self, model, reason: str) -> None:
        self._exempt[model] = reason

    def parts(self) -> list[PrivacyPart]:
        return list(self._parts.values())

    def covered_models(self) -> set[type]:
        return {model for part in self._parts.values() for model in part.models}

    def exempt_models(self) -> dict[type, str]:
        return dict(self._exempt)

    def export(self, subject: Subject) -> dict:
        return {part.name: part.export(subject) for part in self._parts.values()}

    def erase(self, subject: Subject) -> None:
        for part in reversed(self._parts.values()):
            part.erase(subject)


privacy = PrivacyRegistry()
