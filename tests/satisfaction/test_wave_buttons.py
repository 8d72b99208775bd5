"""The buttons of the wave page (POST, then back with a message): the message each one
leaves, where it goes, and what it refuses. The survey editor's: tests/surveys/
test_button_pages.py."""

import pytest
from django.contrib.messages import constants, get_messages
from django.urls import reverse

from satisfaction.models import Wave
from tests.satisfaction.factories import published_survey, running_wave

pytestmark = pytest.mark.django_db


def _messages(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _shown(client, response):
    """The messages a redirect carries, shown (so the next request starts without them)."""
    messages = _messages(response)
    client.get(response["Location"])
    return messages


@pytest.fixture
def published():
    return published_survey(code="dining")


def test_wave_buttons(client_for, quality_manager, published):
    wave = running_wave(published)
    client = client_for(quality_manager)
    url = reverse("satisfaction:wave-action", args=[wave.pk])
    back = reverse("satisfaction:wave-detail", args=[wave.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"action": "explode"})
    assert response["Location"] == back
    assert _shown(client, response) == [(constants.ERROR, "Unknown action.")]
    response = client.post(url, {"action": "close"})
    assert response["Location"] == back
    assert _shown(client, response) == [(constants.SUCCESS, "Wave closed.")]
    wave.refresh_from_db()
    assert wave.status == Wave.Status.CLOSED
    response = client.post(url, {"action": "schedule"})  # a closed wave is not scheduled
    [(level, _text)] = _messages(response)
    assert level == constants.ERROR
    wave.refresh_from_db()
    assert wave.status == Wave.Status.CLOSED
