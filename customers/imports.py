"""One import engine for every bulk source (customers here; tickets and purchases in
research/imports.py, interactions in crm/services.py), fed by a CSV upload or by a JSON
list from the API, with one report format.

The rule for a bad file is **all-or-nothing**:

1. Pass one streams every row through the row schema and collects every bad row with
   its line number and the reason. Nothing is written.
2. If any row is bad (or the header is wrong), nothing is imported; the report lists
   every bad row so the whole file can be fixed at once.
3. Otherwise pass two reads the file again and writes it in chunks of `CHUNK_SIZE` with
   `bulk_create` inside one transaction. Rows are matched on their natural key
   (`external_id` for tickets and purchases, `external_ref` for customers): a new key
   is created, a known key with different values is updated, a known key with the
   same values is left alone. Re-importing a file therefore creates no duplicates and
   changes nothing.

The upload is never read into memory: the file is wrapped in `io.TextIOWrapper` and
read row by row with `csv.DictReader`, twice. Customers and topics are resolved through
dicts of natural keys loaded once per import, never a query per row.

Line numbers: in a CSV file, the line of the file (the header is line 1, so the first
data row is line 2). In an API list, the item's position counting from 1.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.exceptions import ApplicationError
from qms.timezones import zone_names

CHUNK_SIZE = 2000
# A file with more bad rows than this is almost surely the wrong file; the report stops
# listing there (and says so) instead of building a page of a million lines.
MAX_LISTED_ERRORS = 10_000
# The API takes at most this many items per request (they arrive in memory as JSON).
API_MAX_ITEMS = 10_000
# The longest value of a free-text column (a note, an address, a resolution).
MAX_TEXT_LENGTH = 10_000

# Characters no one types into a cell and that no database should be handed: the C0
# control characters (NUL is refused by PostgreSQL, stored by SQLite), DEL, the C1
# control characters, and lone surrogates (a JSON body can carry them as "\ud800"; no
# encoding can write them). Tab and line breaks are allowed in free-text columns only.
_NOT_TEXT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_TEXT_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


# Names used in row messages; lazy, so a good row costs no translation lookup.
CUSTOMER = gettext_lazy("customer")
TOPIC = gettext_lazy("topic")
SEGMENT = gettext_lazy("segment")


class RowError(Exception):
    """One bad value in one row; the message says what is wrong, for a person."""


@dataclass
class BadRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did, or why it did nothing. The page and the API show the same."""

    ok: bool = True
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[BadRow] = field(default_factory=list)
    bad_rows: int = 0
    file_error: str = ""

    @property
    def errors_truncated(self) -> bool:
        return self.bad_rows > len(self.errors)

    def add_error(self, line: int, reason: str) -> None:
        self.ok = False
        self.bad_rows += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(BadRow(line=line, reason=reason))

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad_rows": self.bad_rows,
            "file_error": self.file_error,
            "errors": [{"line": e.line, "reason": e.reason} for e in self.errors],
        }


# --- Value parsers ---------------------------------------------------------------------


class NotText:
    """An API item's value that is a list or an object where a single value belongs."""


NOT_TEXT = NotText()


