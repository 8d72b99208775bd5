"""Deadlines and escalation: owner (due soon, then overdue), department head, quality
manager, each once; overdue counts from the ORIGINAL due date, extensions do not reset it."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from actions import services
from actions.models import CorrectiveAction
from actions.tasks import escalate_overdue_task
from qms.models import Message

pytestmark = pytest.mark.django_db


def _at(day_offset, action_due):
    """A moment `day_offset` days after the due date, at noon."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(action_due + dt.timedelta(days=day_offset), dt.time(12), tzinfo=tz)


def _run_twice(moment):
    with mock.patch("actions.services._now", return_value=moment):
        escalate_overdue_task()
        escalate_overdue_task()


def _keys(prefix):
    return sorted(Message.objects.filter(kind=prefix).values_list("key", "recipient"))


def test_each_level_is_sent_once_to_the_right_person(action, quality_manager, front_desk_head):
    due = action.due_date
    pk = action.pk
    _run_twice(_at(-10, due))
    assert _keys("action-overdue") == []
    _run_twice(_at(-2, due))  # due soon: the owner
    assert _keys("action-overdue") == [(f"action-overdue:{pk}:1", front_desk_head.email)]
    _run_twice(_at(1, due))  # overdue: the owner again
    _run_twice(_at(4, due))  # overdue 4 days: the department head (here the owner too)
    _run_twice(_at(8, due))  # overdue 8 days: the quality manager
    _run_twice(_at(30, due))  # nothing more
    assert _keys("action-overdue") == [
        (f"action-overdue:{pk}:1", front_desk_head.email),
        (f"action-overdue:{pk}:2", front_desk_head.email),
        (f"action-overdue:{pk}:3", front_desk_head.email),
        (f"action-overdue:{pk}:4", quality_manager.email),
    ]
    action.refresh_from_db()
    assert action.escalation_level == 4 and action.next_escalation_at is None


def test_the_head_is_told_when_the_owner_is_someone_else(
    quality_manager, front_desk, front_desk_head, front_desk_staff
):
    from tests.actions.factories import open_action

    action = open_action(actor=quality_manager, department=front_desk, owner=front_desk_staff)
    _run_twice(_at(5, action.due_date))
    assert _keys("action-overdue") == [(f"action-overdue:{action.pk}:3", front_desk_head.email)]


def test_an_extension_does_not_reset_the_escalation_of_the_original_date(action, quality_manager):
    due = action.due_date
    services.extension_add(
        actor=quality_manager, action=action, new_date=due + dt.timedelta(days=60), reason="Parts"
    )
    action.refresh_from_db()
    _run_twice(_at(8, due))
    assert [k for k, _r in _keys("action-overdue")] == [f"action-overdue:{action.pk}:4"]
    assert action.is_overdue is False  # not yet today
    with mock.patch("actions.models.timezone.localdate", return_value=due + dt.timedelta(days=8)):
        assert CorrectiveAction.objects.get(pk=action.pk).is_overdue


def test_finished_actions_are_not_chased(action, quality_manager):
    services.action_transition(
        actor=quality_manager, action=action, to="cancelled", justification="Duplicate."
    )
    _run_twice(_at(8, action.due_date))
    assert _keys("action-overdue") == []


def test_measures_escalate_owner_head_quality_manager_each_once(
    action, quality_manager, front_desk_head, front_desk_staff
):
    measure = services.measure_add(
        actor=quality_manager,
        action=action,
        title="Queue numbers",
        owner=front_desk_staff,
        department=action.department,
        due_date=action.due_date - dt.timedelta(days=20),
    )
    due = measure.due_date
    for offset in (-2, 1, 4, 8):
        _run_twice(_at(offset, due))
    assert _keys("measure-overdue") == [
        (f"measure-overdue:{measure.pk}:1", front_desk_staff.email),
        (f"measure-overdue:{measure.pk}:2", front_desk_staff.email),
        (f"measure-overdue:{measure.pk}:3", front_desk_head.email),
        (f"measure-overdue:{measure.pk}:4", quality_manager.email),
    ]


def test_a_done_measure_is_not_chased(action, quality_manager, front_desk_staff):
    measure = services.measure_add(
        actor=quality_manager,
        action=action,
        title="Queue numbers",
        owner=front_desk_staff,
        department=action.department,
        due_date=action.due_date - dt.timedelta(days=20),
    )
    services.measure_set_status(actor=front_desk_staff, measure=measure, status="done")
    _run_twice(_at(8, measure.due_date))
    assert _keys("measure-overdue") == []


def test_a_late_first_scan_sends_only_the_level_due_now(action, quality_manager):
    _run_twice(_at(9, action.due_date))
    assert [k for k, _r in _keys("action-overdue")] == [f"action-overdue:{action.pk}:4"]
