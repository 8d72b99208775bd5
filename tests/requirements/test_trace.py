"""Traceability of a customer need (issue 21): the blocks other apps contribute to the
requirement page (objectives, survey figures, what customers say, corrective actions and
their verdicts, review decisions), the records linking back to the need, the printable
trace, decisions citing needs, and a page whose query count does not grow with the data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import CorrectiveAction
from crm import services as crm_services
from crm.models import Complaint
from customers.models import Topic
from objectives.models import KeyResult
from qms import services as qms_services
from qms.models import ReviewDecision
from requirements import services
from requirements.models import DecisionCitation, Requirement
from tests.actions.factories import ActionFactory
from tests.customers.factories import CustomerFactory
from tests.factories import UserFactory
from tests.objectives.factories import KeyResultFactory, ObjectiveFactory
from tests.requirements.factories import DeploymentFactory, RequirementFactory
from tests.satisfaction.factories import answered, published_survey, running_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(front_desk):
    need = RequirementFactory(title="Zero-wait check-in", status=Requirement.Status.DEPLOYED)
    DeploymentFactory(requirement=need, department=front_desk, commitment="Scan IDs in 10 s")
    return need


@pytest.fixture
def survey_wave(need):
    """A restaurant survey whose driver question maps "Long queue" to Queue time, the
    need's topic; one dissatisfied diner names it."""
    version = published_survey(title="Restaurant dining", code="restaurant-dining")
    need.topics.add(Topic.objects.get(slug="queue-time"))
    wave = running_wave(version, name="Diners, this quarter")
    answered(wave, {"nps": 3, "csat": 2, "driver": "queue"})
    answered(wave, {"nps": 10, "csat": 5})
    return wave


def _review_decision(quality_manager, owner, title="Queue numbers at the hotel desk"):
    review = qms_services.review_create(
        title="Quarterly management review",
        period_label="2026",
        meeting_date=timezone.localdate(),
        chair=quality_manager,
    )
    return qms_services.decision_add(
        review=review,
        kind=ReviewDecision.Kind.IMPROVEMENT,
        title=title,
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )


@pytest.fixture
def traced(need, survey_wave, quality_manager, front_desk, front_desk_head):
    """Every link of the chain for the need."""
    topic = Topic.objects.get(slug="queue-time")
    objective = ObjectiveFactory(title="Zero-wait check-in for hotel guests", requirements=[need])
    KeyResultFactory(
        objective=objective,
        title="Guests checked in within 2 minutes",
        unit="%",
        current_value=Decimal("72"),
        current_at=timezone.now(),
    )
    action = ActionFactory(
        title="Excessively long queuing time",
        topic=topic,
        department=front_desk,
        owner=front_desk_head,
        status=CorrectiveAction.Status.CLOSED,
        verdict=CorrectiveAction.Verdict.PASS,
        implemented_by=front_desk_head,
        verified_by=quality_manager,
        verified_at=timezone.now(),
        closed_at=timezone.now(),
    )
    crm_services.complaint_intake(
        customer=CustomerFactory(),
        description="Forty minutes at the door.",
        topic=topic,
        severity=Complaint.Severity.HIGH,
        department=front_desk,
        actor=front_desk_head,
    )
    decision = _review_decision(quality_manager, front_desk_head)
    services.decision_cite(actor=quality_manager, decision=decision, requirement=need)
    return {"objective": objective, "action": action, "decision": decision, "topic": topic}