def text(
    row: dict,
    name: str,
    *,
    required: bool = False,
    max_length: int | None = None,
    multiline: bool = False,
) -> str:
    """The cell `name` of `row`, stripped. Every parser reads its cell through here, so
    a cell with a control character, a lone surrogate or too long a value is a row of
    the report (line and column), never a value handed to the database. `multiline`
    columns (free text) may hold tabs and line breaks; any other column is one line, and
    a column with no `max_length` holds at most MAX_TEXT_LENGTH characters."""
    raw = row.get(name)
    if raw is NOT_TEXT:
        raise RowError(
            _("“%(column)s” must be a single value, not a list or an object.") % {"column": name}
        )
    raw = raw or ""
    bad = (_NOT_TEXT_MULTILINE if multiline else _NOT_TEXT_ONE_LINE).search(raw)
    if bad is not None:
        code = ord(bad.group())
        if 0xD800 <= code <= 0xDFFF:
            message = _(
                "“%(column)s” holds an invalid character (a lone surrogate, U+%(code)04X) "
                "at position %(position)d."
            )
        elif code in (0x09, 0x0A, 0x0D):
            message = _(
                "“%(column)s” holds a tab or a line break (a control character, U+%(code)04X) "
                "at position %(position)d; it must be one line."
            )
        else:
            message = _(
                "“%(column)s” holds a control character (U+%(code)04X) at position "
                "%(position)d; remove it."
            )
        raise RowError(message % {"column": name, "code": code, "position": bad.start() + 1})
    value = raw.strip()
    if max_length is None:
        max_length = MAX_TEXT_LENGTH
    if required and not value:
        raise RowError(_("“%(column)s” is empty.") % {"column": name})
    if max_length and len(value) > max_length:
        raise RowError(
            _("“%(column)s” is longer than %(max)d characters.")
            % {"column": name, "max": max_length}
        )
    return value


