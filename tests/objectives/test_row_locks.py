"""Editing an objective while another worker holds its row waits for that worker instead
of failing (PostgreSQL: a skip-locked read made `.get()` raise DoesNotExist, a server
error for the user)."""

import threading
import time

import pytest
from django.db import connection, transaction

from objectives import services
from objectives.models import Objective

from .factories import ObjectiveFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks (its write lock serialises whole transactions).",
    ),
]

HOLD_FOR = 1.0  # seconds the other connection keeps the row


def test_editing_an_objective_waits_for_a_row_another_connection_holds(quality_manager):
    objective = ObjectiveFactory(owner=quality_manager, title="Before")
    held = threading.Event()
    released = {}
    failures = []

    def other_worker():
        try:
            with transaction.atomic():
                Objective.objects.select_for_update().get(pk=objective.pk)
                held.set()
                time.sleep(HOLD_FOR)
                released["at"] = time.monotonic()  # the commit comes after this moment
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
            held.set()
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    try:
        assert held.wait(10), "the other connection never took the row lock"
        assert not failures
        started = time.monotonic()
        updated = services.objective_update(
            actor=quality_manager, objective=objective, title="After"
        )
        finished = time.monotonic()
    finally:
        worker.join(10)
    assert not worker.is_alive() and not failures
    # The edit went through only once the other connection had committed.
    assert finished >= released["at"]
    assert finished - started >= HOLD_FOR / 2
    assert updated.title == "After"
    assert Objective.objects.get(pk=objective.pk).title == "After"
