"""Evidence by ISO 9001 clause (issue 21): what the portal holds for the clauses an
auditor checks for customer focus, for a period, with the gaps.

The apps to the right contribute their tables without `qms` importing them: each app's
`panels.py` calls `evidence.add(...)` in its `register()` (qms.discovery). A table's
`compute(period, limit)` returns an `EvidenceTable` in a fixed number of queries (a count
and a page of rows; `limit=None` for every row, for the PDF and the CSVs), so the page
costs the same whatever the data.

The result is plain data (strings, numbers, URLs), so one structure feeds the page, the
PDF (`qms.evidence_pack`) and the ZIP of CSVs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .registry import Period

# The clauses an auditor walks for customer focus, in the order of the standard.
CLAUSES = [
    ("5.1.2", _("Leadership: customer focus")),
    ("6.2", _("Quality objectives and planning to achieve them")),
    ("8.2.2-8.2.3", _("Requirements for products and services: determined and reviewed")),
    ("9.1.2", _("Customer satisfaction monitored")),
    ("9.3", _("Management review: inputs and outputs")),
    ("10.2", _("Nonconformity and corrective action, effectiveness reviewed")),
]

PAGE_ROWS = 10


@dataclass
class EvidenceRow:
    cells: list
    url: str = ""


@dataclass
class EvidenceTable:
    key: str
    clause: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    count: int = 0
    gap: bool = False  # the rows are gaps (missing evidence), not evidence
    list_url: str = ""  # the filtered list of these records, where one exists
    note: str = ""

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


@dataclass(frozen=True)
class EvidenceSource:
    key: str
    clause: str
    compute: Callable  # (period: Period, limit: int | None) -> EvidenceTable
    order: int = 50


class EvidenceRegistry:
    def __init__(self):
        self._sources: dict[str, EvidenceSource] = {}

    def add(self, *, key: str, clause: str, compute: Callable, order: int = 50) -> None:
        if clause not in dict(CLAUSES):
            raise ValueError(f"Unknown clause {clause!r}")
        self._sources[key] = EvidenceSource(key=key, clause=clause, compute=compute, order=order)

    def sources(self) -> list[EvidenceSource]:
        return sorted(self._sources.values(), key=lambda s: (s.order, s.key))

    def compute(self, *, period: Period, limit: int | None = PAGE_ROWS) -> list[dict]:
        """[{"clause", "title", "tables": [EvidenceTable], "gaps": int}] in clause order."""
        by_clause: dict[str, list[EvidenceTable]] = {code: [] for code, _label in CLAUSES}
        for source in self.sources():
            by_clause[source.clause].append(source.compute(period, limit))
        return [
            {
                "clause": code,
                "title": label,
                "tables": by_clause[code],
                "gaps": sum(t.count for t in by_clause[code] if t.gap),
            }
            for code, label in CLAUSES
        ]


evidence = EvidenceRegistry()


def period_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    """The periods offered on the evidence page, newest first: the last eight quarters
    and the last three years (picked from a list, never typed)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    choices = []
    period = Period.current_quarter(today)
    for _index in range(8):
        quarter = (period.start.month - 1) // 3 + 1
        label = f"{period.start.year}-Q{quarter}"
        choices.append((label, label))
        period = period.previous()
    for year in range(today.year, today.year - 3, -1):
        choices.append((str(year), str(year)))
    return choices


def day_bounds(period: Period):
    """The period as aware datetimes [start, end) in the organisation's time zone."""
    from django.utils import timezone

    def start(day):
        return timezone.make_aware(dt.datetime.combine(day, dt.time()))

    return start(period.start), start(period.end + dt.timedelta(days=1))


def page(qs, limit):
    """The rows to show: every row (limit None) or the first `limit`."""
    return list(qs if limit is None else qs[:limit])


def date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date()
    return value.isoformat()
