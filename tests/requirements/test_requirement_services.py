"""The requirement lifecycle: proposed → under review → accepted → deployed → retired,
its guards, and revisions after a change of substance."""

import pytest

from qms.exceptions import ApplicationError
from qms.models import Message
from requirements import services
from requirements.models import Requirement, RequirementTransition
from tests.requirements.factories import RequirementFactory

pytestmark = pytest.mark.django_db
Status = Requirement.Status


def test_create_records_the_proposal(proposed, quality_manager):
    assert proposed.status == Status.PROPOSED
    assert proposed.revision == 1
    step = proposed.transitions.get()
    assert (step.from_status, step.to_status, step.actor) == ("", Status.PROPOSED, quality_manager)


def test_only_a_quality_manager_changes_the_register(front_desk_head):
    with pytest.raises(ApplicationError):
        services.requirement_create(actor=front_desk_head, title="x", kind="stated")


def test_statutory_requirement_needs_a_reference(quality_manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.requirement_create(
            actor=quality_manager, title="Food safety", kind=Requirement.Kind.STATUTORY
        )
    assert "reference" in error.value.message_dict


def test_kano_class_and_guide_level_follow_the_kind():
    assert RequirementFactory.build(kind="statutory").guide_level == "Meet requirements"
    assert RequirementFactory.build(kind="stated").get_kano_display() == "Performance"
    assert RequirementFactory.build(kind="implied").guide_level == "Identify needs"
    delighter = RequirementFactory.build(kind="delighter")
    assert (delighter.kano, delighter.guide_level) == ("attractive", "Exceed expectations")


def test_submit_only_from_proposed(under_review, quality_manager):
    with pytest.raises(ApplicationError):
        services.requirement_submit_for_review(requirement=under_review, actor=quality_manager)


def test_accept_needs_a_recorded_review(under_review, quality_manager):
    with pytest.raises(ApplicationError, match="Record a review"):
        services.requirement_accept(requirement=under_review, actor=quality_manager)


def test_review_yes_then_accept_records_who_and_when(under_review, quality_manager):
    review = services.requirement_review(
        requirement=under_review, actor=quality_manager, can_meet=True, note="Kiosks budgeted"
    )
    assert (review.reviewed_by, review.can_meet, review.revision) == (quality_manager, True, 1)
    assert review.created_at is not None
    requirement = services.requirement_accept(requirement=under_review, actor=quality_manager)
    assert requirement.status == Status.ACCEPTED
    steps = list(RequirementTransition.objects.filter(requirement=requirement).order_by("id"))
    assert [s.to_status for s in steps] == [Status.PROPOSED, Status.UNDER_REVIEW, Status.ACCEPTED]
    assert all(s.actor == quality_manager for s in steps)


def test_review_no_needs_a_note(under_review, quality_manager):
    with pytest.raises(ApplicationError, match="note is required"):
        services.requirement_review(requirement=under_review, actor=quality_manager, can_meet=False)


def test_review_no_sends_it_back_to_proposed(under_review, quality_manager):
    services.requirement_review(
        requirement=under_review,
        actor=quality_manager,
        can_meet=False,
        note="No budget for kiosks this year",
    )
    under_review.refresh_from_db()
    assert under_review.status == Status.PROPOSED
    assert "No budget" in under_review.transitions.first().note
    # Resubmitted, it needs a new "yes" before acceptance.
    services.requirement_submit_for_review(requirement=under_review, actor=quality_manager)
    with pytest.raises(ApplicationError):
        services.requirement_accept(requirement=under_review, actor=quality_manager)


def test_review_only_under_review(proposed, quality_manager):
    with pytest.raises(ApplicationError):
        services.requirement_review(requirement=proposed, actor=quality_manager, can_meet=True)


def test_substance_change_under_review_needs_a_new_review(under_review, quality_manager):
    services.requirement_review(requirement=under_review, actor=quality_manager, can_meet=True)
    services.requirement_update(
        requirement=under_review, actor=quality_manager, title="Zero-wait check-in, 24/7"
    )
    under_review.refresh_from_db()
    assert under_review.revision == 2
    with pytest.raises(ApplicationError):
        services.requirement_accept(requirement=under_review, actor=quality_manager)


def test_editing_a_proposal_keeps_revision_one(proposed, quality_manager):
    services.requirement_update(requirement=proposed, actor=quality_manager, title="New title")
    proposed.refresh_from_db()
    assert proposed.revision == 1


def test_deploy_needs_at_least_one_deployment(accepted, quality_manager):
    with pytest.raises(ApplicationError, match="at least one department"):
        services.requirement_deploy(requirement=accepted, actor=quality_manager)


def test_deploy_only_from_accepted(under_review, quality_manager):
    with pytest.raises(ApplicationError):
        services.requirement_deploy(requirement=under_review, actor=quality_manager)


def test_deployments_need_an_accepted_requirement(under_review, front_desk, quality_manager):
    with pytest.raises(ApplicationError, match="Accept"):
        services.deployment_create(
            requirement=under_review, department=front_desk, commitment="x", actor=quality_manager
        )


def test_one_commitment_per_department(fd_deployment, front_desk, quality_manager):
    with pytest.raises(ApplicationError, match="already has a commitment"):
        services.deployment_create(
            requirement=fd_deployment.requirement,
            department=front_desk,
            commitment="again",
            actor=quality_manager,
        )


def test_deploy_starts_the_acknowledgement_clock(deployed, fd_deployment):
    assert deployed.status == Status.DEPLOYED
    assert fd_deployment.activated_at is not None
    assert fd_deployment.next_action_at == fd_deployment.ack_due_at
    assert (fd_deployment.ack_due_at - fd_deployment.activated_at).days == fd_deployment.ack_days


def test_retire_needs_a_reason(deployed, quality_manager):
    with pytest.raises(ApplicationError, match="reason"):
        services.requirement_retire(requirement=deployed, actor=quality_manager, reason="  ")


def test_retire_records_the_reason_and_stops_reminders(deployed, fd_deployment, quality_manager):
    services.requirement_retire(
        requirement=deployed, actor=quality_manager, reason="Replaced by kiosks"
    )
    deployed.refresh_from_db()
    fd_deployment.refresh_from_db()
    assert deployed.status == Status.RETIRED
    assert deployed.transitions.first().note == "Replaced by kiosks"
    assert fd_deployment.next_action_at is None
    with pytest.raises(ApplicationError):
        services.requirement_update(requirement=deployed, actor=quality_manager, title="x")


def test_delete_only_a_proposal(accepted, proposed, quality_manager):
    with pytest.raises(ApplicationError, match="Retire it instead"):
        services.requirement_delete(requirement=accepted, actor=quality_manager)


def test_change_of_substance_after_deployment_asks_again(
    deployed,
    fd_deployment,
    front_desk_head,
    front_desk_staff,
    quality_manager,
    django_capture_on_commit_callbacks,
):
    services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)
    services.brief_mark_read(deployment=fd_deployment, actor=front_desk_staff)
    services.requirement_update(
        requirement=deployed,
        actor=quality_manager,
        acceptance_criterion="Guests wait under 30 seconds",
    )
    deployed.refresh_from_db()
    fd_deployment.refresh_from_db()
    assert deployed.revision == 2
    # Old text kept in history.
    assert deployed.history.filter(acceptance_criterion="Guests wait under 1 minute").exists()
    # Acknowledgement and reads reset for revision 2; the old ones are kept for revision 1.
    assert fd_deployment.acknowledged_revision is None
    assert not fd_deployment.is_acknowledged
    assert fd_deployment.acknowledgements.get().revision == 1
    assert fd_deployment.reads.get().revision == 1
    assert fd_deployment.reminder_step == 0 and fd_deployment.next_action_at is not None
    # The department is told (head and staff), once per deployment and revision.
    changed = Message.objects.filter(
        kind="need_changed", key__startswith=f"need-changed:{fd_deployment.pk}:2:"
    )
    assert {m.recipient for m in changed} == {front_desk_head.email, front_desk_staff.email}


def test_change_of_non_substance_keeps_the_revision(
    deployed, fd_deployment, front_desk_head, quality_manager
):
    services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)
    services.requirement_update(requirement=deployed, actor=quality_manager, importance=4)
    deployed.refresh_from_db()
    fd_deployment.refresh_from_db()
    assert deployed.revision == 1
    assert fd_deployment.is_acknowledged
