"""Streamed CSV downloads: rows are written as they are read, so a long list does not
sit in memory."""

import csv

from django.http import StreamingHttpResponse


class _Echo:
    def write(self, value):
        return value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Text for one cell; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # a BOM, so spreadsheet programs read UTF-8 (e.g. Chinese names)
        yield writer.writerow([_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
