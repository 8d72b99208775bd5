"""Driver questions that allow several answers ("what disappointed you? pick all that
apply"): the builder offers it, the customer's form takes several values, the analysis
counts the share of dissatisfied respondents naming each driver and says honestly that
the Pareto's cumulative line counts mentions, the export has a row per driver named and
alert rules fire on any of them."""

import datetime as dt

import pytest
from django.urls import reverse

from qms.registry import Period, registry
from satisfaction import analysis, exports, services
from satisfaction.models import Answer, FollowUpCase, Response
from surveys import services as survey_services
from surveys.models import AlertRule, Question
from tests.customers.factories import TopicFactory
from tests.satisfaction.factories import published_survey, running_wave, sent_invitation
from tests.surveys.test_builder import _rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def several():
    """A running wave of the fixture survey whose driver question allows several."""
    version = published_survey(code="dining")
    Question.objects.filter(version=version, code="driver").update(multi_select=True)
    return running_wave(version)


def _answer(client, wave, **data):
    _invitation, token = sent_invitation(wave)
    url = reverse("satisfaction:respond", args=[token])
    form = {"q_nps": "3", "q_contact": "1", "action": "submit", **data}
    response = client.post(url, form)
    assert response.status_code == 200, response.content.decode()[:500]
    return Response.objects.order_by("-id").first()


def test_the_form_shows_checkboxes_and_stores_every_driver_picked(client, several):
    _invitation, token = sent_invitation(several)
    page = client.get(reverse("satisfaction:respond", args=[token])).content.decode()
    driver_part = page.split('name="q_driver"')[0].rsplit("<input", 1)[1]
    assert 'type="checkbox"' in driver_part
    response = _answer(client, several, q_driver=["queue", "food"])
    named = Answer.objects.filter(response=response, question_code="driver")
    assert sorted(named.values_list("choice__code", flat=True)) == ["food", "queue"]
    # A retry of the same answers (double click) is recognised as already stored.
    stored = services.response_stored_draft(invitation=response.invitation)
    assert stored["driver"] == ["food", "queue"]


def test_a_single_choice_driver_still_takes_one_value(client):
    wave = running_wave(published_survey(code="single"))
    response = _answer(client, wave, q_driver=["queue", "food"])
    # The form reads one value for a single-choice driver: the last one sent.
    assert Answer.objects.filter(response=response, question_code="driver").count() == 1


def test_shares_of_dissatisfied_respondents_and_an_honest_cumulative_line(
    client, several, client_for, quality_manager
):
    _answer(client, several, q_driver=["queue", "food"])
    _answer(client, several, q_driver=["queue"])
    _answer(client, several)  # dissatisfied, skipped the driver question
    _answer(client, several, q_nps="10")  # satisfied: not in the base
    survey = several.survey_version.survey
    base, rows = analysis.driver_shares(survey=survey)
    assert base == 3
    assert [(r["key"], r["count"], r["share"], r["cumulative"]) for r in rows] == [
        ("queue-time", 2, 66.7, 66.7),
        ("food-quality", 1, 33.3, 100.0),
    ]
    year = Period.parse(str(survey.created_at.year))
    value = registry.compute("driver_share", period=year, survey="dining", topic="queue-time")
    assert (value.value, value.n, value.detail["several_per_respondent"]) == (66.7, 3, True)
    # The same numbers after the tally scanner has counted them.
    services.tally_refresh(lag=dt.timedelta(0))
    assert analysis.driver_shares(survey=survey) == (base, rows)

    page = client_for(quality_manager).get(
        reverse("satisfaction:survey-analysis", args=[survey.pk])
    )
    html = page.content.decode()
    assert 'data-testid="drivers-several"' in html
    assert "counts mentions (every driver named), not respondents" in html
    assert "Cumulative share of mentions, several per respondent" in html


def test_the_export_has_a_row_per_driver_named(client, several):
    response = _answer(client, several, q_driver=["queue", "food"])
    rows = [
        r
        for r in exports.export_rows(survey=several.survey_version.survey)
        if r[0] == response.pk and r[5] == "driver"
    ]
    assert sorted(r[8] for r in rows) == ["food", "queue"]


def test_alert_rules_fire_on_any_driver_named(client, several):
    survey = several.survey_version.survey
    AlertRule.objects.filter(survey=survey).delete()
    survey_services.alert_rule_create(
        survey=survey, question_code="driver", condition="choice_is", choice_code="food"
    )
    _answer(client, several, q_driver=["queue"])
    assert not FollowUpCase.objects.exists()
    response = _answer(client, several, q_driver=["queue", "food"])
    case = FollowUpCase.objects.get(response=response)
    assert "Food" in case.reason


def test_the_builder_offers_several_answers_for_driver_questions_only(client_for, quality_manager):
    queue = TopicFactory(name="Queue time", slug="queue-time")
    version = survey_services.survey_create(title="Stay", code="stay").versions.get()
    client = client_for(quality_manager)
    add = reverse("surveys:question-create", args=[version.pk])
    assert "several answers allowed" in client.get(add).content.decode().lower()
    rows = _rows(("Long queue", "", queue.pk), ("Cold food", "", ""))
    for kind, text in (("driver", "What went wrong?"), ("single", "Which room?")):
        post = {"kind": kind, "text_en": text, "scale_max": 5, "multi_select": "on", **rows}
        assert client.post(add, post).status_code == 302
    assert dict(version.questions.values_list("kind", "multi_select")) == {
        "driver": True,
        "single": False,
    }
