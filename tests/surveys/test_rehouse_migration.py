"""Issue 17 moved survey authoring (Survey, SurveyVersion, Question, Choice, AlertRule and
their history) out of satisfaction/ into surveys/, keeping the tables. A database
migrated before the move keeps every row, every relation, its history and its content
type ids when it migrates forward.

How: the test database is migrated back to satisfaction 0007 (the last migration before
the move, surveys unapplied); a survey with a published version, questions, choices, an
alert rule, history rows, a wave and a response with answers is written through the
models of that historical state; then the database migrates forward to the latest
migrations and everything is read back through the current models. The database is
left at the latest migrations.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from customers.models import Topic
from satisfaction.models import Invitation, Response, Wave
from surveys.models import AlertRule, Choice, Question, Survey, SurveyVersion
from tests.satisfaction.factories import CustomerFactory

BEFORE_MOVE_SATISFACTION = ("satisfaction", "0007_alertrule")
MOVED = (
    "survey",
    "surveyversion",
    "question",
    "choice",
    "alertrule",
    "historicalsurvey",
    "historicalsurveyversion",
    "historicalalertrule",
)


def _migrate(executor: MigrationExecutor, targets) -> None:
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()


def _before_move_targets(leaves) -> list[tuple[str, str | None]]:
    """Every app at its latest migration except satisfaction (back at 0007), and surveys
    and places (whose first migrations come after the move) not applied."""
    targets = [node for node in leaves if node[0] not in ("satisfaction", "surveys", "places")]
    return [*targets, BEFORE_MOVE_SATISFACTION, ("surveys", None), ("places", None)]


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_migrates_forward_without_loss():
    # Rows of tables the move does not touch, written with today's models.
    customer = CustomerFactory(name="Ada")
    topic = Topic.objects.create(slug="queue", name="Queue")

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        # Given a database at the last migrations before the move
        before = _before_move_targets(leaves)
        _migrate(executor, before)
        applied = executor.loader.applied_migrations
        assert BEFORE_MOVE_SATISFACTION in applied
        assert ("satisfaction", "0008_point_at_surveys") not in applied
        assert not [node for node in applied if node[0] == "surveys"]
        state_apps = executor.loader.project_state(
            [node for node in before if node[1] is not None]
        ).apps
        assert state_apps.get_model("satisfaction", "Survey")._meta.db_table == (
            "satisfaction_survey"
        )
        old = _write_before_move(state_apps, customer_id=customer.pk, topic_id=topic.pk)

        # When it migrates forward to the latest migrations
        _migrate(executor, leaves)
        ContentType.objects.clear_cache()

        # Then every row is there, through the surveys app's models, with its relations
        _assert_kept(old, customer_id=customer.pk, topic_id=topic.pk)
    finally:
        # Whatever happened, leave the database at the latest migrations.
        _migrate(MigrationExecutor(connection), leaves)
        ContentType.objects.clear_cache()


def _write_before_move(apps, *, customer_id: int, topic_id: int) -> dict:
    """The rows of an old database, written through the historical models; returns
    their keys and the content type ids of the moved models."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    # An old database had the moved models' content types under satisfaction (the
    # reverse of satisfaction 0009 put them back; a database that never had them in
    # surveys gets them here).
    content_types = {}
    for model in MOVED:
        content_type.objects.filter(app_label="surveys", model=model).delete()
        content_types[model] = content_type.objects.get_or_create(
            app_label="satisfaction", model=model
        )[0].pk
    permission.objects.get_or_create(
        content_type_id=content_types["survey"],
        codename="change_survey",
        defaults={"name": "Can change survey"},
    )

    now = timezone.now().replace(microsecond=0)
    m = {name: apps.get_model("satisfaction", name) for name in _STATE_MODELS}
    survey = m["Survey"].objects.create(
        title="Dinner", code="dinner", purpose="transactional", identity_mode="identified"
    )
    m["HistoricalSurvey"].objects.create(
        id=survey.pk,
        title=survey.title,
        code=survey.code,
        description="",
        purpose=survey.purpose,
        identity_mode=survey.identity_mode,
        created_at=survey.created_at,
        updated_at=survey.updated_at,
        history_date=now,
        history_type="+",
    )
    version = m["SurveyVersion"].objects.create(
        survey=survey, number=1, status="published", published_at=now, intro_en="Hello"
    )
    m["HistoricalSurveyVersion"].objects.create(
        id=version.pk,
        survey_id=survey.pk,
        number=1,
        status="published",
        intro_en="Hello",
        intro_zh_hans="",
        published_at=now,
        created_at=version.created_at,
        updated_at=version.updated_at,
        history_date=now,
        history_type="+",
    )
    nps = m["Question"].objects.create(
        version=version, code="nps", position=1, kind="nps", text_en="Recommend us?"
    )
    driver = m["Question"].objects.create(
        version=version,
        code="driver",
        position=2,
        kind="driver",
        text_en="What disappointed you?",
        show_if_question=nps,
        show_if_values=[0, 1, 2, 3, 4, 5, 6],
    )
    queue = m["Choice"].objects.create(
        question=driver, code="queue", position=1, text_en="Long queue", topic_id=topic_id
    )
    m["Choice"].objects.create(question=driver, code="price", position=2, text_en="Price")
    rule = m["AlertRule"].objects.create(
        survey=survey, question_code="nps", condition="at_most", value=6, deadline_hours=24
    )
    m["HistoricalAlertRule"].objects.create(
        id=rule.pk,
        survey_id=survey.pk,
        question_code="nps",
        condition="at_most",
        value=6,
        choice_code="",
        deadline_hours=24,
        is_active=True,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
        history_date=now,
        history_type="+",
        history_change_reason="Default rules on upgrade",
    )
    wave = m["Wave"].objects.create(survey_version=version, name="May", status="running")
    invitation = m["Invitation"].objects.create(
        wave=wave, customer_id=customer_id, state="completed", scheduled_at=now
    )
    response = m["Response"].objects.create(
        invitation=invitation,
        wave=wave,
        survey=survey,
        version=version,
        customer_id=customer_id,
        submitted_at=now,
        dissatisfied=True,
    )
    common = {
        "response": response,
        "survey": survey,
        "wave": wave,
        "submitted_at": now,
        "dissatisfied": True,
    }
    nps_answer = m["Answer"].objects.create(
        question=nps, question_code="nps", kind="nps", value_int=3, **common
    )
    driver_answer = m["Answer"].objects.create(
        question=driver,
        choice=queue,
        topic_id=topic_id,
        question_code="driver",
        kind="driver",
        **common,
    )
    return {
        "content_types": content_types,
        "now": now,
        "survey": survey.pk,
        "version": version.pk,
        "nps": nps.pk,
        "driver": driver.pk,
        "queue": queue.pk,
        "rule": rule.pk,
        "wave": wave.pk,
        "invitation": invitation.pk,
        "response": response.pk,
        "answers": (nps_answer.pk, driver_answer.pk),
    }


