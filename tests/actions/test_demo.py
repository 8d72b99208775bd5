"""The restaurant demo: opened from the survey finding, verified effect, closed; idempotent."""

import io

import pytest
from django.core.management import call_command

from actions import demo
from actions.models import ActionSource, CorrectiveAction, EffectivenessCriterion, Measure
from satisfaction.models import Answer, Wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_demo", "--force", stdout=io.StringIO())
    return CorrectiveAction.objects.get(title=demo.ACTION_TITLE)


def test_the_restaurant_action_is_verified_and_closed(loaded):
    action = loaded
    assert action.status == "closed" and action.verdict == "pass"
    assert action.verified_by.username == "quality"
    assert action.implemented_by.username == "frontdesk"
    assert action.verified_by != action.implemented_by
    source = action.sources.get()
    assert source.kind == "survey_finding" and source.topic.slug == "queue-time"
    assert source.wave.survey.code == "restaurant-dining"
    assert action.root_cause_method == "five_whys" and len(action.root_cause_whys) == 5
    assert action.containment
    titles = list(action.measures.values_list("title", "department__code", "status"))
    assert len(titles) == 3 and all(status == "done" for *_rest, status in titles)
    assert any("30 minutes" in t for t, *_ in titles)
    assert any("20 → 12" in t for t, *_ in titles)
    assert {code for _t, code, _s in titles} >= {"FD", "KT"}


def test_queuing_complaints_down_80_and_satisfaction_up_25(loaded):
    queue = loaded.criteria.get(metric_key="driver_share")
    assert queue.metric_params == {"survey": "restaurant-dining", "topic": "queue-time"}
    assert float(queue.baseline_value) == 40.0
    assert float(queue.change_pct) <= -80
    assert queue.verdict == "pass"
    csat = loaded.criteria.get(metric_key="csat")
    assert float(csat.change_pct) >= 25
    assert csat.verdict == "pass"
    assert queue.baseline_n >= loaded.min_n and queue.followup_n >= loaded.min_n


def test_the_demo_is_idempotent(loaded):
    def snapshot():
        return (
            CorrectiveAction.objects.count(),
            ActionSource.objects.count(),
            Measure.objects.count(),
            EffectivenessCriterion.objects.count(),
            Wave.objects.count(),
            Answer.objects.count(),
            list(CorrectiveAction.objects.values_list("updated_at", flat=True)),
        )

    before = snapshot()
    assert demo.load(stdout=io.StringIO()) == 0
    call_command("load_demo", "--force", stdout=io.StringIO())
    assert snapshot() == before


def test_the_demo_skips_without_the_survey():
    assert demo.load(stdout=io.StringIO()) == 0
    assert not CorrectiveAction.objects.exists()


def test_the_review_decision_cites_the_traced_need(loaded):
    """Issue 21: the demo need "Zero-wait check-in" reaches a management review decision,
    besides its objectives, the survey measuring its topics and the verified action."""
    from requirements.models import DecisionCitation, Requirement

    need = Requirement.objects.get(title=demo.TRACED_NEED)
    citation = DecisionCitation.objects.select_related("decision").get(requirement=need)
    assert citation.decision.title == demo.DECISION_TITLE
    assert need.objectives.exists()
    assert need.topics.filter(slug="queue-time").exists()
    call_command("load_demo", "--force", stdout=io.StringIO())  # again: nothing new
    assert DecisionCitation.objects.filter(requirement=need).count() == 1
