"""Opening from each kind of source: a follow-up case, a missed objective; the source
page lists the action (`{% actions_for %}`), and the create page is prefilled."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from actions.models import SourceKind
from objectives.models import ObjectiveAnalysis
from satisfaction.models import FollowUpCase, Invitation, Response, Wave
from surveys.models import Survey, SurveyVersion
from tests.actions.factories import open_action
from tests.objectives.factories import DepartmentObjectiveFactory
from tests.satisfaction.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    survey = Survey.objects.create(title="Stay", code="stay")
    version = SurveyVersion.objects.create(
        survey=survey, number=1, status="published", published_at=timezone.now()
    )
    wave = Wave.objects.create(survey_version=version, name="June")
    customer = CustomerFactory()
    invitation = Invitation.objects.create(
        wave=wave, customer=customer, scheduled_at=timezone.now()
    )
    response = Response.objects.create(
        invitation=invitation, wave=wave, survey=survey, version=version, customer=customer
    )
    return FollowUpCase.objects.create(
        response=response, customer=customer, reason="NPS 2: check-in wait", due_at=timezone.now()
    )


@pytest.fixture
def analysis(front_desk, front_desk_head, quality_manager):
    objective = DepartmentObjectiveFactory(department=front_desk, owner=front_desk_head)
    return ObjectiveAnalysis.objects.create(
        objective=objective,
        text="Missed: kiosk late",
        corrective_action_needed=True,
        by=quality_manager,
    )


def _tag(obj, user):
    return Template("{% load actions_tags %}{% actions_for obj %}").render(
        Context({"obj": obj, "user": user})
    )


def test_create_page_prefilled_from_a_follow_up_case(client_for, quality_manager, case):
    page = client_for(quality_manager).get(reverse("actions:action-create"), {"case": case.pk})
    assert page.context["form"].initial["source_kind"] == SourceKind.FOLLOWUP_CASE
    assert page.context["form"].initial["followup_case"] == case
    # No driver named in the answers: the title names the source and the survey, the
    # description carries the case's reason.
    assert page.context["form"].initial["title"] == "Detractor follow-up, Stay"
    assert "NPS 2: check-in wait" in page.context["form"].initial["description"]


def test_create_page_prefilled_from_a_missed_objective(
    client_for, quality_manager, analysis, front_desk
):
    page = client_for(quality_manager).get(
        reverse("actions:action-create"), {"analysis": analysis.pk}
    )
    initial = page.context["form"].initial
    assert initial["source_kind"] == SourceKind.MISSED_OBJECTIVE
    assert initial["objective"] == analysis.objective
    assert initial["objective_analysis"] == analysis
    assert initial["department"] == front_desk
    assert initial["description"] == "Missed: kiosk late"


def test_create_page_prefilled_with_complaint_numbers(client_for, quality_manager, front_desk):
    from tests.actions.factories import make_complaint

    first, second = make_complaint(department=front_desk), make_complaint(department=front_desk)
    page = client_for(quality_manager).get(
        reverse("actions:action-create"), {"complaint": f"{first.reference},{second.reference}"}
    )
    initial = page.context["form"].initial
    assert (initial["source_kind"], initial["complaints"]) == ("complaint", [first, second])
    # An unknown number picks nothing; the user picks from the list.
    page = client_for(quality_manager).get(
        reverse("actions:action-create"), {"complaint": "CMP-2026-00009"}
    )
    assert page.context["form"].initial["complaints"] == []


def test_the_complaint_page_lists_the_actions_opened_from_it(
    client_for, quality_manager, front_desk, front_desk_head
):
    from tests.actions.factories import make_complaint

    complaint = make_complaint(department=front_desk)
    action = open_action(
        actor=quality_manager,
        department=front_desk,
        owner=front_desk_head,
        source_kind=SourceKind.COMPLAINT,
        complaint_ref=complaint.reference,
    )
    page = client_for(quality_manager).get(reverse("crm:complaint-detail", args=[complaint.pk]))
    body = page.content.decode()
    assert action.reference in body
    assert f"complaint={complaint.reference}" in body  # open another from here


def test_follow_up_case_and_objective_show_their_actions(
    quality_manager, front_desk, front_desk_head, case, analysis
):
    from_case = open_action(
        actor=quality_manager,
        department=front_desk,
        owner=front_desk_head,
        source_kind=SourceKind.FOLLOWUP_CASE,
        followup_case=case,
    )
    from_objective = open_action(
        actor=quality_manager,
        department=front_desk,
        owner=front_desk_head,
        source_kind=SourceKind.MISSED_OBJECTIVE,
        objective_analysis=analysis,
    )
    assert from_case.reference in _tag(case, quality_manager)
    assert from_objective.reference in _tag(analysis, quality_manager)
    assert from_objective.reference in _tag(analysis.objective, quality_manager)
    source = from_objective.sources.get()
    assert source.objective == analysis.objective  # filled from the analysis


def test_a_missing_metric_does_not_stop_the_scanner(action, quality_manager, fake_metrics, windows):
    from actions.models import CorrectiveAction
    from actions.tasks import check_effectiveness_task
    from qms.registry import registry
    from tests.actions.factories import advance

    action = advance(
        action,
        actor=quality_manager,
        to="effectiveness_check",
        metric_key="test_lower",
        windows=windows,
    )
    registry.unregister("test_lower")
    assert check_effectiveness_task() == 0
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.EFFECTIVENESS_CHECK
    assert action.next_action_at > timezone.now()


def test_create_page_from_the_survey_analysis_takes_the_latest_wave(client_for, quality_manager):
    from tests.satisfaction.factories import TopicFactory

    topic = TopicFactory(slug="queue-time", name="Queue time")
    survey = Survey.objects.create(title="Dining", code="dining")
    version = SurveyVersion.objects.create(
        survey=survey, number=1, status="published", published_at=timezone.now()
    )
    now = timezone.now()
    Wave.objects.create(
        survey_version=version,
        name="Old",
        starts_at=now.replace(year=now.year - 1),
        started_at=now,
    )
    latest = Wave.objects.create(survey_version=version, name="New", starts_at=now, started_at=now)
    page = client_for(quality_manager).get(
        reverse("actions:action-create"), {"survey": "dining", "topic": "queue-time"}
    )
    initial = page.context["form"].initial
    assert initial["wave"] == latest and initial["topic"] == topic
    assert initial["source_kind"] == SourceKind.SURVEY_FINDING
