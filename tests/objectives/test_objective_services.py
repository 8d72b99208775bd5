"""Creating and changing objectives and key results: the rules of the cascade."""

from decimal import Decimal

import pytest

from objectives import services
from objectives.models import KeyResult, Objective
from qms.exceptions import ApplicationError
from requirements.models import Requirement
from tests.objectives.factories import ObjectiveFactory, RequirementFactory, this_year

pytestmark = pytest.mark.django_db


def create_org(actor, **kwargs):
    defaults = {
        "level": Objective.Level.ORGANISATION,
        "period_label": this_year(),
        "title": "Raise customer satisfaction to 95%",
        "owner": actor,
    }
    return services.objective_create(actor=actor, **{**defaults, **kwargs})


class TestOrganisationObjective:
    def test_without_a_customer_requirement_is_refused(self, quality_manager):
        with pytest.raises(ApplicationError, match="at least one customer requirement"):
            create_org(quality_manager, requirements=[])
        assert not Objective.objects.exists()

    def test_serving_an_accepted_requirement_is_created(self, quality_manager):
        need = RequirementFactory(status=Requirement.Status.ACCEPTED)
        objective = create_org(quality_manager, requirements=[need], period_label="2026-Q3")
        assert list(objective.requirements.all()) == [need]
        assert objective.period_start.isoformat() == "2026-07-01"
        assert objective.period_end.isoformat() == "2026-09-30"
        assert objective.checkin_due_on is not None
        # The audit trail records the creation and the requirements it serves.
        latest = objective.history.latest()
        assert [row.requirement_id for row in latest.requirements.all()] == [need.pk]

    def test_a_proposed_requirement_cannot_be_served(self, quality_manager):
        need = RequirementFactory(status=Requirement.Status.PROPOSED, title="Maybe")
        with pytest.raises(ApplicationError, match="Maybe"):
            create_org(quality_manager, requirements=[need])

    def test_only_a_quality_manager_sets_it(self, front_desk_head):
        with pytest.raises(ApplicationError, match="quality manager"):
            create_org(front_desk_head, requirements=[RequirementFactory()])

    def test_a_month_is_not_an_objective_period(self, quality_manager):
        with pytest.raises(ApplicationError, match="not a month"):
            create_org(quality_manager, requirements=[RequirementFactory()], period_label="2026-07")

    def test_removing_every_requirement_on_edit_is_refused(self, quality_manager):
        objective = create_org(quality_manager, requirements=[RequirementFactory()])
        with pytest.raises(ApplicationError, match="at least one customer requirement"):
            services.objective_update(actor=quality_manager, objective=objective, requirements=[])


class TestDepartmentObjective:
    def test_the_head_creates_one_for_their_department(self, front_desk, front_desk_head):
        parent = ObjectiveFactory()
        objective = services.objective_create(
            actor=front_desk_head,
            level=Objective.Level.DEPARTMENT,
            period_label=parent.period_label,
            title="Checkout within 5 minutes",
            owner=front_desk_head,
            department=front_desk,
            parent=parent,
        )
        assert objective.parent == parent

    def test_a_head_cannot_create_for_another_department(self, front_desk_head, housekeeping):
        with pytest.raises(ApplicationError, match="head of"):
            services.objective_create(
                actor=front_desk_head,
                level=Objective.Level.DEPARTMENT,
                period_label=this_year(),
                title="Not mine",
                owner=front_desk_head,
                department=housekeeping,
                parent=ObjectiveFactory(),
            )

    def test_it_must_align_to_an_organisation_objective(self, quality_manager, front_desk):
        with pytest.raises(ApplicationError, match="organisation objective"):
            services.objective_create(
                actor=quality_manager,
                level=Objective.Level.DEPARTMENT,
                period_label=this_year(),
                title="Orphan",
                owner=quality_manager,
                department=front_desk,
            )

    def test_its_period_lies_within_the_parent_period(self, quality_manager, front_desk):
        parent = ObjectiveFactory(period_label="2026-Q1")
        with pytest.raises(ApplicationError, match="within the period"):
            services.objective_create(
                actor=quality_manager,
                level=Objective.Level.DEPARTMENT,
                period_label="2026",
                title="Too long",
                owner=quality_manager,
                department=front_desk,
                parent=parent,
            )


class TestKeyResults:
    def test_a_computed_key_result_is_validated_against_the_registry(
        self, quality_manager, fake_metric
    ):
        objective = ObjectiveFactory()
        kr = services.key_result_create(
            actor=quality_manager,
            objective=objective,
            title="CSAT retail",
            mode=KeyResult.Mode.COMPUTED,
            metric_key="fake_csat",
            metric_params={"segment": "retail-shoppers"},
            baseline=Decimal("86"),
            target=Decimal("95"),
        )
        assert kr.next_action_at is not None  # due for its first computation

    def test_an_unknown_metric_is_refused(self, quality_manager):
        with pytest.raises(ApplicationError, match="no metric called"):
            services.key_result_create(
                actor=quality_manager,
                objective=ObjectiveFactory(),
                title="x",
                mode=KeyResult.Mode.COMPUTED,
                metric_key="no_such_metric",
                baseline=Decimal("0"),
                target=Decimal("1"),
            )

    def test_an_unknown_parameter_is_refused(self, quality_manager, fake_metric):
        with pytest.raises(ApplicationError, match="has no parameter colour"):
            services.key_result_create(
                actor=quality_manager,
                objective=ObjectiveFactory(),
                title="x",
                mode=KeyResult.Mode.COMPUTED,
                metric_key="fake_csat",
                metric_params={"colour": "blue"},
                baseline=Decimal("0"),
                target=Decimal("1"),
            )

    def test_decrease_needs_a_target_below_the_baseline(self, quality_manager):
        with pytest.raises(ApplicationError, match="To decrease"):
            services.key_result_create(
                actor=quality_manager,
                objective=ObjectiveFactory(),
                title="Waiting time",
                direction=KeyResult.Direction.DECREASE,
                baseline=Decimal("5"),
                target=Decimal("9"),
            )

    def test_a_staff_member_cannot_add_one(self, front_desk_staff, front_desk):
        from tests.objectives.factories import DepartmentObjectiveFactory

        objective = DepartmentObjectiveFactory(department=front_desk)
        with pytest.raises(ApplicationError):
            services.key_result_create(
                actor=front_desk_staff,
                objective=objective,
                title="x",
                baseline=Decimal("0"),
                target=Decimal("1"),
            )

    def test_a_key_result_with_check_ins_cannot_be_deleted(self, quality_manager):
        from tests.objectives.factories import CheckInFactory

        checkin = CheckInFactory()
        with pytest.raises(ApplicationError, match="check-ins"):
            services.key_result_delete(actor=quality_manager, key_result=checkin.key_result)
