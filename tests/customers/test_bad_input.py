"""No bad file or bulk body of any kind is a server error.

Every import page (customers, tickets, purchases, interactions) and every bulk endpoint is
fed NUL and other control characters, lone surrogates, huge cells and files in the wrong
encoding. A bad cell is a row of the report naming its line and column; a bad file or
body is a file error or a 400; nothing is written. Run on SQLite and on PostgreSQL (which
refuses NUL in any text it is given, where SQLite stores it).
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import Interaction
from customers.models import Customer
from research.models import Purchase, Ticket
from tests.customers.factories import CustomerFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def known():
    CustomerFactory(external_ref="C-1")
    TopicFactory(slug="battery-life", name="Battery life")


# kind -> (import page, bulk endpoint, model, good row as a dict; the cell under test
# replaces one free-text column's value)
KINDS = {
    "customers": (
        "/customers/import/",
        "/api/customers/bulk/",
        Customer,
        {"external_ref": "C-9", "name": "Ada", "address": "1 Main St"},
        "name",
    ),
    "tickets": (
        "/customers/tickets/import/",
        "/api/tickets/bulk/",
        Ticket,
        {
            "external_id": "WO-1",
            "customer": "C-1",
            "topic": "battery-life",
            "opened_at": "2026-03-01",
            "resolution": "Fixed",
        },
        "resolution",
    ),
    "purchases": (
        "/customers/purchases/import/",
        "/api/purchases/bulk/",
        Purchase,
        {
            "external_id": "P-1",
            "customer": "C-1",
            "product": "Phone",
            "amount": "12.50",
            "purchased_at": "2026-03-01",
        },
        "product",
    ),
    "interactions": (
        "/customers/interactions/import/",
        "/api/interactions/bulk/",
        Interaction,
        {
            "external_id": "I-1",
            "customer": "C-1",
            "kind": "call",
            "occurred_at": "2026-03-01",
            "summary": "Called back",
        },
        "summary",
    ),
}

BAD_CELLS = {
    "NUL": "Ada\x00Lovelace",
    "bell": "Ada\x07",
    "escape": "\x1b[31mAda",
    "backspace": "Ada\x08",
    "delete": "Ada\x7f",
    "C1 control": "Ada\x85x",
    "vertical tab": "Ada\x0bLovelace",
    "form feed": "Ada\x0c",
}

BAD_KEYS = {
    **BAD_CELLS,
    "lone high surrogate": "Ada\ud800",
    "lone low surrogate": "\udfffAda",
}


def count_rows(model):
    return model.objects.count()


def csv_text(row: dict) -> str:
    header = ",".join(row)
    values = ",".join(f'"{v}"' for v in row.values())
    return f"{header}\n{values}\n"


def post_file(client, url, content: bytes):
    upload = SimpleUploadedFile("rows.csv", content, content_type="text/csv")
    return client.post(url, {"file": upload})


@pytest.fixture
def signed_in(client, quality_manager):
    client.force_login(quality_manager)
    return client


@pytest.fixture
def api(api_client_for, quality_manager):
    return api_client_for(quality_manager)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", BAD_CELLS)
def test_a_control_character_in_a_file_is_a_row_of_the_report(signed_in, known, kind, bad):
    url, _endpoint, model, row, column = KINDS[kind]
    before = count_rows(model)
    content = csv_text({**row, column: BAD_CELLS[bad]}).encode()
    response = post_file(signed_in, url, content)
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.ok
    assert [e.line for e in report.errors] == [2]
    assert f"“{column}”" in report.errors[0].reason
    assert "control character" in report.errors[0].reason
    assert count_rows(model) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_control_character_or_lone_surrogate_in_a_bulk_body_is_a_400(api, known, kind, bad):
    _url, endpoint, model, row, column = KINDS[kind]
    before = count_rows(model)
    body = json.dumps([row, {**row, column: BAD_KEYS[bad]}])  # \u escapes, as JSON sends
    response = api.post(endpoint, body, content_type="application/json")
    assert response.status_code == 400
    data = response.json()
    assert [e["line"] for e in data["errors"]] == [2]
    assert f"“{column}”" in data["errors"][0]["reason"]
    assert count_rows(model) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("where", ["key", "unknown key"])
def test_bad_characters_in_a_bulk_item_key_are_never_a_server_error(api, known, kind, where):
    _url, endpoint, model, row, _column = KINDS[kind]
    before = count_rows(model)
    item = {"ext\x00ernal\ud800": "x"} if where == "key" else {**row, "note\ud800\x00": "x"}
    response = api.post(endpoint, json.dumps([item]), content_type="application/json")
    assert response.status_code in (200, 400)
    assert count_rows(model) <= before + 1


@pytest.mark.parametrize(
    ("kind", "column"),
    [("customers", "address"), ("tickets", "resolution"), ("interactions", "summary")],
)
def test_tab_and_line_breaks_stay_allowed_in_free_text(signed_in, known, kind, column):
    url, _endpoint, model, row, _column = KINDS[kind]
    response = post_file(
        signed_in, url, csv_text({**row, column: "Line 1\r\nLine 2\tend"}).encode()
    )
    report = response.context["report"]
    assert report.ok, report.errors
    assert count_rows(model) >= 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_line_break_in_a_one_line_value_is_a_row_of_the_report(signed_in, known, kind):
    url, _endpoint, model, row, _column = KINDS[kind]
    key = next(iter(row))
    response = post_file(signed_in, url, csv_text({**row, key: "A\nB"}).encode())
    report = response.context["report"]
    assert not report.ok
    assert [e.line for e in report.errors] == [3]  # the line the row ends on
    assert f"“{key}”" in report.errors[0].reason


WRONG_FILES = {
    "latin-1": lambda text: text.replace("Ada", "Adé").encode("latin-1"),
    "utf-16": lambda text: text.encode("utf-16"),
    "utf-32": lambda text: text.encode("utf-32"),
    "surrogate as UTF-8 bytes": lambda text: text.encode().replace(b"Ada", b"Ad\xed\xa0\x80"),
    "binary": lambda text: bytes(range(256)) * 40,
    "NUL bytes only": lambda text: b"\x00" * 5000,
    "huge cell": lambda text: text.replace("Ada", "A" * 300_000).encode(),
    "NUL in the header": lambda text: text.replace(",", ",\x00", 1).encode(),
    "unclosed quote": lambda text: text.encode() + b'"open,\n' * 10,
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("wrong", WRONG_FILES)
def test_a_file_of_the_wrong_kind_is_a_file_error_not_a_server_error(signed_in, known, kind, wrong):
    url, _endpoint, model, row, column = KINDS[kind]
    before = count_rows(model)
    content = WRONG_FILES[wrong](csv_text({**row, column: "Ada"}))
    response = post_file(signed_in, url, content)
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.ok
    assert report.file_error or report.errors
    assert count_rows(model) == before


WRONG_BODIES = {
    "latin-1 bytes": lambda body: body.replace(b"Ada", "Adé".encode("latin-1")),
    "utf-16": lambda body: body.decode().encode("utf-16"),
    "NUL byte outside a string": lambda body: body.replace(b"[", b"[\x00", 1),
    "raw NUL in a string": lambda body: body.replace(b"Ada", b"A\x00da"),
    "not JSON": lambda body: b"\xff\xfe\x00garbage",
    "huge string": lambda body: body.replace(b"Ada", b"A" * 400_000),
    "deeply nested": lambda body: b"[" * 100_000 + b"]" * 100_000,
    "nested value": lambda body: body.replace(b'"Ada"', b'{"a": ["\\u0000"]}'),
    "a number too large": lambda body: body.replace(b'"Ada"', b"1" + b"0" * 5000),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("wrong", WRONG_BODIES)
def test_a_bulk_body_of_the_wrong_kind_is_a_400_not_a_server_error(api, known, kind, wrong):
    _url, endpoint, model, row, column = KINDS[kind]
    before = count_rows(model)
    body = WRONG_BODIES[wrong](json.dumps([{**row, column: "Ada"}]).encode())
    response = api.post(endpoint, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert count_rows(model) == before
