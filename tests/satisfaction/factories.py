"""Factories for the satisfaction tests, and builders for a ready-to-answer survey."""

import datetime as dt

import factory
from django.db import models
from django.utils import timezone
from factory.django import DjangoModelFactory

from customers.models import Customer
from satisfaction import services
from satisfaction.models import Invitation, Wave
from surveys import services as survey_services
from surveys.models import Choice, Question, Survey, SurveyVersion
from tests.customers.factories import ConsentFactory, SegmentFactory, TopicFactory  # noqa: F401 - shared


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    language = Customer.Language.ENGLISH


def consenting_customer(**kwargs) -> Customer:
    customer = CustomerFactory(**kwargs)
    ConsentFactory(customer=customer)
    return customer


class SurveyFactory(DjangoModelFactory):
    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Survey {n}")
    code = factory.Sequence(lambda n: f"survey-{n}")


class SurveyVersionFactory(DjangoModelFactory):
    class Meta:
        model = SurveyVersion

    survey = factory.SubFactory(SurveyFactory)
    number = factory.Sequence(lambda n: n + 1)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    version = factory.SubFactory(SurveyVersionFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    position = factory.Sequence(lambda n: n + 1)
    kind = Question.Kind.NPS
    text_en = factory.Sequence(lambda n: f"Question {n}?")


class ChoiceFactory(DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    code = factory.Sequence(lambda n: f"c{n}")
    position = factory.Sequence(lambda n: n + 1)
    text_en = factory.Sequence(lambda n: f"Choice {n}")


def published_survey(
    *, identity_mode=Survey.IdentityMode.IDENTIFIED, code=None, title=None
) -> SurveyVersion:
    """A survey with a published version of five questions: nps (required), csat,
    driver (shown if nps <= 6; choices queue -> topic queue-time, food), consent, comment."""
    survey = survey_services.survey_create(
        title=title or "Dining experience",
        code=code or f"dining-{Survey.objects.count() + 1}",
        identity_mode=identity_mode,
    )
    version = survey.versions.get()
    nps = survey_services.question_create(
        version=version,
        code="nps",
        kind=Question.Kind.NPS,
        text_en="How likely are you to recommend us?",
        text_zh_hans="您向朋友推荐我们的可能性有多大？",
        required=True,
    )
    survey_services.question_create(
        version=version, code="csat", kind=Question.Kind.CSAT, text_en="How satisfied are you?"
    )
    queue = TopicFactory(slug="queue-time", name="Queue time")
    food = TopicFactory(slug="food-quality", name="Food quality")
    survey_services.question_create(
        version=version,
        code="driver",
        kind=Question.Kind.DRIVER,
        text_en="What disappointed you most?",
        show_if_question=nps,
        show_if_values=[0, 1, 2, 3, 4, 5, 6],
        choices=[
            {"code": "queue", "text_en": "Long queue", "topic": queue},
            {"code": "food", "text_en": "Food", "topic": food},
        ],
    )
    survey_services.question_create(
        version=version,
        code="contact",
        kind=Question.Kind.CONSENT,
        text_en="May we contact you about your answers?",
    )
    survey_services.question_create(
        version=version, code="comment", kind=Question.Kind.TEXT, text_en="Anything else?"
    )
    return survey_services.version_publish(version=version)


def running_wave(version: SurveyVersion, **fields) -> Wave:
    defaults = {
        "name": "Wave",
        "starts_at": timezone.now(),
        "send_window_start": dt.time(0, 0),
        "send_window_end": dt.time(23, 59, 59),
    }
    defaults.update(fields)
    wave = services.wave_create(survey_version=version, **defaults)
    services.wave_schedule(wave=wave)
    services.waves_process_due(now=wave.starts_at)
    wave.refresh_from_db()
    return wave


def sent_invitation(wave: Wave | None = None, customer=None, **wave_fields):
    """(invitation, raw token): an invitation that has been e-mailed."""
    if wave is None:
        wave = running_wave(published_survey(), **wave_fields)
    customer = customer or consenting_customer()
    invitation, _created = Invitation.objects.get_or_create(
        wave=wave,
        customer=customer,
        defaults={
            "language": customer.language,
            "scheduled_at": timezone.now(),
            "next_action_at": timezone.now(),
        },
    )
    services.invitations_process_due()
    invitation.refresh_from_db()
    from qms.models import Message

    body = Message.objects.get(key=f"invitation:{invitation.pk}").body
    token = body.split("/s/")[1].split("/")[0]
    return invitation, token


def answered(wave: Wave, draft: dict, customer=None, submitted_at=None):
    """A submitted response with the given answers (by question code)."""
    from surveys import selectors as survey_selectors

    customer = customer or consenting_customer()
    invitation = Invitation.objects.create(
        wave=wave,
        customer=customer,
        trigger_ref=f"t{Invitation.objects.count()}",
        state=Invitation.State.SENT,
        scheduled_at=timezone.now(),
        sent_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    Wave.objects.filter(pk=wave.pk).update(sent_count=models.F("sent_count") + 1)
    invitation = Invitation.objects.select_related("wave__survey_version__survey", "customer").get(
        pk=invitation.pk
    )
    questions = survey_selectors.version_questions(version=wave.survey_version)
    response, _created = services.response_submit(
        invitation=invitation, questions=questions, draft=draft
    )
    if submitted_at is not None:
        from satisfaction.models import Answer, Response

        Response.objects.filter(pk=response.pk).update(submitted_at=submitted_at)
        Answer.objects.filter(response=response).update(submitted_at=submitted_at)
    return response
