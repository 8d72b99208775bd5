"""The effectiveness check: numbers from the registry, direction, target, minimum n,
and what happens next (closable, reopened with the owner told, or insufficient data)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from actions import services
from actions.models import CorrectiveAction
from actions.tasks import check_effectiveness_task
from qms.exceptions import ApplicationError
from qms.models import Message
from tests.actions.factories import advance

pytestmark = pytest.mark.django_db
S = CorrectiveAction.Status
V = CorrectiveAction.Verdict


@pytest.fixture
def in_check(action, quality_manager, fake_metrics, windows):
    def make(key="test_lower", target=-80, min_n=2):
        checked = advance(
            action,
            actor=quality_manager,
            to="effectiveness_check",
            metric_key=key,
            target=target,
            windows=windows,
        )
        CorrectiveAction.objects.filter(pk=checked.pk).update(min_n=min_n)
        checked.refresh_from_db()
        return checked

    return make


def _set(values, windows, key, baseline, followup):
    values[(key, windows[0])] = baseline
    values[(key, windows[2])] = followup


def test_a_decrease_beyond_the_target_passes_and_makes_the_action_closable(
    in_check, fake_metrics, windows
):
    action = in_check("test_lower", -80)
    _set(fake_metrics, windows, "test_lower", (50, 50), (10, 10))
    assert check_effectiveness_task() == 1
    action.refresh_from_db()
    assert action.verdict == V.PASS and action.is_closable
    assert action.status == S.EFFECTIVENESS_CHECK
    criterion = action.criteria.get()
    assert (criterion.baseline_value, criterion.followup_value) == (Decimal(50), Decimal(10))
    assert criterion.change_pct == Decimal("-80.00")
    assert action.measured_at is not None
    assert action.next_action_at is None


def test_a_decrease_short_of_the_target_fails_reopens_and_tells_the_owner(
    in_check, fake_metrics, windows, django_capture_on_commit_callbacks
):
    action = in_check("test_lower", -80)
    _set(fake_metrics, windows, "test_lower", (50, 50), (20, 20))
    with django_capture_on_commit_callbacks(execute=False):
        check_effectiveness_task()
    action.refresh_from_db()
    assert action.verdict == V.FAIL
    assert action.status == S.REOPENED
    assert action.criteria.get().change_pct == Decimal("-60.00")
    message = Message.objects.get(kind="action-reopened")
    assert message.recipient == action.owner.email
    assert action.reference in message.subject
    last = action.transitions.last()
    assert (last.from_status, last.to_status, last.actor) == (
        S.EFFECTIVENESS_CHECK,
        S.REOPENED,
        None,
    )


def test_an_increase_of_a_lower_is_better_metric_fails(in_check, fake_metrics, windows):
    action = in_check("test_lower", -10)
    _set(fake_metrics, windows, "test_lower", (50, 50), (60, 60))
    check_effectiveness_task()
    action.refresh_from_db()
    assert action.verdict == V.FAIL


def test_an_increase_beyond_the_target_passes_for_higher_is_better(in_check, fake_metrics, windows):
    action = in_check("test_higher", 25)
    _set(fake_metrics, windows, "test_higher", (60, 40), (78, 40))
    check_effectiveness_task()
    action.refresh_from_db()
    assert action.verdict == V.PASS
    assert action.criteria.get().change_pct == Decimal("30.00")


def test_a_decrease_of_a_higher_is_better_metric_fails(in_check, fake_metrics, windows):
    action = in_check("test_higher", 25)
    _set(fake_metrics, windows, "test_higher", (60, 40), (50, 40))
    check_effectiveness_task()
    action.refresh_from_db()
    assert action.verdict == V.FAIL and action.status == S.REOPENED


@pytest.mark.parametrize(
    ("baseline", "followup"),
    [
        ((50, 50), (5, 3)),  # follow-up n below the minimum
        ((50, 4), (5, 50)),  # baseline n below the minimum
        ((None, 0), (5, 50)),  # no baseline value
        ((50, 50), (None, 0)),  # no follow-up value
        ((0, 50), (0, 50)),  # a change from zero cannot be expressed in percent
    ],
)
def test_too_few_data_points_is_insufficient_data_never_a_pass(
    in_check, fake_metrics, windows, baseline, followup
):
    action = in_check("test_lower", -80, min_n=10)
    _set(fake_metrics, windows, "test_lower", baseline, followup)
    check_effectiveness_task()
    action.refresh_from_db()
    assert action.verdict == V.INSUFFICIENT
    assert action.status == S.EFFECTIVENESS_CHECK
    assert not action.is_closable


def test_one_failed_criterion_fails_the_action(action, quality_manager, fake_metrics, windows):
    action = advance(
        action, actor=quality_manager, to="planned", metric_key="test_lower", windows=windows
    )
    services.criterion_add(
        actor=quality_manager, action=action, metric_key="test_higher", target_change_pct=25
    )
    action = advance(
        action,
        actor=quality_manager,
        to="effectiveness_check",
        metric_key="test_lower",
        target=-50,
        windows=windows,
    )
    _set(fake_metrics, windows, "test_lower", (50, 50), (10, 50))
    _set(fake_metrics, windows, "test_higher", (50, 50), (51, 50))
    check_effectiveness_task()
    action.refresh_from_db()
    assert sorted(action.criteria.values_list("verdict", flat=True)) == ["fail", "pass"]
    assert action.verdict == V.FAIL


def test_the_scanner_waits_for_the_follow_up_window_to_end(action, quality_manager, fake_metrics):
    today = timezone.localdate()
    action = advance(
        action,
        actor=quality_manager,
        to="effectiveness_check",
        metric_key="test_lower",
        windows=(
            today - dt.timedelta(days=40),
            today - dt.timedelta(days=11),
            today - dt.timedelta(days=10),
            today + dt.timedelta(days=5),
        ),
    )
    assert check_effectiveness_task() == 0
    action.refresh_from_db()
    assert action.verdict == ""
    with pytest.raises(ApplicationError, match="not ended"):
        services.effectiveness_check(action=action)


def test_the_scanner_measures_each_action_once(in_check, fake_metrics, windows):
    action = in_check("test_lower", -80)
    _set(fake_metrics, windows, "test_lower", (50, 50), (10, 10))
    assert check_effectiveness_task() == 1
    assert check_effectiveness_task() == 0
    assert action.transitions.filter(note__startswith="Effectiveness measured").count() == 1


def test_the_scanner_batch_is_bounded(in_check, fake_metrics, windows):
    in_check("test_lower", -80)
    assert services.effectiveness_check_due(limit=0) == 0


def test_a_reopened_action_goes_back_to_analysis_and_is_checked_again(
    in_check, fake_metrics, windows, quality_manager
):
    action = in_check("test_lower", -80)
    _set(fake_metrics, windows, "test_lower", (50, 50), (30, 30))
    check_effectiveness_task()
    services.action_transition(actor=quality_manager, action=action, to=S.ROOT_CAUSE)
    services.action_transition(actor=quality_manager, action=action, to=S.PLANNED)
    services.action_transition(actor=quality_manager, action=action, to=S.IMPLEMENTING)
    services.action_transition(actor=quality_manager, action=action, to=S.EFFECTIVENESS_CHECK)
    action.refresh_from_db()
    assert action.verdict == "" and action.criteria.get().verdict == ""
    _set(fake_metrics, windows, "test_lower", (50, 50), (5, 30))
    check_effectiveness_task()
    action.refresh_from_db()
    assert action.verdict == V.PASS


def test_real_registry_metric_ticket_volume(action, quality_manager, windows):
    """The check reads the registry: tickets on a topic, baseline vs follow-up."""
    from customers.models import Customer, Topic
    from research.models import Ticket
    from research.services import ticket_record_text

    topic = Topic.objects.create(name="Queue", slug="queue-x")
    customer = Customer.objects.create(name="Diner")
    tz = timezone.get_current_timezone()

    def tickets(day, count, prefix):
        # As the import records them: the ticket, and its text with the imported topic.
        for n in range(count):
            ticket = Ticket.objects.create(
                external_id=f"{prefix}-{n}",
                customer=customer,
                topic=topic,
                opened_at=dt.datetime.combine(day, dt.time(12), tzinfo=tz),
            )
            ticket_record_text(ticket=ticket)

    tickets(windows[0] + dt.timedelta(days=2), 10, "b")
    tickets(windows[2] + dt.timedelta(days=2), 2, "f")
    action = advance(
        action,
        actor=quality_manager,
        to="effectiveness_check",
        metric_key="ticket_volume",
        params={"topic": "queue-x"},
        target=-80,
        windows=windows,
    )
    check_effectiveness_task()
    action.refresh_from_db()
    criterion = action.criteria.get()
    assert (criterion.baseline_n, criterion.followup_n) == (10, 2)
    assert criterion.change_pct == Decimal("-80.00")
    assert action.verdict == V.PASS


def test_after_insufficient_data_a_wider_follow_up_window_checks_again(
    in_check, fake_metrics, windows, quality_manager
):
    action = in_check("test_lower", -80, min_n=10)
    _set(fake_metrics, windows, "test_lower", (50, 50), (5, 3))
    check_effectiveness_task()
    action.refresh_from_db()
    assert action.verdict == V.INSUFFICIENT
    with pytest.raises(ApplicationError, match="Widen"):
        services.criterion_set(
            actor=quality_manager,
            action=action,
            baseline_start=windows[0],
            baseline_end=windows[1],
            followup_start=windows[2],
            followup_end=windows[3],
            min_n=10,
        )
    later = timezone.localdate() + dt.timedelta(days=30)
    services.criterion_set(
        actor=quality_manager,
        action=action,
        baseline_start=windows[0],
        baseline_end=windows[1],
        followup_start=windows[2],
        followup_end=later,
        min_n=10,
    )
    action.refresh_from_db()
    assert action.verdict == "" and action.status == S.EFFECTIVENESS_CHECK
    assert action.next_action_at.date() == later + dt.timedelta(days=1)
    assert check_effectiveness_task() == 0  # not before the new window ends


def test_windows_cannot_change_during_a_check_that_has_not_run(in_check, windows, quality_manager):
    action = in_check("test_lower", -80)
    with pytest.raises(ApplicationError, match="under way"):
        services.criterion_set(
            actor=quality_manager,
            action=action,
            baseline_start=windows[0],
            baseline_end=windows[1],
            followup_start=windows[2],
            followup_end=windows[3],
            min_n=1,
        )
