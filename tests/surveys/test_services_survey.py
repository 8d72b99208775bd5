"""Surveys and versions: a published version never changes; editing makes a new draft
with the same question codes."""

import pytest

from qms.exceptions import ApplicationError
from surveys import services
from surveys.models import Question, SurveyVersion
from tests.satisfaction.factories import published_survey

pytestmark = pytest.mark.django_db


def test_survey_create_makes_an_empty_draft_version_1():
    survey = services.survey_create(title="Stay", code="stay")
    version = survey.versions.get()
    assert version.number == 1
    assert version.is_draft
    assert version.questions.count() == 0


def test_publish_refuses_an_empty_version():
    survey = services.survey_create(title="Stay", code="stay")
    with pytest.raises(ApplicationError):
        services.version_publish(version=survey.versions.get())


def test_a_published_version_cannot_be_edited():
    # Given a published version
    version = published_survey()
    question = version.questions.get(code="nps")
    # When anyone tries to change it, then it is refused
    with pytest.raises(ApplicationError):
        services.question_update(question=question, text_en="Changed?")
    with pytest.raises(ApplicationError):
        services.question_create(
            version=version, code="new", kind=Question.Kind.TEXT, text_en="New?"
        )
    with pytest.raises(ApplicationError):
        services.question_delete(question=question)
    question.refresh_from_db()
    assert question.text_en == "How likely are you to recommend us?"


def test_editing_a_published_survey_creates_a_new_draft_with_the_same_codes():
    version = published_survey()
    draft = services.version_draft_get_or_create(survey=version.survey)
    assert draft.number == 2
    assert draft.is_draft
    old_codes = list(version.questions.values_list("code", flat=True))
    assert list(draft.questions.values_list("code", flat=True)) == old_codes
    # The show-if condition points at the copied question, not the old one.
    driver = draft.questions.get(code="driver")
    assert driver.show_if_question.version_id == draft.pk
    assert driver.choices.count() == 2
    # Editing the draft leaves the published version untouched.
    services.question_update(question=draft.questions.get(code="nps"), text_en="Recommend?")
    assert version.questions.get(code="nps").text_en == "How likely are you to recommend us?"
    # Asking again returns the same draft.
    assert services.version_draft_get_or_create(survey=version.survey).pk == draft.pk
    services.version_publish(version=draft)
    assert version.survey.versions.filter(status=SurveyVersion.Status.PUBLISHED).count() == 2


def test_question_codes_are_unique_within_a_version():
    survey = services.survey_create(title="Stay", code="stay")
    version = survey.versions.get()
    services.question_create(version=version, code="nps", kind="nps", text_en="Recommend?")
    with pytest.raises(ApplicationError):
        services.question_create(version=version, code="nps", kind="csat", text_en="Again?")


def test_show_if_must_read_an_earlier_question_and_moves_respect_it():
    version = published_survey()
    draft = services.version_draft_get_or_create(survey=version.survey)
    driver = draft.questions.get(code="driver")
    with pytest.raises(ApplicationError):
        # Moving the driver question above NPS would break its condition.
        services.question_move(question=draft.questions.get(code="csat"), up=True)
        services.question_move(question=driver, up=True)
        services.question_move(question=driver, up=True)


def test_choice_questions_need_two_choices_to_publish():
    survey = services.survey_create(title="Stay", code="stay")
    version = survey.versions.get()
    services.question_create(
        version=version,
        code="pick",
        kind=Question.Kind.SINGLE,
        text_en="Pick",
        choices=[{"code": "a", "text_en": "A"}],
    )
    with pytest.raises(ApplicationError):
        services.version_publish(version=version)


def test_the_identity_mode_is_locked_once_a_version_is_published():
    # Given an anonymous survey that customers have been invited to
    survey = published_survey(identity_mode="anonymous").survey
    # When someone tries to make it identified, then it is refused and nothing changes
    with pytest.raises(ApplicationError, match="identity mode"):
        services.survey_update(survey=survey, identity_mode="identified")
    survey.refresh_from_db()
    assert survey.identity_mode == "anonymous"
    # Other fields still change; a draft-only survey may still change its mode
    services.survey_update(survey=survey, title="Renamed", identity_mode="anonymous")
    draft = services.survey_create(title="Draft", code="draft-only")
    services.survey_update(survey=draft, identity_mode="confidential")
    draft.refresh_from_db()
    assert draft.identity_mode == "confidential"


def test_the_edit_form_shows_the_identity_mode_as_locked(client_for, quality_manager):
    survey = published_survey(identity_mode="anonymous").survey
    client = client_for(quality_manager)
    url = f"/satisfaction/surveys/{survey.pk}/edit/"
    page = client.get(url).content.decode()
    assert "Locked: a version has been published" in page
    # A tampered POST cannot change it either: the disabled field keeps its value
    response = client.post(
        url, {"title": "Renamed", "purpose": survey.purpose, "identity_mode": "identified"}
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.identity_mode) == ("Renamed", "anonymous")
