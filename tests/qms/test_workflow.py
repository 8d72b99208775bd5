"""The workflow kernel (qms/workflow.py): locks, due rows, declared transitions with
their log, and ladders whose steps are each taken once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from actions.models import ActionTransition, CorrectiveAction, Measure
from qms.exceptions import ApplicationError
from qms.models import Message
from qms.workflow import Ladder, Step, Transition, Workflow, due_rows, lock, locked
from tests.actions.factories import ActionFactory, MeasureFactory

S = CorrectiveAction.Status
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


# --- locked / lock ----------------------------------------------------------------------


def test_locked_skips_busy_rows_on_postgresql_only_and_locks_only_its_own_table(settings):
    settings.IS_POSTGRES = True
    query = locked(Measure.objects.select_related("department__head")).query
    assert query.select_for_update is True
    assert query.select_for_update_skip_locked is True
    assert query.select_for_update_of == ("self",)
    assert locked(Measure.objects.all(), skip_locked=False).query.select_for_update_skip_locked is (
        False
    )
    settings.IS_POSTGRES = False
    query = locked(Measure.objects.all()).query
    assert query.select_for_update is True
    assert query.select_for_update_skip_locked is False


@pytest.mark.django_db
def test_lock_reads_the_row_again_from_the_database():
    action = ActionFactory(title="Before")
    CorrectiveAction.objects.filter(pk=action.pk).update(title="After")
    with transaction.atomic():
        fresh = lock(action)
    assert fresh is not action
    assert (fresh.pk, fresh.title, action.title) == (action.pk, "After", "Before")


# --- due_rows ---------------------------------------------------------------------------


def _message(n, at, status=Message.Status.PENDING):
    return Message.objects.create(
        key=f"kernel-test:{n}",
        kind="kernel-test",
        recipient="someone@example.com",
        subject="s",
        body="b",
        status=status,
        next_action_at=at,
    )


@pytest.mark.django_db
def test_due_rows_is_bounded_ordered_and_leaves_out_rows_not_yet_due():
    late = _message(1, NOW - dt.timedelta(hours=1))
    oldest = _message(2, NOW - dt.timedelta(days=2))
    tie_a = _message(3, NOW - dt.timedelta(days=1))
    tie_b = _message(4, NOW - dt.timedelta(days=1))
    _message(5, NOW + dt.timedelta(seconds=1))  # not yet due
    _message(6, None)  # nothing scheduled
    exactly_now = _message(7, NOW)
    pending = Message.objects.filter(kind="kernel-test")
    with transaction.atomic():
        rows = due_rows(pending, now=NOW, limit=10)
        assert [m.pk for m in rows] == [oldest.pk, tie_a.pk, tie_b.pk, late.pk, exactly_now.pk]
        assert [m.pk for m in due_rows(pending, now=NOW, limit=2)] == [oldest.pk, tie_a.pk]
        assert due_rows(pending, now=NOW, limit=0) == []
        # The caller's filter and another field are respected.
        tie_b.status = Message.Status.SENT
        tie_b.save()
        still_pending = pending.filter(status=Message.Status.PENDING)
        assert tie_b.pk not in [m.pk for m in due_rows(still_pending, now=NOW, limit=10)]
        assert due_rows(pending, field="sent_at", now=NOW, limit=10) == []


@pytest.mark.django_db
def test_due_rows_refuses_an_unbounded_batch():
    with pytest.raises(ValueError, match="limit"):
        due_rows(Message.objects.all(), now=NOW, limit=None)
    with pytest.raises(ValueError, match="limit"):
        due_rows(Message.objects.all(), now=NOW, limit=-1)


# --- Workflow and the transition log ----------------------------------------------------


def _contained(action, **context):
    if not action.containment:
        return "Record the containment first."
    return None


def _noted(action, *, reason="", **context):
    return None if reason else "Say why."


def _workflow(**options):
    return Workflow(
        states=S,
        log_model=ActionTransition,
        full_clean=False,
        transitions=[
            Transition(source=S.OPEN, target=S.CONTAINMENT, name="contain", label="Contain"),
            Transition(
                source=(S.CONTAINMENT, S.REOPENED),
                target=S.ROOT_CAUSE,
                label="Analyse",
                guard=[_contained, _noted],
            ),
            Transition(
                source=(S.OPEN, S.CONTAINMENT),
                target=S.NO_ACTION_NEEDED,
                label="Nothing to do",
                effect=lambda action, *, now, **context: setattr(action, "closed_at", now),
            ),
        ],
        **options,
    )


@pytest.mark.django_db
def test_allowed_moves_come_in_declared_order_with_their_labels():
    workflow = _workflow()
    action = ActionFactory(status=S.CONTAINMENT)
    assert [(t.name, t.target, t.label) for t in workflow.allowed(action)] == [
        ("root_cause", "root_cause", "Analyse"),
        ("no_action_needed", "no_action_needed", "Nothing to do"),
    ]
    assert workflow.targets(action) == ("root_cause", "no_action_needed")
    action.status = S.CLOSED
    assert workflow.allowed(action) == [] and workflow.targets(action) == ()


@pytest.mark.django_db
def test_a_transition_sets_the_state_runs_effects_saves_and_logs(quality_manager):
    workflow = _workflow()
    action = ActionFactory(status=S.OPEN)
    taken = workflow.transition(action, "contain", actor=quality_manager, note="Hold", at=NOW)
    assert taken.target == S.CONTAINMENT
    assert CorrectiveAction.objects.get(pk=action.pk).status == S.CONTAINMENT
    log = ActionTransition.objects.get(action=action)
    assert (log.from_status, log.to_status, log.actor, log.note, log.created_at) == (
        S.OPEN,
        S.CONTAINMENT,
        quality_manager,
        "Hold",
        NOW,
    )
    # By target as well as by name; the effect runs before the save, with `now`.
    action.justification = "Solved elsewhere."
    workflow.transition(action, S.NO_ACTION_NEEDED, at=NOW)
    action.refresh_from_db()
    assert (action.status, action.closed_at) == (S.NO_ACTION_NEEDED, NOW)
    last = action.transitions.last()
    assert (last.from_status, last.to_status, last.actor) == (
        S.CONTAINMENT,
        S.NO_ACTION_NEEDED,
        None,
    )
    assert action.transitions.count() == 2


@pytest.mark.django_db
def test_guards_refuse_with_their_message_in_order_and_change_nothing():
    workflow = _workflow()
    action = ActionFactory(status=S.CONTAINMENT)
    with pytest.raises(ApplicationError, match="Record the containment first."):
        workflow.transition(action, S.ROOT_CAUSE, reason="Because")
    action.containment = "Held"
    with pytest.raises(ApplicationError, match="Say why."):
        workflow.transition(action, S.ROOT_CAUSE)
    assert CorrectiveAction.objects.get(pk=action.pk).status == S.CONTAINMENT
    assert action.status == S.CONTAINMENT
    assert not ActionTransition.objects.filter(action=action).exists()
    assert workflow.check(action, S.ROOT_CAUSE, reason="Because").target == S.ROOT_CAUSE
    workflow.transition(action, S.ROOT_CAUSE, reason="Because")
    assert CorrectiveAction.objects.get(pk=action.pk).status == S.ROOT_CAUSE


@pytest.mark.django_db
def test_an_illegal_move_is_refused_with_the_state_labels():
    action = ActionFactory(status=S.OPEN)
    with pytest.raises(ApplicationError) as refused:
        _workflow().transition(action, S.ROOT_CAUSE)
    assert str(refused.value) == "“Open” cannot move to “Root-cause analysis”."
    custom = _workflow(illegal="From %(from)s: no %(step)s (%(to)s).")
    with pytest.raises(ApplicationError) as refused:
        custom.transition(action, S.ROOT_CAUSE)
    assert str(refused.value) == "From Open: no Analyse (Root-cause analysis)."
    with pytest.raises(ApplicationError) as refused:
        custom.transition(action, "fly")
    assert str(refused.value) == "From Open: no fly (fly)."
    # A transition's own message wins over the workflow's.
    own = Workflow(
        states=S,
        transitions=[
            Transition(
                source=S.CONTAINMENT,
                target=S.ROOT_CAUSE,
                illegal="Only a contained action is analysed (not %(from)s).",
            )
        ],
    )
    with pytest.raises(ApplicationError) as refused:
        own.transition(action, S.ROOT_CAUSE)
    assert str(refused.value) == "Only a contained action is analysed (not Open)."
    assert CorrectiveAction.objects.get(pk=action.pk).status == S.OPEN
    assert not ActionTransition.objects.filter(action=action).exists()


@pytest.mark.django_db
def test_on_enter_and_update_fields_and_full_clean(quality_manager):
    seen = []
    workflow = _workflow(
        on_enter=lambda action, transition, *, actor, now, **context: seen.append(
            (action.status, transition.name, actor, now, context)
        ),
        update_fields=("status", "updated_at"),
    )
    action = ActionFactory(status=S.OPEN, title="Saved")
    action.title = "Not saved"
    workflow.transition(action, "contain", actor=quality_manager, at=NOW, note="n", reason="x")
    assert seen == [(S.CONTAINMENT, "contain", quality_manager, NOW, {"note": "n", "reason": "x"})]
    fresh = CorrectiveAction.objects.get(pk=action.pk)
    assert (fresh.status, fresh.title) == (S.CONTAINMENT, "Saved")  # only update_fields
    # With full_clean, the model's own validation refuses a bad row before saving.
    strict = Workflow(
        states=S,
        transitions=[Transition(source=S.CONTAINMENT, target=S.NO_ACTION_NEEDED)],
    )
    with pytest.raises(ValidationError):
        strict.transition(action, S.NO_ACTION_NEEDED)  # a justification is missing
    assert CorrectiveAction.objects.get(pk=action.pk).status == S.CONTAINMENT


def test_a_workflow_refuses_unknown_states_and_clashing_names():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(states=S, transitions=[Transition(source="nowhere", target=S.OPEN)])
    with pytest.raises(ValueError, match="share a name"):
        Workflow(
            states=S,
            transitions=[
                Transition(source=S.OPEN, target=S.CONTAINMENT, name="go"),
                Transition(source=S.OPEN, target=S.CANCELLED, name="go"),
            ],
        )


@pytest.mark.django_db
def test_the_log_records_any_move_with_extra_columns(quality_manager):
    action = ActionFactory()
    row = ActionTransition.record(
        action, from_status=S.OPEN, to_status=S.OPEN, actor=quality_manager, note="Measured"
    )
    assert (row.action, row.from_status, row.to_status, row.actor, row.note) == (
        action,
        S.OPEN,
        S.OPEN,
        quality_manager,
        "Measured",
    )
    assert row.created_at is not None
    assert str(row) == f"{action.pk}: open → open"


# --- Ladders ----------------------------------------------------------------------------


class Row:
    """A stand-in object: attributes, and `save` remembers what it was asked to save."""

    def __init__(self, **values):
        self.pk = 1
        self.saved = []
        self.__dict__.update(values)

    def save(self, update_fields=None):
        self.saved.append(list(update_fields))


DAY = dt.timedelta(days=1)


def _anchored(**options):
    return Ladder(
        steps=[
            Step("remind", after=-3 * DAY),
            Step("remind_again", after=DAY),
            Step("escalate", after=4 * DAY),
        ],
        anchor=lambda row: row.due,
        level_field="level",
        next_field="next_at",
        **options,
    )


def _run(log):
    def run(row, step):
        log.append(step.name)
        return step.name.upper()

    return run


def test_an_anchored_ladder_takes_each_step_once_at_its_time():
    ladder = _anchored()
    row = Row(due=NOW, level=0, next_at=None)
    assert ladder.schedule(row) == NOW - 3 * DAY and row.next_at == NOW - 3 * DAY
    sent = []
    for moment in (NOW - 4 * DAY, NOW - 2 * DAY, NOW - 2 * DAY, NOW + DAY, NOW + 2 * DAY):
        ladder.advance(row, now=moment, run=_run(sent))
    assert sent == ["remind", "remind_again"]
    assert (row.level, row.next_at) == (2, NOW + 4 * DAY)
    taken = ladder.advance(row, now=NOW + 4 * DAY, run=_run(sent))
    assert [(step.name, result) for step, result in taken] == [("escalate", "ESCALATE")]
    assert ladder.advance(row, now=NOW + 40 * DAY, run=_run(sent)) == []
    assert sent == ["remind", "remind_again", "escalate"]
    assert (row.level, row.next_at) == (3, None)
    assert row.saved[-1] == ["level", "next_at"]
    assert [ladder.level(s) for s in ladder.steps] == [1, 2, 3]


def test_a_late_scan_takes_only_the_latest_step_due_or_each_in_turn():
    sent = []
    row = Row(due=NOW, level=0, next_at=NOW - 3 * DAY)
    _anchored().advance(row, now=NOW + 2 * DAY, run=_run(sent))
    assert sent == ["remind_again"] and (row.level, row.next_at) == (2, NOW + 4 * DAY)
    sent, row = [], Row(due=NOW, level=0, next_at=NOW - 3 * DAY)
    _anchored(catch_up="each").advance(row, now=NOW + 2 * DAY, run=_run(sent))
    assert sent == ["remind", "remind_again"] and row.level == 2


def test_a_ladder_taking_one_step_per_scan_when_its_next_time_has_come():
    sent = []
    row = Row(due=NOW, level=0, next_at=NOW - 3 * DAY)
    ladder = _anchored(catch_up="one")
    assert ladder.advance(row, now=NOW - 4 * DAY, run=_run(sent)) == []  # not yet
    ladder.advance(row, now=NOW + 5 * DAY, run=_run(sent))  # late: the next step only
    assert sent == ["remind"] and (row.level, row.next_at) == (1, NOW + DAY)
    ladder.advance(row, now=NOW + 5 * DAY, run=_run(sent))  # the next scan: the next one
    assert sent == ["remind", "remind_again"] and (row.level, row.next_at) == (2, NOW + 4 * DAY)
    ladder.advance(row, now=NOW + 3 * DAY, run=_run(sent))  # picked early: nothing
    assert sent == ["remind", "remind_again"] and row.next_at == NOW + 4 * DAY
    ladder.advance(row, now=NOW + 5 * DAY, run=_run(sent))
    assert sent == ["remind", "remind_again", "escalate"] and (row.level, row.next_at) == (3, None)
    # The scanner's time, not the anchor, says when: a row picked before its anchored
    # time (its next time set by hand) takes its next step then.
    sent, row = [], Row(due=NOW, level=0, next_at=NOW - 10 * DAY)
    ladder.advance(row, now=NOW - 9 * DAY, run=_run(sent))
    assert sent == ["remind"] and (row.level, row.next_at) == (1, NOW + DAY)


def test_a_database_mid_ladder_carries_on_from_its_level():
    sent = []
    row = Row(due=NOW, level=2, next_at=NOW + 4 * DAY)  # reminded twice by the old code
    _anchored().advance(row, now=NOW + 5 * DAY, run=_run(sent))
    assert sent == ["escalate"] and (row.level, row.next_at) == (3, None)


def test_a_step_spaced_from_the_previous_one_and_a_step_passed_over():
    has_head = {"yes": True}
    ladder = Ladder(
        steps=[
            Step("remind", when=lambda row: has_head["yes"]),
            Step("remind_again", after=3 * DAY, when=lambda row: has_head["yes"]),
            Step("escalate", after=3 * DAY),
        ],
        level_field="step",
        next_field="next_action_at",
    )
    sent = []
    row = Row(step=0, next_action_at=None)
    assert ladder.advance(row, now=NOW, run=_run(sent)) == []  # not started
    ladder.restart(row, at=NOW)
    assert (row.step, row.next_action_at) == (0, NOW)
    ladder.advance(row, now=NOW, run=_run(sent))
    assert sent == ["remind"] and (row.step, row.next_action_at) == (1, NOW + 3 * DAY)
    ladder.advance(row, now=NOW + DAY, run=_run(sent))  # picked early: nothing
    assert sent == ["remind"] and row.next_action_at == NOW + 3 * DAY
    has_head["yes"] = False  # the head left: the second reminder is passed over
    ladder.advance(row, now=NOW + 3 * DAY, run=_run(sent))
    assert sent == ["remind", "escalate"] and (row.step, row.next_action_at) == (3, None)
    ladder.advance(row, now=NOW + 30 * DAY, run=_run(sent))
    assert sent == ["remind", "escalate"]
    ladder.stop(row)
    assert row.next_action_at is None


def test_a_step_marked_by_a_date_field_is_taken_once():
    open_case = {"yes": True}
    ladder = Ladder(
        steps=[Step("escalate", when=lambda row: open_case["yes"], mark="escalated_at")],
        next_field="next_action_at",
    )
    sent = []
    row = Row(escalated_at=None, next_action_at=NOW)
    assert [s.name for s, _r in ladder.advance(row, now=NOW, run=_run(sent))] == ["escalate"]
    assert (row.escalated_at, row.next_action_at) == (NOW, None)
    assert row.saved == [["escalated_at", "next_action_at"]]
    row.next_action_at = NOW + DAY  # a new deadline: the escalation is not sent again
    ladder.advance(row, now=NOW + 2 * DAY, run=_run(sent))
    assert sent == ["escalate"] and row.next_action_at is None
    closed = Row(escalated_at=None, next_action_at=NOW)
    open_case["yes"] = False
    assert ladder.advance(closed, now=NOW, run=_run(sent)) == []
    assert (closed.escalated_at, closed.next_action_at) == (None, None)


def test_a_ladder_needs_steps_and_a_way_to_count_them():
    with pytest.raises(ValueError):
        Ladder(steps=[])
    with pytest.raises(ValueError, match="mark"):
        Ladder(steps=[Step("remind")], next_field="next_action_at")
    with pytest.raises(ValueError, match="catch_up"):
        Ladder(steps=[Step("remind")], level_field="step", catch_up="some")
    with pytest.raises(TypeError):
        Ladder(steps=[Step("remind")], level_field="step").schedule(Row(step=0))


@pytest.mark.django_db
def test_a_ladder_saves_its_fields_and_updated_at_on_a_model():
    measure = MeasureFactory(due_date=timezone.localdate())
    start = dt.datetime.combine(measure.due_date, dt.time.min, tzinfo=dt.UTC)
    ladder = Ladder(
        steps=[Step("overdue", after=DAY)],
        anchor=lambda m: start,
        level_field="escalation_level",
        next_field="next_escalation_at",
    )
    measure.title = "Not saved by the ladder"
    ladder.advance(measure, now=start + 2 * DAY, run=lambda m, step: None)
    fresh = Measure.objects.get(pk=measure.pk)
    assert (fresh.escalation_level, fresh.next_escalation_at) == (1, None)
    assert fresh.title != "Not saved by the ladder"
    assert ladder.fields(measure) == ["escalation_level", "next_escalation_at", "updated_at"]
