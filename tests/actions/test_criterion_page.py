"""The effectiveness criterion is chosen in words: metrics by name and description,
parameters from lists of the portal's surveys and topics, the current value and n, a
proposal from the source, and the criterion read back in words (never `key param=`)."""

import pytest
from django.urls import reverse

from qms.registry import param_kinds, registry
from tests.satisfaction.factories import SurveyFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _url(action):
    return reverse("actions:criterion-create", args=[action.pk])


def test_metrics_are_listed_by_name_and_description(client_for, quality_manager, action):
    page = client_for(quality_manager).get(_url(action))
    assert page.status_code == 200
    assert "Share of dissatisfied customers naming a driver" in page.text
    assert "Among dissatisfied respondents" in page.text
    # No box to type parameters or JSON into.
    assert "JSON" not in page.text and "metric_params" not in page.text


def test_choosing_a_metric_offers_its_parameters_as_lists(client_for, quality_manager, action):
    SurveyFactory(title="Hotel stay pulse", code="hotel-stay")
    TopicFactory(slug="check-in-wait", name="Check-in wait")
    page = client_for(quality_manager).get(_url(action), {"metric_key": "driver_share"})
    form = page.context["form"]
    assert set(form.fields) >= {"param_survey", "param_topic", "param_segment"}
    assert ("hotel-stay", "Hotel stay pulse") in form.fields["param_survey"].choices
    assert ("check-in-wait", "Check-in wait") in form.fields["param_topic"].choices
    # The preview of the metric's current value and n is on the page.
    assert page.context["preview"]["n"] == 0
    assert 'data-testid="criterion-preview"' in page.text
    assert "Lower is better" in page.text


def test_the_criterion_is_saved_and_shown_in_words(client_for, quality_manager, action):
    SurveyFactory(title="Hotel stay pulse", code="hotel-stay")
    TopicFactory(slug="check-in-wait", name="Check-in wait")
    client = client_for(quality_manager)
    response = client.post(
        _url(action),
        {
            "metric_key": "driver_share",
            "param_survey": "hotel-stay",
            "param_topic": "check-in-wait",
            "target_change_pct": "-50",
        },
    )
    assert response.status_code == 302
    criterion = action.criteria.get()
    assert criterion.metric_params == {"survey": "hotel-stay", "topic": "check-in-wait"}
    words = "Share of dissatisfied customers naming Check-in wait, Hotel stay pulse: target −50 %"
    assert criterion.words == words
    page = client.get(reverse("actions:action-detail", args=[action.pk]))
    assert "Share of dissatisfied customers naming Check-in wait, Hotel stay pulse" in page.text
    assert "driver_share" not in page.text and "topic=" not in page.text
    api = client.get(f"/api/v1/actions/{action.pk}/")
    if api.status_code == 200 and "criteria" in api.json():
        assert api.json()["criteria"][0]["words"] == words


def test_a_target_against_the_metric_direction_is_refused_on_the_form(
    client_for, quality_manager, action
):
    response = client_for(quality_manager).post(
        _url(action), {"metric_key": "driver_share", "target_change_pct": "20"}
    )
    assert response.status_code == 200
    assert "the target change must be negative" in response.text
    assert not action.criteria.exists()


def test_only_quality_managers_choose_criteria(client_for, front_desk_head, action):
    assert client_for(front_desk_head).get(_url(action)).status_code == 403


def test_every_metric_reads_in_words():
    for metric in registry.all():
        words = metric.describe({})
        assert words and metric.key not in words and "=" not in words
        for spec in metric.param_specs:
            # A parameter is picked from a list an app registered (survey, question,
            # topic, segment, department, place…), from fixed choices, or is a number.
            assert spec.kind in {*param_kinds._kinds, "choice", "number"}, (
                metric.key,
                spec.name,
            )
