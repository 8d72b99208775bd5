"""Every hot query of the submit path, the scanners and the analysis still reads an index
after the foreign keys that other indexes already start with lost their own (one index
entry fewer per row written). On PostgreSQL sequential scans are switched off for the
check, so "no index can serve this" shows as a Seq Scan whatever the table's size; on
SQLite the plan names the index it searches."""

import datetime as dt

import pytest
from django.db import connection, transaction

from satisfaction.models import Answer, Invitation, InvitationLink, Response

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)

HOT_QUERIES = {
    "a response of an invitation (submit: one per invitation)": lambda: Response.objects.filter(
        invitation_id=1
    ),
    "a link by its token hash (the public page)": lambda: InvitationLink.objects.filter(
        token_hash="x" * 64
    ),
    "a wave's invitations by state (wave page, response rate)": lambda: Invitation.objects.filter(
        wave_id=1, state="sent"
    ),
    "a wave's invitations (wave deletion, counts)": lambda: Invitation.objects.filter(wave_id=1),
    "a customer's recent invitations (contact cap)": lambda: Invitation.objects.filter(
        customer_id=1, scheduled_at__gte=NOW
    ),
    "a customer's invitations (customer page, erasure)": lambda: Invitation.objects.filter(
        customer_id=1
    ),
    "due invitations (sending scanner)": lambda: Invitation.objects.filter(
        next_action_at__lte=NOW, next_action_at__isnull=False
    ),
    "invitations sent in a period (response rate)": lambda: Invitation.objects.filter(
        sent_at__gte=NOW, sent_at__lt=NOW + dt.timedelta(days=90)
    ),
    "a survey's responses in a period (analysis)": lambda: Response.objects.filter(
        survey_id=1, submitted_at__gte=NOW
    ),
    "a survey's responses (survey deletion)": lambda: Response.objects.filter(survey_id=1),
    "a survey's answers of a kind in a period (analysis tail)": lambda: Answer.objects.filter(
        survey_id=1, kind="nps", submitted_at__gte=NOW
    ),
    "a survey's answers (survey deletion)": lambda: Answer.objects.filter(survey_id=1),
    "a response's answers (draft, deletion)": lambda: Answer.objects.filter(response_id=1),
    "a wave's answers (wave deletion)": lambda: Answer.objects.filter(wave_id=1),
}


def _plan(queryset) -> str:
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            return queryset.explain()
    return queryset.explain()


@pytest.mark.parametrize("label", list(HOT_QUERIES))
def test_the_hot_query_uses_an_index(label):
    queryset = HOT_QUERIES[label]()
    plan = _plan(queryset)
    table = queryset.model._meta.db_table
    if connection.vendor == "postgresql":
        assert "Seq Scan" not in plan, plan
        assert "Index" in plan, plan
    else:
        assert f"SCAN {table}" not in plan.replace(f"SCAN {table} USING", "SEARCH"), plan
        assert "USING" in plan and "INDEX" in plan.upper(), plan


def test_no_index_repeats_the_start_of_another():
    """The single-column foreign-key indexes dropped stay dropped (a duplicate costs an
    index entry on every submit)."""
    dropped = {
        "satisfaction_answer": ["survey_id"],
        "satisfaction_response": ["survey_id"],
        "satisfaction_invitation": ["wave_id", "customer_id"],
    }
    with connection.cursor() as cursor:
        for table, columns in dropped.items():
            indexes = [
                info
                for info in connection.introspection.get_constraints(cursor, table).values()
                if info["index"] or info["unique"]
            ]
            for column in columns:
                alone = [i for i in indexes if i["columns"] == [column]]
                assert not alone, (table, column)
                assert any(i["columns"][:1] == [column] for i in indexes), (table, column)
        response = connection.introspection.get_constraints(cursor, "satisfaction_response")
        on_invitation = [
            i
            for i in response.values()
            if i["columns"] == ["invitation_id"] and (i["index"] or i["unique"])
        ]
        assert len(on_invitation) == 1 and on_invitation[0]["unique"]