def moment(row: dict, name: str, *, required: bool = False) -> dt.datetime | None:
    """A date (`2026-03-01`) or a date and time (`2026-03-01 14:30`, ISO 8601); a naive
    value is read in the portal's time zone."""
    value = text(row, name, required=required)
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = dt.datetime.combine(day, dt.time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise RowError(
            _("“%(column)s” is not a date: “%(value)s” (use 2026-03-01 or 2026-03-01 14:30).")
            % {"column": name, "value": value[:40]}
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def positive_int(row: dict, name: str, *, default: int | None = None) -> int:
    value = text(row, name)
    if not value and default is not None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise RowError(
            _("“%(column)s” must be a whole number of at least 1, not “%(value)s”.")
            % {"column": name, "value": value[:40]}
        )
    return number


def money(row: dict, name: str) -> Decimal:
    value = text(row, name, required=True)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 10:
        raise RowError(
            _("“%(column)s” must be an amount such as 12.50, not “%(value)s”.")
            % {"column": name, "value": value[:40]}
        )
    return amount.quantize(Decimal("0.01"))


def lookup(row: dict, name: str, table: dict, what: str, *, required: bool = True):
    value = text(row, name, required=required)
    if not value:
        return None
    found = table.get(value)
    if found is None:
        found = table.get(value.lower())
    if found is None:
        raise RowError(
            _("Unknown %(what)s “%(value)s” in “%(column)s”.")
            % {"what": what, "value": value[:60], "column": name}
        )
    return found


def boolean(row: dict, name: str, *, default: bool) -> bool:
    value = text(row, name).lower()
    if not value:
        return default
    if value in ("1", "yes", "y", "true", "t"):
        return True
    if value in ("0", "no", "n", "false", "f"):
        return False
    raise RowError(
        _("“%(column)s” must be yes or no, not “%(value)s”.") % {"column": name, "value": value}
    )


def choice(row: dict, name: str, choices, *, default: str) -> str:
    value = text(row, name)
    if not value:
        return default
    by_value = {str(v).lower(): v for v, _label in choices}
    by_label = {str(label).lower(): v for v, label in choices}
    found = by_value.get(value.lower()) or by_label.get(value.lower())
    if found is None:
        raise RowError(
            _("“%(column)s” must be one of %(allowed)s, not “%(value)s”.")
            % {
                "column": name,
                "allowed": ", ".join(str(v) for v, _label in choices),
                "value": value[:40],
            }
        )
    return found


def time_zone(row: dict, name: str) -> str:
    """An IANA zone name (`Asia/Shanghai`), matched without regard to case; empty: none."""
    value = text(row, name)
    if not value:
        return ""
    found = {zone.lower(): zone for zone in zone_names()}.get(value.lower())
    if found is None:
        raise RowError(
            _("“%(column)s” must be a time zone name such as Asia/Shanghai, not “%(value)s”.")
            % {"column": name, "value": value[:40]}
        )
    return found


class Collect:
    """Runs value parsers and keeps every problem of a row, so the report names them all:
    `value = check(parser, row, name, ...)`, then `check.done()`."""

    def __init__(self):
        self.problems: list[str] = []

    def __call__(self, parser, *args, **kwargs):
        try:
            return parser(*args, **kwargs)
        except RowError as exc:
            self.problems.append(str(exc))
            return None

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def done(self) -> None:
        if self.problems:
            raise RowError(" ".join(self.problems))


# --- Row schemas -----------------------------------------------------------------------


class RowSchema:
    """What one kind of row looks like and how it is written.

    Subclasses set `model`, `key` (the natural key field), `columns` (required header
    names), `optional_columns`, `fields` (model fields written) and implement
    `load_lookups()` (dicts of natural keys, loaded once) and `parse(row, lookups)`.
    """

    model: type[models.Model]
    key: str = "external_id"
    columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    label = gettext_lazy("rows")

    def load_lookups(self) -> dict:
        return {}

    def parse(self, row: dict, lookups: dict) -> dict:
        raise NotImplementedError

    def write(self, values: list[dict], report: ImportReport) -> None:
        """Create what is new, update what changed, leave the rest: one read and at most
        two writes per chunk."""
        keys = [v[self.key] for v in values]
        existing = {
            row[self.key]: row
            for row in self.model.objects.filter(**{f"{self.key}__in": keys}).values(
                "id", self.key, *self.fields
            )
        }
        new, changed = [], []
        for value in values:
            current = existing.get(value[self.key])
            if current is None:
                new.append(self.model(**value))
            elif any(current[name] != value[name] for name in self.fields):
                changed.append(self.model(id=current["id"], **value))
            else:
                report.unchanged += 1
        self.create(new)
        self.update(changed)
        report.created += len(new)
        report.updated += len(changed)

    # PostgreSQL imports these rows with COPY (`_copy_import`) unless the schema writes
    # more than its own table (customers keep a history row per change).
    copy_import = True

    def after_copy(self, keys: list[str]) -> None:
        """Called after a COPY import with the keys of the rows created or changed."""

    def create(self, objects: list) -> None:
        if objects:
            self.model.objects.bulk_create(objects, batch_size=CHUNK_SIZE)

    def update(self, objects: list) -> None:
        if objects:
            now = timezone.now()
            for obj in objects:
                obj.updated_at = now
            self.model.objects.bulk_update(
                objects, [*self.fields, "updated_at"], batch_size=CHUNK_SIZE
            )


def _customer_refs() -> dict:
    from .models import Customer

    return dict(Customer.objects.exclude(external_ref="").values_list("external_ref", "id"))


def _topic_keys() -> dict:
    from .models import Topic

    table = {}
    for pk, slug, name in Topic.objects.values_list("id", "slug", "name"):
        table[name.lower()] = pk
        table[slug] = pk
    return table


class CustomerSchema(RowSchema):
    """Customers are created or updated by `external_ref`; their history is kept."""

    key = "external_ref"
    columns = ("external_ref", "name")
    optional_columns = (
        "kind",
        "segment",
        "language",
        "email",
        "phone",
        "address",
        "time_zone",
        "active",
    )
    fields = (
        "name",
        "kind",
        "segment_id",
        "language",
        "email",
        "phone",
        "address",
        "time_zone",
        "is_active",
    )
    label = gettext_lazy("customers")
    copy_import = False  # each change also writes a history row (bulk_*_with_history)

    @property
    def model(self):
        from .models import Customer

        return Customer

    def load_lookups(self) -> dict:
        from .models import Segment

        segments = {}
        for pk, code, name in Segment.objects.values_list("id", "code", "name"):
            segments[name.lower()] = pk
            segments[code] = pk
        return {"segments": segments}

    def parse(self, row, lookups):
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        from .models import Customer

        check = Collect()
        email = check(text, row, "email", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                check.fail(_("“email” is not an e-mail address: “%s”.") % email[:60])
        values = {
            "external_ref": check(text, row, "external_ref", required=True, max_length=60),
            "name": check(text, row, "name", required=True, max_length=200),
            "kind": check(choice, row, "kind", Customer.Kind.choices, default=Customer.Kind.PERSON),
            "segment_id": check(
                lookup, row, "segment", lookups["segments"], SEGMENT, required=False
            ),
            "language": check(
                choice,
                row,
                "language",
                Customer.Language.choices,
                default=Customer.Language.ENGLISH,
            ),
            "email": email,
            "phone": check(text, row, "phone", max_length=40),
            "address": check(text, row, "address", multiline=True),
            "time_zone": check(time_zone, row, "time_zone"),
            "is_active": check(boolean, row, "active", default=True),
        }
        check.done()
        return values

    def write(self, values, report):
        """Like the base, but with whole customers, so each history record is a true
        snapshot (fields the file does not carry, such as the account owner, kept)."""
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        existing = {
            customer.external_ref: customer
            for customer in self.model.objects.filter(
                external_ref__in=[v[self.key] for v in values]
            )
        }
        new, changed = [], []
        now = timezone.now()
        for value in values:
            customer = existing.get(value[self.key])
            if customer is None:
                new.append(self.model(**value))
            elif any(getattr(customer, name) != value[name] for name in self.fields):
                for name in self.fields:
                    setattr(customer, name, value[name])
                customer.updated_at = now
                changed.append(customer)
            else:
                report.unchanged += 1
        if new:
            bulk_create_with_history(new, self.model, batch_size=CHUNK_SIZE)
        if changed:
            bulk_update_with_history(
                changed, self.model, [*self.fields, "updated_at"], batch_size=CHUNK_SIZE
            )
        report.created += len(new)
        report.updated += len(changed)


# --- The engine ------------------------------------------------------------------------


def _valid_rows(
    schema: RowSchema, rows: Iterable[tuple[int, dict]], lookups: dict, report: ImportReport
) -> Iterator[tuple[int, dict]]:
    """Count and check each row: its errors go to `report`; the good rows come out as
    (line, parsed values). A key already seen on an earlier line is an error."""
    seen: dict[str, int] = {}
    for line, row in rows:
        report.rows += 1
        if "__bad__" in row:
            report.add_error(line, row["__bad__"])
            continue
        try:
            values = schema.parse(row, lookups)
        except RowError as exc:
            report.add_error(line, str(exc))
            continue
        key = values[schema.key]
        first = seen.get(key)
        if first is not None:
            report.add_error(
                line,
                _("“%(key)s” is already on line %(line)d of this file.")
                % {"key": key, "line": first},
            )
            continue
        seen[key] = line
        yield line, values


def _validate(
    schema: RowSchema, rows: Iterable[tuple[int, dict]], lookups: dict, report: ImportReport
) -> None:
    for _row in _valid_rows(schema, rows, lookups, report):
        pass


def _write(
    schema: RowSchema, rows: Iterable[tuple[int, dict]], lookups: dict, report: ImportReport
) -> None:
    chunk: list[dict] = []
    nested = connection.in_atomic_block
    with transaction.atomic():
        for _line, row in rows:
            chunk.append(schema.parse(row, lookups))
            if len(chunk) >= CHUNK_SIZE:
                schema.write(chunk, report)
                chunk = []
        if chunk:
            schema.write(chunk, report)
        # Foreign keys are deferred to the commit, which raises IntegrityError if a
        # customer or topic was deleted since pass one. Inside an outer transaction there
        # is no commit here, so check now. On PostgreSQL this only runs the pending
        # checks (cheap); SQLite's check scans the table, so it runs only when needed.
        if nested or connection.vendor == "postgresql":
            connection.check_constraints(table_names=[schema.model._meta.db_table])


class _BadFile(Exception):
    """Raised inside the COPY transaction when a row is bad: nothing is kept."""


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


class _CopyStream:
    """A file-like object for psycopg2's `copy_expert` that pulls lines from an iterator
    as COPY reads, so rows are validated while they stream (never all in memory)."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self._buffer = b""
        self.error: Exception | None = None  # raised by the rows (psycopg2 wraps it)

    def read(self, size: int = 65536) -> bytes:
        parts, length = [self._buffer], len(self._buffer)
        try:
            for line in self._lines:
                data = line.encode()
                parts.append(data)
                length += len(data)
                if length >= size:
                    break
        except Exception as exc:
            self.error = exc
            raise
        data = b"".join(parts)
        self._buffer = data[size:]
        return data[:size]

    readline = read


def _copy_import(
    schema: RowSchema, rows: Iterable[tuple[int, dict]], lookups: dict, report: ImportReport
) -> None:
    """PostgreSQL, one pass: validate each row while streaming the good ones with COPY
    into a temporary table, then (only if every row was good) insert the new keys and
    update the changed ones from it, one statement each. A bad row stops the copying
    (the rest is still validated, so the report lists every bad row) and the
    transaction is rolled back: nothing is written. The column list comes from the
    schema's `key` and `fields`, so a field added to a schema flows through."""
    model = schema.model
    meta = model._meta
    qn = connection.ops.quote_name
    names = [schema.key, *schema.fields]
    columns = [meta.get_field(name).column for name in names]
    table, key = qn(meta.db_table), qn(columns[0])
    temp = qn(f"import_{meta.db_table}")
    listed = ", ".join(qn(c) for c in columns)
    # Columns the file does not carry: their defaults, as bulk_create would write them.
    now = timezone.now()
    extra_columns, extra_values = ["created_at", "updated_at"], [now, now]
    for model_field in meta.concrete_fields:
        if (
            model_field.primary_key
            or model_field.name in names
            or model_field.column in extra_columns
        ):
            continue
        if model_field.has_default():
            extra_columns.append(model_field.column)
            extra_values.append(model_field.get_db_prep_save(model_field.get_default(), connection))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "  # noqa: S608 - names from the model
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )

        def lines():
            for _line, values in _valid_rows(schema, rows, lookups, report):
                if report.ok:
                    yield "\t".join([_copy_value(values[name]) for name in names]) + "\n"

        # psycopg2's COPY API, reading the rows as they are validated.
        stream = _CopyStream(lines())
        try:
            cursor.cursor.copy_expert(f"COPY {temp} ({listed}) FROM STDIN", stream, size=65536)
        except Exception:
            if stream.error is not None:
                raise stream.error from None
            raise
        if not report.ok:
            raise _BadFile
        fields = columns[1:]
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(qn(c) for c in extra_columns)}, {listed}) "  # noqa: S608
            f"SELECT {', '.join(['%s'] * len(extra_values))}, "
            f"{', '.join('t.' + qn(c) for c in columns)} FROM {temp} t "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} x WHERE x.{key} = t.{key}) "
            f"RETURNING {key}",
            extra_values,
        )
        created = [r[0] for r in cursor.fetchall()]
        cursor.execute(
            f"UPDATE {table} x SET updated_at = %s, "  # noqa: S608
            + ", ".join(f"{qn(c)} = t.{qn(c)}" for c in fields)
            + f" FROM {temp} t WHERE x.{key} = t.{key} AND ("
            + " OR ".join(f"x.{qn(c)} IS DISTINCT FROM t.{qn(c)}" for c in fields)
            + f") RETURNING x.{key}",
            [now],
        )
        changed = [r[0] for r in cursor.fetchall()]
        report.created = len(created)
        report.updated = len(changed)
        report.unchanged = report.rows - report.created - report.updated
        schema.after_copy(created + changed)
        connection.check_constraints(table_names=[meta.db_table])


