"""Ticket and purchase imports on PostgreSQL go through COPY into a temporary table and
one INSERT and one UPDATE from it; SQLite writes in chunks. Same report, same rule
(all-or-nothing), same texts recorded for coding, on both."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coding.models import Text
from research import services as research_services
from research.models import Purchase, Ticket
from tests.customers.factories import CustomerFactory, TopicFactory

pytestmark = pytest.mark.django_db

TICKETS = "external_id,customer,topic,description,opened_at\n"
PURCHASES = "external_id,customer,product,amount,purchased_at\n"


@pytest.fixture
def known():
    CustomerFactory(external_ref="C-1")
    TopicFactory(slug="battery-life", name="Battery life")


def run(kind, text):
    with CaptureQueriesContext(connection) as captured:
        report = research_services.import_csv(kind=kind, upload=io.BytesIO(text.encode()))
    return report, " ".join(q["sql"] for q in captured.captured_queries)


def test_new_changed_and_same_tickets_with_their_texts_recorded(known):
    rows = "".join(f"T-{n},C-1,battery-life,Battery dies {n},2026-03-01\n" for n in range(2500))
    report, sql = run("tickets", TICKETS + rows)
    assert (report.ok, report.rows, report.created) == (True, 2500, 2500)
    assert Ticket.objects.count() == 2500
    assert Text.objects.filter(kind=Text.Kind.TICKET).count() == 2500
    if connection.vendor == "postgresql":
        assert "CREATE TEMPORARY TABLE" in sql and "IS DISTINCT FROM" in sql
    changed = rows.replace("Battery dies 7,", "Battery swelled 7,")
    report, _sql = run("tickets", TICKETS + changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2499)
    ticket = Ticket.objects.get(external_id="T-7")
    assert Text.objects.get(kind=Text.Kind.TICKET, object_id=ticket.pk).body == "Battery swelled 7"


def test_a_bad_row_anywhere_writes_nothing_and_every_bad_row_is_listed(known):
    rows = [f"P-{n},C-1,Phone,10.50,2026-03-01\n" for n in range(3000)]
    rows[10] = "P-10,C-404,Phone,10.50,2026-03-01\n"
    rows[2900] = "P-2900,C-1,Phone,-1,2026-03-01\n"
    report, _sql = run("purchases", PURCHASES + "".join(rows))
    assert not report.ok
    assert [e.line for e in report.errors] == [12, 2902]
    assert (report.created, report.updated) == (0, 0)
    assert Purchase.objects.count() == 0


def test_columns_the_file_does_not_carry_get_their_defaults(known):
    report, _sql = run("purchases", PURCHASES + "P-1,C-1,Phone,10.50,2026-03-01\n")
    assert report.ok
    purchase = Purchase.objects.get()
    assert purchase.quantity == 1 and str(purchase.amount) == "10.50"
    assert purchase.created_at and purchase.updated_at
