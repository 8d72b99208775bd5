"""`{% actions_for obj %}`: a source's page lists the actions opened from it."""

import pytest
from django.template import Context, Template
from django.utils import timezone

from actions.models import SourceKind
from satisfaction.models import Wave
from surveys.models import Survey, SurveyVersion
from tests.actions.factories import open_action

pytestmark = pytest.mark.django_db


def _render(obj, user):
    template = Template("{% load actions_tags %}{% actions_for obj %}")
    return template.render(Context({"obj": obj, "user": user}))


def test_a_wave_shows_its_actions_in_scope(
    quality_manager, front_desk, front_desk_head, housekeeping_head
):
    survey = Survey.objects.create(title="Dining", code="dining")
    version = SurveyVersion.objects.create(
        survey=survey, number=1, status="published", published_at=timezone.now()
    )
    wave = Wave.objects.create(survey_version=version, name="May")
    action = open_action(
        actor=quality_manager,
        department=front_desk,
        owner=front_desk_head,
        source_kind=SourceKind.SURVEY_FINDING,
        wave=wave,
    )
    html = _render(wave, quality_manager)
    assert action.reference in html
    assert f"?wave={wave.pk}" in html  # quality managers can open another from here
    assert action.reference not in _render(wave, housekeeping_head)
    assert "Open a corrective action" not in _render(wave, front_desk_head)


def test_a_topic_shows_every_action_on_it(quality_manager, front_desk, front_desk_head):
    from tests.satisfaction.factories import TopicFactory

    topic = TopicFactory(slug="queue-time", name="Queue time")
    action = open_action(
        actor=quality_manager, department=front_desk, owner=front_desk_head, topic=topic
    )
    assert action.reference in _render(topic, quality_manager)


def test_the_wave_page_lists_its_actions_through_the_record_panels(
    client_for, quality_manager, front_desk, front_desk_head
):
    """Satisfaction does not import actions: the wave page renders `{% record_panels %}`
    and the actions app contributes its panel."""
    survey = Survey.objects.create(title="Dining", code="dining")
    version = SurveyVersion.objects.create(
        survey=survey, number=1, status="published", published_at=timezone.now()
    )
    wave = Wave.objects.create(survey_version=version, name="May")
    action = open_action(
        actor=quality_manager,
        department=front_desk,
        owner=front_desk_head,
        source_kind=SourceKind.SURVEY_FINDING,
        wave=wave,
    )
    response = client_for(quality_manager).get(f"/satisfaction/waves/{wave.pk}/")
    assert response.status_code == 200
    assert action.reference in response.content.decode()
