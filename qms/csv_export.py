"""CSV files people open in a spreadsheet: streamed as a download (rows are written as
they are read, so a long list does not sit in memory) or written into a file. Both start
with a BOM and quote text a spreadsheet would run as a formula."""

import csv
import io

from django.http import StreamingHttpResponse


class _Echo:
    def write(self, value):
        return value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so spreadsheet programs read UTF-8 (e.g. Chinese names)


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


def csv_lines(header, rows):
    """The file as text pieces: the BOM, the header line, then one line per row."""
    writer = csv.writer(_Echo())
    yield BOM
    yield writer.writerow([_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_write(out, header, rows) -> None:
    """Write the same CSV into `out`, a file opened in binary mode (left open)."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        text.writelines(csv_lines(header, rows))
        text.flush()
    finally:
        text.detach()
