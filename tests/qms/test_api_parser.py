"""The API's JSON parser: bodies the database cannot store are a 400, never a 500."""

import io

import pytest
from rest_framework.exceptions import ParseError

from qms.api.parsers import JSONParser


class View:
    def __init__(self, action):
        self.action = action


def parse(body: bytes, action="create"):
    return JSONParser().parse(io.BytesIO(body), "application/json", {"view": View(action)})


@pytest.mark.parametrize(
    "body",
    [
        b'{"metric_params": {"segment": "a\\u0000b"}}',
        b'{"whys": ["fine", "lone \\ud800"]}',
        b'{"key\\u0000": 1}',
        b'[{"deep": [{"deeper": "\\udfff"}]}]',
        b"[" * 50_000 + b"]" * 50_000,
    ],
)
def test_unstorable_or_too_deep_bodies_are_a_parse_error(body):
    with pytest.raises(ParseError):
        parse(body)


def test_ordinary_text_and_other_control_characters_pass():
    assert parse(b'{"a": "tab\\there \\u0001 \\u00e9 \\ud83d\\ude00"}') == {
        "a": "tab\there \x01 é 😀"
    }


def test_bulk_endpoints_get_the_body_to_report_per_item():
    assert parse(b'[{"name": "a\\u0000"}]', action="bulk") == [{"name": "a\x00"}]


@pytest.mark.django_db
def test_an_endpoint_with_a_nul_in_the_body_answers_400(api_client_for, quality_manager):
    response = api_client_for(quality_manager).post(
        "/api/objectives/",
        b'{"title": "Profit", "metric_params": {"x": "\\u0000"}}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_a_nul_in_an_api_form_body_or_query_is_a_json_400(client_for, quality_manager):
    client = client_for(quality_manager)
    posted = client.post(
        "/api/satisfaction/surveys/",
        "title=abc%00",
        content_type="application/x-www-form-urlencoded",
    )
    assert posted.status_code == 400 and "NUL" in posted.json()["detail"]
    searched = client.get("/api/customers/", {"search": "a\x00b"})
    assert searched.status_code == 400 and searched["Content-Type"] == "application/json"
