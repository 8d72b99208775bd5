"""The quality manager's home stays flat in the data size: the same queries with a few
objectives and invitations as with many, and no query reads key results or invitations
row by row (objective health is stored; waves keep their sent counts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.objectives.factories import CheckInFactory, KeyResultFactory
from tests.satisfaction.factories import published_survey, running_wave, sent_invitation

pytestmark = pytest.mark.django_db


def _grow(wave, n):
    for _ in range(n):
        kr = KeyResultFactory(current_value=50)
        CheckInFactory(key_result=kr, value=50)
        sent_invitation(wave)


def _home_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_home_page_reads_the_same_queries_whatever_the_data(client_for, quality_manager):
    client = client_for(quality_manager)
    wave = running_wave(published_survey(code="dining"))
    _grow(wave, 2)
    client.get("/")  # per-process caches (branding, registry) warmed
    few = _home_queries(client)
    _grow(wave, 8)
    many = _home_queries(client)
    assert len(many) == len(few)
    tiles = {t.tile.key: t for t in client.get("/").context["tiles"]}
    assert tiles["objectives_on_track"].value.n == 10
    assert tiles["response_rate"].value.n == 10
    for sql in many:
        # Only the bounded read of computed key results' targets (qms.dashboard.targets).
        assert "objectives_keyresult" not in sql or "LIMIT 500" in sql, sql
        assert '"satisfaction_invitation"' not in sql, sql
