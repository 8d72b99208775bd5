"""A NUL character in a request is a clear 400, on every database (PostgreSQL refuses NUL
in any text, so it used to be a server error wherever it reached a query)."""

import pytest

from research.models import Interview

pytestmark = pytest.mark.django_db


def test_nul_in_a_filter_is_a_400_page(client_for, quality_manager):
    response = client_for(quality_manager).get("/satisfaction/follow-ups/?state=open%00")
    assert response.status_code == 400
    assert "We could not read that request" in response.text


def test_nul_in_a_form_field_is_a_400_and_saves_nothing(client_for, quality_manager):
    before = Interview.objects.count()
    response = client_for(quality_manager).post(
        "/customers/interviews/new/", {"customer": "Ada\x00", "summary": "x"}
    )
    assert response.status_code == 400
    assert Interview.objects.count() == before


def test_ordinary_requests_pass(client_for, quality_manager):
    assert (
        client_for(quality_manager).get("/satisfaction/follow-ups/?state=open").status_code == 200
    )