def run_import(schema: RowSchema, open_rows: Callable[[], Iterator[tuple[int, dict]]]):
    """Validate every row, then (only if all are good) write them all.

    `open_rows()` returns a fresh iterator of `(line, row dict)`; it is called twice
    (once on PostgreSQL, where rows are validated while they stream into COPY).
    """
    report = ImportReport()
    lookups = schema.load_lookups()
    if connection.vendor == "postgresql" and schema.copy_import:
        try:
            _copy_import(schema, open_rows(), lookups, report)
        except ApplicationError as exc:
            report.ok = False
            report.file_error = str(exc)
        except _BadFile:
            pass  # the report lists the bad rows; the transaction was rolled back
        except IntegrityError:
            rows_seen = report.rows
            report = ImportReport(ok=False, rows=rows_seen)
            report.file_error = _(
                "The customers, topics or rows changed while the file was being imported, "
                "so nothing was imported. Import the file again."
            )
        if not report.ok:
            report.created = report.updated = report.unchanged = 0
        return report
    try:
        _validate(schema, open_rows(), lookups, report)
    except ApplicationError as exc:
        report.ok = False
        report.file_error = str(exc)
        return report
    if not report.ok:
        return report
    rows_seen = report.rows
    report.rows = 0
    try:
        _write(schema, open_rows(), lookups, report)
    except (RowError, IntegrityError):
        # The data changed between the two passes (another import or an edit removed a
        # customer or topic, or added the same keys): nothing was written.
        report = ImportReport(ok=False, rows=rows_seen)
        report.file_error = _(
            "The customers, topics or rows changed while the file was being imported, so "
            "nothing was imported. Import the file again."
        )
    report.rows = rows_seen
    return report


