"""The workflow and every guard of issue 7, through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from actions import services
from actions.models import ActionTransition, CorrectiveAction, SourceKind
from qms.exceptions import ApplicationError
from qms.models import ImpactAssessment, InterestedParty
from tests.actions.factories import advance, open_action

pytestmark = pytest.mark.django_db
S = CorrectiveAction.Status


def test_opening_gives_a_reference_and_records_the_first_transition(action, quality_manager):
    assert action.reference == f"CA-{action.created_at.year}-{action.pk:04d}"
    assert action.status == S.OPEN
    first = action.transitions.get()
    assert (first.from_status, first.to_status, first.actor) == ("", S.OPEN, quality_manager)
    assert action.current_due_date == action.due_date


def test_only_a_quality_manager_opens_or_moves_actions(front_desk, front_desk_head, action):
    with pytest.raises(ApplicationError, match="quality manager"):
        open_action(actor=front_desk_head, department=front_desk, owner=front_desk_head)
    with pytest.raises(ApplicationError, match="quality manager"):
        services.action_transition(actor=front_desk_head, action=action, to=S.CONTAINMENT)


def test_a_survey_finding_needs_its_wave(quality_manager, front_desk, front_desk_head):
    with pytest.raises(ApplicationError, match="wave"):
        open_action(
            actor=quality_manager,
            department=front_desk,
            owner=front_desk_head,
            source_kind=SourceKind.SURVEY_FINDING,
        )


def test_an_action_from_two_complaints_links_both(quality_manager, front_desk, front_desk_head):
    from tests.actions.factories import make_complaint

    first, second = make_complaint(department=front_desk), make_complaint(department=front_desk)
    action = open_action(
        actor=quality_manager,
        department=front_desk,
        owner=front_desk_head,
        source_kind=SourceKind.COMPLAINT,
        complaint_ref=f"{first.reference}, {second.reference.lower()}",
    )
    assert {s.complaint for s in action.sources.all()} == {first, second}
    # Each complaint knows the action opened from it.
    assert first.corrective_action_sources.get().action == action


def test_an_unknown_complaint_reference_is_refused(quality_manager, front_desk, front_desk_head):
    with pytest.raises(ApplicationError, match="No complaint has the reference CMP-1999-00001"):
        open_action(
            actor=quality_manager,
            department=front_desk,
            owner=front_desk_head,
            source_kind=SourceKind.COMPLAINT,
            complaint_ref="CMP-1999-00001",
        )


def test_a_transition_not_in_the_map_is_refused(action, quality_manager):
    with pytest.raises(ApplicationError, match="cannot move"):
        services.action_transition(actor=quality_manager, action=action, to=S.CLOSED)


def test_containment_is_needed_before_root_cause_analysis(action, quality_manager):
    services.action_transition(actor=quality_manager, action=action, to=S.CONTAINMENT)
    with pytest.raises(ApplicationError, match="containment"):
        services.action_transition(actor=quality_manager, action=action, to=S.ROOT_CAUSE)
    services.containment_record(actor=quality_manager, action=action, not_needed=True)
    services.action_transition(actor=quality_manager, action=action, to=S.ROOT_CAUSE)
    action.refresh_from_db()
    assert action.status == S.ROOT_CAUSE


def test_containment_needs_text_or_the_not_needed_flag(action, quality_manager):
    with pytest.raises(ApplicationError, match="containment"):
        services.containment_record(actor=quality_manager, action=action, containment="  ")


def test_a_root_cause_is_needed_before_a_plan(action, quality_manager):
    advance(action, actor=quality_manager, to="root_cause")
    with pytest.raises(ApplicationError, match="root cause"):
        services.action_transition(actor=quality_manager, action=action, to=S.PLANNED)


@pytest.mark.parametrize(
    ("method", "kwargs", "message"),
    [
        ("five_whys", {"whys": ["", " "]}, "why"),
        ("cause_categories", {"categories": {}}, "category"),
        ("cause_categories", {"categories": {"luck": "bad"}}, "Unknown"),
        ("", {}, "method"),
    ],
)
def test_root_cause_analysis_is_complete(action, quality_manager, method, kwargs, message):
    with pytest.raises(ApplicationError, match=message):
        services.root_cause_record(
            actor=quality_manager, action=action, method=method, statement="x", **kwargs
        )


def test_root_cause_by_categories(action, quality_manager):
    services.root_cause_record(
        actor=quality_manager,
        action=action,
        method="cause_categories",
        categories={"method": "Batching by station", "people": ""},
        statement="Batching slows delivery.",
    )
    action.refresh_from_db()
    assert action.root_cause_categories == {"method": "Batching by station"}
    assert action.root_cause_whys == []


def _planned(action, qm):
    advance(action, actor=qm, to="planned")
    return action


def test_the_plan_needs_a_measure_before_implementation(action, quality_manager):
    _planned(action, quality_manager)
    with pytest.raises(ApplicationError, match="at least one measure"):
        services.action_transition(actor=quality_manager, action=action, to=S.IMPLEMENTING)


def test_the_effectiveness_criterion_is_set_before_implementation(
    action, quality_manager, front_desk_head
):
    _planned(action, quality_manager)
    services.measure_add(
        actor=quality_manager,
        action=action,
        title="Queue numbers",
        owner=front_desk_head,
        department=action.department,
        due_date=dt.date.today() + dt.timedelta(days=5),
    )
    with pytest.raises(ApplicationError, match="effectiveness criterion"):
        services.action_transition(actor=quality_manager, action=action, to=S.IMPLEMENTING)


def test_a_negative_impact_without_mitigation_blocks_the_plan(action, quality_manager):
    _planned(action, quality_manager)
    party = InterestedParty.objects.create(
        name="Kitchen staff", category="employees", needs="Fair hours", review_date=dt.date.today()
    )
    ImpactAssessment.objects.create(
        target_type=ContentType.objects.get_for_model(action),
        target_id=action.pk,
        party=party,
        impact="negative",
    )
    with pytest.raises(ApplicationError, match="Kitchen staff"):
        advance(action, actor=quality_manager, to="implementing")
    action.refresh_from_db()
    assert action.status == S.PLANNED


def test_all_measures_done_before_the_check(action, quality_manager):
    advance(action, actor=quality_manager, to="implementing")
    with pytest.raises(ApplicationError, match="not done"):
        services.action_transition(actor=quality_manager, action=action, to=S.EFFECTIVENESS_CHECK)


def test_the_check_records_the_implementer_and_schedules_the_scanner(
    action, quality_manager, front_desk_head
):
    action = advance(action, actor=quality_manager, to="effectiveness_check")
    assert action.implemented_by == front_desk_head  # defaults to the owner
    assert action.next_action_at.date() == action.followup_end + dt.timedelta(days=1)


def test_closing_needs_a_passed_check(action, quality_manager):
    action = advance(action, actor=quality_manager, to="effectiveness_check")
    with pytest.raises(ApplicationError, match="passed effectiveness check"):
        services.action_transition(actor=quality_manager, action=action, to=S.CLOSED)


def test_the_verifier_is_not_the_implementer(action, quality_manager):
    action = advance(
        action, actor=quality_manager, to="effectiveness_check", implemented_by=quality_manager
    )
    CorrectiveAction.objects.filter(pk=action.pk).update(verdict="pass")
    with pytest.raises(ApplicationError, match="cannot be the person who implemented"):
        services.action_transition(actor=quality_manager, action=action, to=S.CLOSED)


def test_the_database_refuses_a_verifier_who_implemented(action, quality_manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectiveAction.objects.filter(pk=action.pk).update(
            implemented_by=quality_manager, verified_by=quality_manager
        )


def test_closing_with_a_pass_by_another_person(action, quality_manager, front_desk_head):
    action = advance(action, actor=quality_manager, to="effectiveness_check")
    CorrectiveAction.objects.filter(pk=action.pk).update(verdict="pass")
    services.action_transition(actor=quality_manager, action=action, to=S.CLOSED)
    action.refresh_from_db()
    assert action.status == S.CLOSED
    assert action.verified_by == quality_manager
    assert action.implemented_by == front_desk_head
    assert action.closed_at is not None


@pytest.mark.parametrize("to", [S.CANCELLED, S.NO_ACTION_NEEDED])
def test_cancelled_and_no_action_needed_need_a_justification(action, quality_manager, to):
    with pytest.raises(ApplicationError, match="justification"):
        services.action_transition(actor=quality_manager, action=action, to=to, justification=" ")
    services.action_transition(
        actor=quality_manager, action=action, to=to, justification="Already solved by CA-1."
    )
    action.refresh_from_db()
    assert action.status == to
    assert action.justification == "Already solved by CA-1."
    assert action.next_escalation_at is None


def test_the_database_refuses_a_cancellation_without_justification(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectiveAction.objects.filter(pk=action.pk).update(status="cancelled")


def test_every_transition_is_recorded_with_who_and_when(action, quality_manager):
    advance(action, actor=quality_manager, to="implementing")
    log = list(action.transitions.values_list("from_status", "to_status", "actor"))
    assert log == [
        ("", "open", quality_manager.pk),
        ("open", "containment", quality_manager.pk),
        ("containment", "root_cause", quality_manager.pk),
        ("root_cause", "planned", quality_manager.pk),
        ("planned", "implementing", quality_manager.pk),
    ]
    assert all(t.created_at for t in ActionTransition.objects.filter(action=action))


def test_a_finished_action_cannot_be_edited(action, quality_manager):
    services.action_transition(
        actor=quality_manager, action=action, to=S.CANCELLED, justification="Duplicate."
    )
    with pytest.raises(ApplicationError, match="finished"):
        services.containment_record(actor=quality_manager, action=action, containment="x")


def test_history_is_kept(action, quality_manager):
    services.action_update(actor=quality_manager, action=action, title="New title")
    assert action.history.count() >= 2


def test_measure_status_by_owner_head_or_qm_only(
    action, quality_manager, front_desk_head, front_desk_staff, housekeeping_head
):
    measure = services.measure_add(
        actor=quality_manager,
        action=action,
        title="Numbers",
        owner=front_desk_staff,
        department=action.department,
        due_date=dt.date.today(),
    )
    services.measure_set_status(actor=front_desk_staff, measure=measure, status="doing")
    services.measure_set_status(actor=front_desk_head, measure=measure, status="done")
    measure.refresh_from_db()
    assert measure.status == "done" and measure.done_at and measure.next_escalation_at is None
    with pytest.raises(ApplicationError, match="owner"):
        services.measure_set_status(actor=housekeeping_head, measure=measure, status="todo")


def test_criterion_parameters_are_checked_against_the_registry(action, quality_manager):
    with pytest.raises(ApplicationError, match="does not take"):
        services.criterion_add(
            actor=quality_manager,
            action=action,
            metric_key="ticket_volume",
            metric_params={"colour": "red"},
            target_change_pct=Decimal("-50"),
        )
    with pytest.raises(ApplicationError, match="no metric"):
        services.criterion_add(
            actor=quality_manager, action=action, metric_key="nope", target_change_pct=-5
        )


@pytest.mark.parametrize(("key", "target"), [("ticket_volume", 20), ("csat", -10)])
def test_the_target_points_the_way_the_metric_improves(action, quality_manager, key, target):
    with pytest.raises(ApplicationError, match="is better"):
        services.criterion_add(
            actor=quality_manager, action=action, metric_key=key, target_change_pct=target
        )


def test_windows_are_ordered(action, quality_manager):
    today = dt.date.today()
    with pytest.raises(ApplicationError, match="after the baseline"):
        services.criterion_set(
            actor=quality_manager,
            action=action,
            baseline_start=today - dt.timedelta(days=10),
            baseline_end=today,
            followup_start=today - dt.timedelta(days=5),
            followup_end=today + dt.timedelta(days=5),
            min_n=5,
        )


def test_an_extension_needs_a_reason_and_a_later_date(action, quality_manager):
    with pytest.raises(ApplicationError, match="why"):
        services.extension_add(
            actor=quality_manager,
            action=action,
            new_date=action.due_date + dt.timedelta(days=5),
            reason="",
        )
    with pytest.raises(ApplicationError, match="later"):
        services.extension_add(
            actor=quality_manager, action=action, new_date=action.due_date, reason="Supplier"
        )
    services.extension_add(
        actor=quality_manager,
        action=action,
        new_date=action.due_date + dt.timedelta(days=5),
        reason="Supplier late",
    )
    action.refresh_from_db()
    assert action.current_due_date == action.due_date + dt.timedelta(days=5)
    assert action.extensions.get().reason == "Supplier late"
