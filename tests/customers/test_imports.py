"""The import engine: CSV and API lists, all-or-nothing, upsert by natural key.

The rule chosen (and shown on the import pages): every row is validated first; if any
row is bad, NOTHING is imported and the report lists every bad row with its line number
and reason. Otherwise every row is written (new created, changed updated, same left)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from customers import imports, services
from customers.models import Customer
from research import services as research_services
from research.models import Purchase, Ticket
from tests.customers.factories import CustomerFactory, SegmentFactory, TopicFactory
from tests.research.factories import TicketFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,customer,topic,product,opened_at,closed_at,resolution\n"


@pytest.fixture
def known():
    CustomerFactory(external_ref="C-1")
    CustomerFactory(external_ref="C-2")
    TopicFactory(slug="battery-life", name="Battery life")
    TopicFactory(slug="screen-durability", name="Screen durability")


def upload(text: str, encoding="utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def import_tickets(text: str):
    return research_services.import_csv(kind="tickets", upload=upload(text))


GOOD = (
    HEADER
    + "WO-1,C-1,battery-life,Phone X2,2026-03-01 09:30,2026-03-03,Battery replaced\n"
    + "WO-2,C-2,Screen durability,Phone X2,2026-03-02,,\n"
    + "WO-3,C-1,battery-life,,2026-03-04T08:00:00+08:00,,\n"
)


def test_good_file_imports_every_row(known):
    report = import_tickets(GOOD)
    assert report.ok
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    first = Ticket.objects.get(external_id="WO-1")
    assert first.customer.external_ref == "C-1"
    assert first.topic.slug == "battery-life"
    assert first.closed_at.date() == dt.date(2026, 3, 3)
    assert Ticket.objects.get(external_id="WO-2").topic.slug == "screen-durability"
    assert Ticket.objects.get(external_id="WO-3").opened_at == dt.datetime(
        2026, 3, 4, 0, 0, tzinfo=dt.UTC
    )


def test_reimporting_the_same_file_creates_nothing_and_changes_nothing(known):
    import_tickets(GOOD)
    before = {t.external_id: t.updated_at for t in Ticket.objects.all()}
    report = import_tickets(GOOD)
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert Ticket.objects.count() == 3
    assert {t.external_id: t.updated_at for t in Ticket.objects.all()} == before


def test_a_changed_row_updates_the_known_ticket(known):
    import_tickets(GOOD)
    report = import_tickets(GOOD.replace("WO-2,C-2,Screen durability", "WO-2,C-2,battery-life"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Ticket.objects.get(external_id="WO-2").topic.slug == "battery-life"
    assert Ticket.objects.count() == 3


def test_bad_file_reports_every_bad_row_with_its_line_and_imports_nothing(known):
    text = (
        HEADER
        + "WO-1,C-1,battery-life,,2026-03-01,,\n"  # line 2: good
        + "WO-2,C-404,battery-life,,2026-03-01,,\n"  # line 3: unknown customer
        + "WO-3,C-1,teleportation,,2026-03-01,,\n"  # line 4: unknown topic
        + "WO-4,C-1,battery-life,,yesterday,,\n"  # line 5: bad date
        + ",C-1,battery-life,,2026-03-01,,\n"  # line 6: no id
        + "WO-1,C-2,battery-life,,2026-03-01,,\n"  # line 7: duplicate of line 2
        + "WO-7,C-1,battery-life,,2026-03-05,2026-03-01,\n"  # line 8: closed before opened
        + "WO-8,C-1,battery-life,,2026-03-01,,,extra\n"  # line 9: too many values
        + "WO-9,C-2,battery-life,,2026-03-01,,\n"  # line 10: good
    )
    report = import_tickets(text)
    assert not report.ok
    assert report.rows == 9
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 7, 8, 9]
    reasons = [e.reason for e in report.errors]
    assert "Unknown customer “C-404”" in reasons[0]
    assert "Unknown topic “teleportation”" in reasons[1]
    assert "not a date" in reasons[2]
    assert "“external_id” is empty" in reasons[3]
    assert "already on line 2" in reasons[4]
    assert "before" in reasons[5]
    assert "more values" in reasons[6]
    assert Ticket.objects.count() == 0


def test_a_bad_file_leaves_known_tickets_untouched(known):
    import_tickets(GOOD)
    changed = (
        GOOD.replace("Battery replaced", "Changed") + "WO-9,C-404,battery-life,,2026-03-01,,\n"
    )
    report = import_tickets(changed)
    assert not report.ok
    assert Ticket.objects.get(external_id="WO-1").resolution == "Battery replaced"


def test_missing_columns_are_a_file_error(known):
    report = import_tickets("external_id,customer\nWO-1,C-1\n")
    assert not report.ok
    # The topic is optional (the ticket's text is coded); the date is not.
    assert "opened_at" in report.file_error and "topic" not in report.file_error
    assert Ticket.objects.count() == 0


def test_empty_file_is_a_file_error(known):
    report = import_tickets("")
    assert not report.ok
    assert report.file_error


def test_file_that_is_not_utf8_is_a_file_error(known):
    report = research_services.import_csv(
        kind="tickets", upload=upload(GOOD.replace("Phone", "Téléphone"), "latin-1")
    )
    assert not report.ok
    assert "UTF-8" in report.file_error


def test_semicolon_separated_file_with_bom_and_blank_lines(known):
    text = "\ufeff" + GOOD.replace(",", ";") + "\n\n"
    report = import_tickets(text)
    assert report.ok, report.errors
    assert report.created == 3


def test_lines_count_quoted_line_breaks(known):
    text = (
        HEADER
        + 'WO-1,C-1,battery-life,,2026-03-01,,"two\nlines"\nWO-2,C-404,battery-life,,2026-03-01,,\n'
    )
    report = import_tickets(text)
    assert [e.line for e in report.errors] == [4]


def test_chunks_are_written_in_one_transaction(known, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    report = import_tickets(GOOD)
    assert report.ok
    assert Ticket.objects.count() == 3


def test_customers_and_topics_are_resolved_without_a_query_per_row(
    known, django_assert_max_num_queries
):
    rows = "".join(f"WO-{n},C-{1 + n % 2},battery-life,,2026-03-01,,\n" for n in range(300))
    # lookups (2) + per chunk: read existing (1) + insert (1), plus the transaction, plus
    # per chunk the tickets' texts for coding (a fixed number of bulk queries)
    with django_assert_max_num_queries(26) as few:
        report = import_tickets(HEADER + rows)
    assert report.created == 300
    more = "".join(f"WO-{n},C-{1 + n % 2},battery-life,,2026-03-01,,\n" for n in range(300, 1500))
    # Four times the rows, far fewer than a query per row (SQLite splits bulk inserts at
    # its limit of query parameters; PostgreSQL does not).
    with django_assert_max_num_queries(4 * len(few.captured_queries)):
        report = import_tickets(HEADER + more)
    assert report.created == 1200


def test_upload_is_read_as_a_stream_twice_not_into_memory(known):
    class NoRead(io.BytesIO):
        def read(self, size=-1):
            assert size != -1 and size is not None, "the whole file was read at once"
            return super().read(size)

    report = research_services.import_csv(kind="tickets", upload=NoRead(GOOD.encode()))
    assert report.ok


def test_rows_deleted_between_passes_import_nothing(known, monkeypatch):
    original = imports._write

    def remove_customer_then_write(schema, rows, lookups, report):
        Ticket.objects.all().delete()
        Customer.objects.filter(external_ref="C-2").delete()
        return original(schema, rows, lookups, report)

    monkeypatch.setattr(imports, "_write", remove_customer_then_write)
    # PostgreSQL validates and writes in one pass (COPY): the customer goes after the
    # lookups were loaded, before the rows stream in.
    copy_import = imports._copy_import

    def remove_customer_then_copy(schema, rows, lookups, report):
        Ticket.objects.all().delete()
        Customer.objects.filter(external_ref="C-2").delete()
        return copy_import(schema, rows, lookups, report)

    monkeypatch.setattr(imports, "_copy_import", remove_customer_then_copy)
    report = import_tickets(GOOD)
    assert not report.ok
    assert report.file_error
    assert Ticket.objects.count() == 0


# --- API lists: same engine, same rule, same report -----------------------------------


def test_api_items_are_validated_and_numbered_from_one(known):
    items = [
        {
            "external_id": "WO-1",
            "customer": "C-1",
            "topic": "battery-life",
            "opened_at": "2026-03-01",
        },
        {
            "external_id": "WO-2",
            "customer": "C-9",
            "topic": "battery-life",
            "opened_at": "2026-03-01",
        },
        "not an object",
    ]
    report = research_services.import_items(kind="tickets", items=items)
    assert not report.ok
    assert [(e.line, e.reason[:16]) for e in report.errors] == [
        (2, "Unknown customer"),
        (3, "The item is not "),
    ]
    assert Ticket.objects.count() == 0


def test_api_item_with_null_closed_at(known):
    items = [
        {
            "external_id": "WO-1",
            "customer": "C-1",
            "topic": "battery-life",
            "opened_at": "2026-03-01T10:00:00Z",
            "closed_at": None,
        }
    ]
    report = research_services.import_items(kind="tickets", items=items)
    assert report.ok
    assert Ticket.objects.get().closed_at is None


# --- Purchases and customers share the engine -----------------------------------------


def test_purchases_import_and_reimport(known):
    text = (
        "external_id,customer,product,quantity,amount,purchased_at\n"
        "ORD-1,C-1,Eggs (12),2,6.40,2026-03-01\n"
        "ORD-2,C-2,Milk,,1.1,2026-03-02 18:00\n"
    )
    report = research_services.import_csv(kind="purchases", upload=upload(text))
    assert report.ok and report.created == 2
    assert Purchase.objects.get(external_id="ORD-2").quantity == 1
    assert Purchase.objects.get(external_id="ORD-2").amount == Decimal("1.10")
    again = research_services.import_csv(kind="purchases", upload=upload(text))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_bad_purchases_are_reported(known):
    text = (
        "external_id,customer,product,quantity,amount,purchased_at\n"
        "ORD-1,C-1,Eggs,0,6.40,2026-03-01\n"
        "ORD-2,C-1,Eggs,1,-1,2026-03-01\n"
        "ORD-3,C-1,,1,1,2026-03-01\n"
    )
    report = research_services.import_csv(kind="purchases", upload=upload(text))
    assert [e.line for e in report.errors] == [2, 3, 4]
    assert Purchase.objects.count() == 0


def test_customers_are_created_or_updated_by_external_ref_with_history():
    SegmentFactory(code="young-families", name="Young families")
    CustomerFactory(external_ref="C-1", name="Old name")
    text = (
        "external_ref,name,kind,segment,language,email,active\n"
        "C-1,New name,person,young-families,zh-hans,mei@example.com,yes\n"
        "C-2,Lakeside Travel,organisation,Young families,,,no\n"
    )
    report = services.import_csv(kind="customers", upload=upload(text))
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 1)
    updated = Customer.objects.get(external_ref="C-1")
    assert updated.name == "New name" and updated.language == "zh-hans"
    assert updated.history.count() == 2
    created = Customer.objects.get(external_ref="C-2")
    assert created.kind == "organisation" and not created.is_active
    assert created.history.count() == 1


def test_bad_customer_rows_are_reported():
    text = "external_ref,name,kind,email\nC-1,,alien,not-an-email\n"
    report = services.import_csv(kind="customers", upload=upload(text))
    assert not report.ok
    assert report.errors[0].line == 2
    assert Customer.objects.count() == 0


def test_report_as_dict_is_the_api_format(known):
    report = import_tickets(HEADER + "WO-1,C-404,battery-life,,2026-03-01,,\n")
    data = report.as_dict()
    assert data["ok"] is False
    assert data["errors"] == [{"line": 2, "reason": report.errors[0].reason}]
    assert set(data) == {
        "ok",
        "rows",
        "created",
        "updated",
        "unchanged",
        "bad_rows",
        "file_error",
        "errors",
    }


def test_listing_stops_at_the_cap_but_counts_every_bad_row(known, monkeypatch):
    monkeypatch.setattr(imports, "MAX_LISTED_ERRORS", 2)
    rows = "".join(f"WO-{n},C-404,battery-life,,2026-03-01,,\n" for n in range(5))
    report = import_tickets(HEADER + rows)
    assert report.bad_rows == 5
    assert len(report.errors) == 2
    assert report.errors_truncated


def test_known_ticket_keeps_its_id_when_updated(known):
    ticket = TicketFactory(
        external_id="WO-1",
        customer=Customer.objects.get(external_ref="C-1"),
        opened_at=timezone.now() - dt.timedelta(days=1),
    )
    import_tickets(GOOD)
    assert Ticket.objects.get(external_id="WO-1").pk == ticket.pk


def test_a_row_with_several_problems_names_them_all(known):
    report = import_tickets(HEADER + "WO-1,C-404,nothing,,someday,,\n")
    reason = report.errors[0].reason
    assert "C-404" in reason and "nothing" in reason and "not a date" in reason


def test_a_large_upload_on_disk_is_streamed_from_its_temporary_file(known):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    rows = "".join(f"WO-{n},C-1,battery-life,,2026-03-01,,\n" for n in range(3000))
    upload = TemporaryUploadedFile("tickets.csv", "text/csv", 0, "utf-8")
    upload.write((HEADER + rows).encode())
    upload.flush()
    try:
        report = research_services.import_csv(kind="tickets", upload=upload)
        assert not upload.closed
    finally:
        upload.close()
    assert report.ok
    assert report.created == 3000


def test_customer_history_after_an_import_keeps_fields_the_file_does_not_carry(
    quality_manager,
):
    CustomerFactory(external_ref="C-1", name="Old", account_owner=quality_manager)
    services.import_csv(kind="customers", upload=upload("external_ref,name\nC-1,New\n"))
    customer = Customer.objects.get(external_ref="C-1")
    latest = customer.history.latest("history_date")
    assert (latest.name, latest.account_owner_id) == ("New", quality_manager.pk)
    assert customer.account_owner == quality_manager


@pytest.mark.django_db(transaction=True)
def test_rows_deleted_between_passes_import_nothing_when_committing(monkeypatch):
    CustomerFactory(external_ref="C-1")
    CustomerFactory(external_ref="C-2")
    TopicFactory(slug="battery-life", name="Battery life")
    TopicFactory(slug="screen-durability", name="Screen durability")
    original = imports._write

    def remove_customer_then_write(schema, rows, lookups, report):
        Customer.objects.filter(external_ref="C-2").delete()
        return original(schema, rows, lookups, report)

    monkeypatch.setattr(imports, "_write", remove_customer_then_write)
    # PostgreSQL validates and writes in one pass (COPY): the customer goes after the
    # lookups were loaded, before the rows stream in.
    copy_import = imports._copy_import

    def remove_customer_then_copy(schema, rows, lookups, report):
        Ticket.objects.all().delete()
        Customer.objects.filter(external_ref="C-2").delete()
        return copy_import(schema, rows, lookups, report)

    monkeypatch.setattr(imports, "_copy_import", remove_customer_then_copy)
    report = import_tickets(GOOD)
    assert not report.ok
    assert report.file_error
    assert Ticket.objects.count() == 0