@contextlib.contextmanager
def _text(binary):
    """A text view of an uploaded (binary) file, streamed; the upload stays open."""
    binary.seek(0)
    wrapper = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        yield wrapper
    finally:
        wrapper.detach()


def csv_rows(binary, schema: RowSchema) -> Callable[[], Iterator[tuple[int, dict]]]:
    """`open_rows` for an uploaded CSV file (comma or semicolon separated, UTF-8)."""

    def open_rows():
        with _text(binary) as stream:
            try:
                first = stream.readline()
            except UnicodeDecodeError:
                raise ApplicationError(_("The file is not UTF-8 text.")) from None
            if not first.strip():
                raise ApplicationError(_("The file is empty."))
            delimiter = ";" if first.count(";") > first.count(",") else ","
            header = [
                name.strip().lower() for name in next(csv.reader([first], delimiter=delimiter))
            ]
            missing = [name for name in schema.columns if name not in header]
            if missing:
                raise ApplicationError(
                    _("The first line must name the columns; missing: %(missing)s.")
                    % {"missing": ", ".join(missing)}
                )
            reader = csv.reader(stream, delimiter=delimiter)
            line = 1
            try:
                for values in reader:
                    line = reader.line_num + 1
                    if not any(v.strip() for v in values):
                        continue
                    if len(values) > len(header):
                        yield line, {"__bad__": _("The row has more values than the header.")}
                        continue
                    yield line, dict(zip(header, values, strict=False))
            except UnicodeDecodeError:
                raise ApplicationError(
                    _("The file is not UTF-8 text (near line %(line)d).") % {"line": line + 1}
                ) from None
            except csv.Error as exc:
                raise ApplicationError(
                    _("The file is not valid CSV near line %(line)d: %(error)s.")
                    % {"line": line, "error": exc}
                ) from None

    return open_rows


def _item_value(value):
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return NOT_TEXT
    return str(value)


def list_rows(items: list) -> Callable[[], Iterator[tuple[int, dict]]]:
    """`open_rows` for a JSON list of objects from the API; line = position from 1."""
    if not isinstance(items, list):
        raise ApplicationError(_("Send a JSON list of objects."))
    if len(items) > API_MAX_ITEMS:
        raise ApplicationError(
            _("Send at most %(max)d items per request.") % {"max": API_MAX_ITEMS}
        )

    def open_rows():
        for position, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                yield position, {"__bad__": _("The item is not an object.")}
                continue
            yield position, {k: _item_value(v) for k, v in item.items()}

    return open_rows
