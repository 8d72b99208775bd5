"""The buttons of the survey editor (POST, then back with a message): the message each
one leaves, where it goes, and what it refuses. The wave page's: tests/satisfaction/
test_wave_buttons.py."""

import pytest
from django.contrib.messages import constants, get_messages
from django.urls import reverse

from surveys import services
from surveys.models import Question
from tests.satisfaction.factories import published_survey

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


@pytest.fixture
def draft(published):
    return services.version_draft_get_or_create(survey=published.survey)


def test_new_draft_is_announced_as_information(client_for, quality_manager, published):
    response = client_for(quality_manager).post(
        reverse("surveys:version-draft-create", args=[published.survey_id])
    )
    draft = published.survey.versions.get(status="draft")
    assert response["Location"] == reverse("surveys:version-detail", args=[draft.pk])
    assert _messages(response) == [(constants.INFO, "You are editing draft version 2.")]


def test_publishing_an_empty_draft_is_refused_on_the_version_page(
    client_for, quality_manager, published
):
    empty = services.version_draft_get_or_create(survey=published.survey)
    empty.questions.all().delete()
    response = client_for(quality_manager).post(reverse("surveys:version-publish", args=[empty.pk]))
    assert response["Location"] == reverse("surveys:version-detail", args=[empty.pk])
    assert _messages(response) == [
        (constants.ERROR, "Add at least one question before publishing.")
    ]
    empty.refresh_from_db()
    assert empty.is_draft


def test_publishing_a_draft_goes_to_the_survey(client_for, quality_manager, draft):
    response = client_for(quality_manager).post(reverse("surveys:version-publish", args=[draft.pk]))
    assert response["Location"] == reverse("satisfaction:survey-detail", args=[draft.survey_id])
    assert _messages(response) == [
        (constants.SUCCESS, "Version 2 published. It can now be sent in a wave.")
    ]
    draft.refresh_from_db()
    assert not draft.is_draft


def test_introduction_of_a_draft_is_saved(client_for, quality_manager, draft):
    response = client_for(quality_manager).post(
        reverse("surveys:version-intro", args=[draft.pk]),
        {"intro_en": "Two minutes, please.", "intro_zh_hans": "请花两分钟。"},
    )
    assert response["Location"] == reverse("surveys:version-detail", args=[draft.pk])
    assert _messages(response) == [(constants.SUCCESS, "Introduction saved.")]
    draft.refresh_from_db()
    assert (draft.intro_en, draft.intro_zh_hans) == ("Two minutes, please.", "请花两分钟。")


def test_introduction_of_a_published_version_is_refused(client_for, quality_manager, published):
    response = client_for(quality_manager).post(
        reverse("surveys:version-intro", args=[published.pk]),
        {"intro_en": "Changed", "intro_zh_hans": ""},
    )
    assert response["Location"] == reverse("surveys:version-detail", args=[published.pk])
    [(level, text)] = _messages(response)
    assert level == constants.ERROR and text
    published.refresh_from_db()
    assert published.intro_en != "Changed"


def test_removing_and_moving_questions_of_a_draft(client_for, quality_manager, draft):
    client = client_for(quality_manager)
    comment = draft.questions.get(code="comment")
    back = reverse("surveys:version-detail", args=[draft.pk])
    response = client.post(reverse("surveys:question-move", args=[comment.pk]), {"dir": "up"})
    assert response["Location"] == back
    assert _shown(client, response) == []  # a move needs no message
    order = list(draft.questions.order_by("position").values_list("code", flat=True))
    assert order.index("comment") < order.index("contact")
    response = client.post(reverse("surveys:question-delete", args=[comment.pk]))
    assert response["Location"] == back
    assert _messages(response) == [(constants.SUCCESS, "Question removed.")]
    assert not Question.objects.filter(pk=comment.pk).exists()


def test_a_question_others_depend_on_is_not_removed(client_for, quality_manager, draft):
    nps = draft.questions.get(code="nps")
    response = client_for(quality_manager).post(reverse("surveys:question-delete", args=[nps.pk]))
    assert _messages(response) == [
        (
            constants.ERROR,
            "Other questions depend on this one. Remove their show-if condition first.",
        )
    ]
    assert Question.objects.filter(pk=nps.pk).exists()