_STATE_MODELS = (
    "Survey",
    "HistoricalSurvey",
    "SurveyVersion",
    "HistoricalSurveyVersion",
    "Question",
    "Choice",
    "AlertRule",
    "HistoricalAlertRule",
    "Wave",
    "Invitation",
    "Response",
    "Answer",
)


def _assert_kept(old: dict, *, customer_id: int, topic_id: int) -> None:
    now = old["now"]
    survey = Survey.objects.get(pk=old["survey"])
    assert (survey.title, survey.code, survey.purpose, survey.identity_mode) == (
        "Dinner",
        "dinner",
        "transactional",
        "identified",
    )
    version = SurveyVersion.objects.get(pk=old["version"])
    assert (version.survey_id, version.number, version.status, version.intro_en) == (
        survey.pk,
        1,
        "published",
        "Hello",
    )
    assert version.published_at == now
    assert list(survey.versions.all()) == [version]

    nps, driver = version.questions.order_by("position")
    assert (nps.pk, nps.code, nps.kind, nps.text_en) == (old["nps"], "nps", "nps", "Recommend us?")
    assert (driver.pk, driver.show_if_question_id, driver.show_if_values) == (
        old["driver"],
        nps.pk,
        [0, 1, 2, 3, 4, 5, 6],
    )
    assert [(c.code, c.text_en, c.topic_id) for c in driver.choices.order_by("position")] == [
        ("queue", "Long queue", topic_id),
        ("price", "Price", None),
    ]
    assert Choice.objects.get(code="queue").pk == old["queue"]

    rule = AlertRule.objects.get(pk=old["rule"])
    assert (rule.survey_id, rule.question_code, rule.condition, rule.value) == (
        survey.pk,
        "nps",
        "at_most",
        6,
    )
    assert (rule.deadline_hours, rule.is_active) == (24, True)
    assert list(survey.alert_rules.all()) == [rule]

    # History rows, read through the surveys app's history models.
    assert [(h.history_type, h.title) for h in survey.history.all()] == [("+", "Dinner")]
    assert version.history.get().history_date == now
    assert [(h.history_change_reason, h.value) for h in rule.history.all()] == [
        ("Default rules on upgrade", 6)
    ]

    # The satisfaction rows still point at them.
    wave = Wave.objects.get(pk=old["wave"])
    assert wave.survey_version == version
    assert wave.survey == survey
    assert list(version.waves.all()) == [wave]
    invitation = Invitation.objects.get(pk=old["invitation"])
    assert (invitation.wave_id, invitation.customer_id) == (wave.pk, customer_id)
    response = Response.objects.get(pk=old["response"])
    assert (response.survey, response.version, response.wave, response.customer_id) == (
        survey,
        version,
        wave,
        customer_id,
    )
    assert list(survey.responses.all()) == [response]
    answers = {a.question_code: a for a in response.answers.all()}
    assert sorted(a.pk for a in answers.values()) == sorted(old["answers"])
    assert (answers["nps"].question, answers["nps"].value_int) == (nps, 3)
    assert (answers["driver"].question, answers["driver"].choice.code) == (driver, "queue")
    assert answers["driver"].topic_id == topic_id
    assert answers["nps"].survey == survey
    assert list(nps.answers.all()) == [answers["nps"]]
    assert answers["nps"].submitted_at == now
    assert now - dt.timedelta(minutes=5) < survey.created_at <= timezone.now()

    # Content types moved to surveys with their ids (permissions, history pages).
    for model in MOVED:
        assert (
            ContentType.objects.get(app_label="surveys", model=model).pk
            == old["content_types"][model]
        )
    assert not ContentType.objects.filter(app_label="satisfaction", model__in=MOVED).exists()
    assert ContentType.objects.get_for_model(Survey).pk == old["content_types"]["survey"]
    assert ContentType.objects.get_for_model(Question).pk == old["content_types"]["question"]
    assert Permission.objects.get(codename="change_survey").content_type.app_label == "surveys"