def _page(client, need) -> str:
    response = client.get(reverse("requirements:requirement-detail", args=[need.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_requirement_page_traces_the_need(client_for, viewer, need, traced, survey_wave):
    page = _page(client_for(viewer), need)
    objective_url = reverse("objectives:objective-detail", args=[traced["objective"].pk])
    assert f'href="{objective_url}"' in page
    assert "Guests checked in within 2 minutes" in page and "72" in page
    # The survey measuring it, its figures and the share naming the need's topic.
    assert 'data-testid="trace-measurements"' in page
    assert "Restaurant dining" in page
    assert "Dissatisfied naming Queue time" in page
    assert "100.0 %" in page  # the one dissatisfied diner named the queue
    # What customers say, linked to the filtered lists.
    topic = traced["topic"]
    assert f"{reverse('crm:complaint-list')}?topic={topic.pk}" in page
    # The action on its topic with its verdict, and the decision citing the need.
    action_url = reverse("actions:action-detail", args=[traced["action"].pk])
    assert f'href="{action_url}"' in page
    assert "Effective" in page
    assert "Queue numbers at the hotel desk" in page
    assert reverse("qms:review-detail", args=[traced["decision"].review_id]) in page


def test_the_filtered_lists_behind_the_counts(client_for, viewer, traced, front_desk_head):
    topic = traced["topic"]
    client = client_for(viewer)
    complaints = client.get(reverse("crm:complaint-list"), {"topic": topic.pk})
    assert complaints.status_code == 200
    assert len(complaints.context["complaints"]) == 1
    other = Topic.objects.create(name="Noise", slug="noise")
    none = client.get(reverse("crm:complaint-list"), {"topic": other.pk})
    assert len(none.context["complaints"]) == 0
    actions = client.get(reverse("actions:board"), {"topic": topic.pk})
    assert [a.pk for a in actions.context["actions"]] == [traced["action"].pk]


def test_records_link_back_to_the_need(client_for, viewer, need, traced, survey_wave):
    client = client_for(viewer)
    need_url = reverse("requirements:requirement-detail", args=[need.pk])
    action_page = client.get(reverse("actions:action-detail", args=[traced["action"].pk]))
    assert f'href="{need_url}"' in action_page.content.decode()
    wave_page = client.get(reverse("satisfaction:wave-detail", args=[survey_wave.pk]))
    assert f'href="{need_url}"' in wave_page.content.decode()
    review_page = client.get(reverse("qms:review-detail", args=[traced["decision"].review_id]))
    text = review_page.content.decode()
    assert 'data-testid="review-needs"' in text and f'href="{need_url}"' in text
    objective_page = client.get(
        reverse("objectives:objective-detail", args=[traced["objective"].pk])
    )
    assert "Zero-wait check-in" in objective_page.content.decode()


def test_a_department_head_sees_only_what_the_rule_allows(
    client_for, need, traced, housekeeping, housekeeping_head, front_desk_head
):
    other = ActionFactory(
        title="Housekeeping's own action",
        topic=traced["topic"],
        department=housekeeping,
        owner=housekeeping_head,
    )
    page = _page(client_for(front_desk_head), need)
    assert "Excessively long queuing time" in page
    assert "Housekeeping&#x27;s own action" not in page
    assert reverse("actions:action-detail", args=[other.pk]) not in page
    # Counts without links to lists the head may not open.
    assert f"{reverse('crm:complaint-list')}?topic=" not in page


def test_the_trace_prints_the_whole_chain(client_for, viewer, need, traced):
    response = client_for(viewer).get(reverse("requirements:requirement-trace", args=[need.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    order = [
        'data-testid="requirement-trace"',
        "Commitment",
        "Scan IDs in 10 s",
        'data-testid="trace-objectives"',
        'data-testid="trace-measurements"',
        'data-testid="trace-findings"',
        'data-testid="trace-actions"',
        'data-testid="trace-decisions"',
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "data-print" in page and "js/print.js" in page


def test_the_trace_of_a_need_the_user_may_not_read_is_not_found(
    client_for, housekeeping_head, need
):
    url = reverse("requirements:requirement-trace", args=[need.pk])
    assert client_for(housekeeping_head).get(url).status_code == 404


def test_quality_managers_cite_needs_from_the_review_page(
    client_for, quality_manager, viewer, front_desk_head, need
):
    decision = _review_decision(quality_manager, front_desk_head, title="Kiosks at the desk")
    url = reverse("requirements:decision-cite", args=[decision.pk])
    for user in (viewer, front_desk_head):
        assert client_for(user).post(url, {"requirement": need.pk}).status_code == 403
    assert not DecisionCitation.objects.exists()

    client = client_for(quality_manager)
    review_page = client.get(reverse("qms:review-detail", args=[decision.review_id]))
    assert url in review_page.content.decode()
    response = client.post(url, {"requirement": need.pk})
    assert response.status_code == 302
    citation = DecisionCitation.objects.get()
    assert (citation.decision, citation.requirement, citation.cited_by) == (
        decision,
        need,
        quality_manager,
    )
    client.post(url, {"requirement": need.pk})  # twice: still one
    assert DecisionCitation.objects.count() == 1
    empty = client.post(url, {"requirement": ""}, follow=True)
    assert "Choose the customer need the decision concerns." in empty.content.decode()

    remove = reverse("requirements:citation-remove", args=[citation.pk])
    assert client_for(viewer).post(remove).status_code == 403
    assert DecisionCitation.objects.exists()
    assert client_for(quality_manager).post(remove).status_code == 302
    assert not DecisionCitation.objects.exists()


def test_a_retired_need_cannot_be_cited(quality_manager, front_desk_head):
    from qms.exceptions import ApplicationError

    decision = _review_decision(quality_manager, front_desk_head)
    retired = RequirementFactory(status=Requirement.Status.RETIRED)
    with pytest.raises(ApplicationError):
        services.decision_cite(actor=quality_manager, decision=decision, requirement=retired)


def test_empty_blocks_say_what_is_missing(client_for, viewer):
    bare = RequirementFactory(title="Bare need", status=Requirement.Status.ACCEPTED)
    page = _page(client_for(viewer), bare)
    assert "No objective serves this need yet." in page
    assert "No survey question measures this need yet" in page
    assert "No corrective action on its topics." in page
    assert "No management review decision cites this need yet." in page


def _grow(need, topic, quality_manager, owner, department, n):
    for i in range(n):
        objective = ObjectiveFactory(requirements=[need])
        KeyResultFactory(objective=objective, mode=KeyResult.Mode.MANUAL)
        KeyResultFactory(objective=objective, mode=KeyResult.Mode.MANUAL)
        ActionFactory(
            topic=topic,
            department=department,
            owner=owner,
            status=CorrectiveAction.Status.CLOSED,
            verdict=CorrectiveAction.Verdict.PASS,
            implemented_by=owner,
            verified_by=UserFactory(),
            verified_at=timezone.now(),
            closed_at=timezone.now(),
        )
        decision = _review_decision(quality_manager, owner, title=f"Decision {n}-{i}")
        services.decision_cite(actor=quality_manager, decision=decision, requirement=need)


def test_the_requirement_page_query_count_stays_flat(
    client_for, viewer, need, traced, quality_manager, front_desk, front_desk_head
):
    client = client_for(viewer)
    url = reverse("requirements:requirement-detail", args=[need.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(need, traced["topic"], quality_manager, front_desk_head, front_desk, 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
