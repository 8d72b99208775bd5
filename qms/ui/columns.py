"""CSV columns declared as a header and an accessor, written with qms.csv_export (a
streamed download whose cells a spreadsheet cannot run as formulas)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import csv_export


@dataclass(frozen=True)
class Column:
    """One column: `header` (translated lazily) and `accessor`, either a callable that
    takes the row's object or a dotted attribute path ("department.code"). A method at
    the end of the path is called (e.g. "get_status_display"); a missing link in the
    path (None) gives an empty cell."""

    header: Any
    accessor: str | Callable[[Any], Any]

    def value(self, obj):
        if callable(self.accessor):
            return self.accessor(obj)
        value = obj
        for name in self.accessor.split("."):
            if value is None:
                return None
            value = getattr(value, name)
            if callable(value):
                value = value()
        return value


def csv_rows(columns: Sequence[Column], objects: Iterable) -> Iterable[list]:
    for obj in objects:
        yield [column.value(obj) for column in columns]


def columns_response(filename: str, columns: Sequence[Column], objects: Iterable):
    """The streamed CSV download of `objects`, one row each."""
    return csv_export.csv_response(
        filename, [str(column.header) for column in columns], csv_rows(columns, objects)
    )
