"""Survey response exports: one row source for every format, and the writers.

`export_rows()` yields one tuple of Python values per answer (numbers as ints, the
submission time as an aware datetime, missing values as None), in the columns of
`export_header()`. `write_csv()` and `write_xlsx()` turn the same rows into a file, so
the two formats cannot drift apart. Rows are read with `iterator()` and written as they
come: memory stays flat whatever the size of the survey.

Identities (the customer's name) are exported only for identified surveys; for
confidential and anonymous surveys the column stays empty and the name is not even read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import CharField, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from qms.csv_export import csv_write
from surveys.models import Survey

from . import selectors
from .models import ResponseExport, Wave

CHUNK_SIZE = 2000
# Rows per worksheet, header included (Excel's limit). Longer exports continue on a
# second sheet with the header repeated.
XLSX_MAX_ROWS = 1_048_576
# Text starting with one of these is stored as text, never as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@")
_COLUMN_WIDTHS = (10, 24, 20, 14, 24, 14, 10, 8, 14, 16, 60)
CONTENT_TYPES = {
    ResponseExport.Format.CSV: "text/csv; charset=utf-8",
    ResponseExport.Format.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}


def export_header() -> list[str]:
    return [
        _("Response"),
        _("Wave"),
        _("Submitted"),
        _("Segment"),
        _("Customer"),
        _("Question"),
        _("Type"),
        _("Value"),
        _("Choice"),
        _("Topic"),
        _("Text"),
    ]


def export_rows(
    *, survey: Survey, wave: Wave | None = None, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple]:
    """One tuple per answer, in the order of `export_header()`."""
    identified = survey.identity_mode == Survey.IdentityMode.IDENTIFIED
    customer = "response__customer__name" if identified else Value(None, output_field=CharField())
    rows = selectors.response_export_rows(survey=survey, wave=wave).values_list(
        "response_id",
        "wave__name",
        "submitted_at",
        "segment__code",
        customer,
        "question_code",
        "kind",
        "value_int",
        "choice__code",
        "topic__slug",
        "value_text",
    )
    return rows.iterator(chunk_size=chunk_size)


def export_filename(*, survey: Survey, wave: Wave | None, format: str) -> str:
    scope = f"-wave-{wave.pk}" if wave is not None else ""
    return f"{survey.code}{scope}-responses.{format}"


def write_export(out, *, format: str, survey: Survey, wave: Wave | None = None) -> int:
    """Write the export of `survey` (or one wave of it) into `out`, a binary file that
    can seek. Returns the number of rows (answers) written."""
    counted = _Counted(export_rows(survey=survey, wave=wave))
    if format == ResponseExport.Format.XLSX:
        write_xlsx(out, export_header(), counted, sheet_title=_("Responses"))
    elif format == ResponseExport.Format.CSV:
        write_csv(out, export_header(), counted)
    else:
        raise ValueError(f"Unknown export format {format!r}")
    return counted.count


class _Counted:
    def __init__(self, rows: Iterable[tuple]):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


# --- CSV -------------------------------------------------------------------------------


def _local_seconds(value: dt.datetime) -> dt.datetime:
    """Local time to the second (Excel keeps milliseconds at most; both formats agree)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0)


def _csv_value(value):
    if isinstance(value, dt.datetime):
        return _local_seconds(value).isoformat()
    return value


def csv_rows(rows: Iterable[tuple]) -> Iterator[list]:
    """The rows as the CSV shows them: times in ISO 8601 with the local UTC offset."""
    for row in rows:
        yield [_csv_value(v) for v in row]


def write_csv(out, header: list[str], rows: Iterable[tuple]) -> None:
    csv_write(out, header, csv_rows(rows))


# --- XLSX ------------------------------------------------------------------------------


def _xlsx_value(sheet, value):
    if isinstance(value, str):
        if not value:
            return None  # an empty cell, as in the CSV
        # Control characters other than tab and line breaks are not allowed in XML.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(_FORMULA_STARTS) or value in ERROR_CODES:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula or an error value
            return cell
        return value
    if isinstance(value, dt.datetime):
        # Excel has no time zones: naive local time, shown with a date format.
        return _local_seconds(value).replace(tzinfo=None)
    return value


def _new_sheet(workbook: Workbook, title: str, header: list[str]):
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(_COLUMN_WIDTHS[: len(header)], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    return sheet


def write_xlsx(out, header: list[str], rows: Iterable[tuple], *, sheet_title: str) -> None:
    """An XLSX workbook in openpyxl's write-only mode: each row is written to a
    temporary file as it comes, so memory does not grow with the number of rows."""
    workbook = Workbook(write_only=True)
    sheets = 1
    sheet = _new_sheet(workbook, sheet_title, header)
    used = 1
    for row in rows:
        if used >= XLSX_MAX_ROWS:
            sheets += 1
            sheet = _new_sheet(workbook, f"{sheet_title[:26]} ({sheets})", header)
            used = 1
        sheet.append([_xlsx_value(sheet, v) for v in row])
        used += 1
    workbook.save(out)
