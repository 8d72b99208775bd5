"""Configurable alert rules: which answers open a follow-up case, with which deadline;
the default rules (first publish, upgrade, demo); the rule pages and who may use them;
the cache that keeps the submit at its query budget; and the audit trail."""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from qms.exceptions import ApplicationError
from qms.models import Message
from satisfaction import demo
from satisfaction import services as satisfaction_services
from satisfaction.models import FollowUpCase
from surveys import alerting, selectors, services
from surveys.models import AlertRule, Question, Survey
from tests.satisfaction.factories import (
    ChoiceFactory,
    QuestionFactory,
    SurveyFactory,
    SurveyVersionFactory,
    answered,
    consenting_customer,
    published_survey,
    running_wave,
    sent_invitation,
)

pytestmark = pytest.mark.django_db

Condition = AlertRule.Condition


@pytest.fixture(autouse=True)
def _english_afterwards():
    """The customer's page activates the customer's language for the rest of the thread;
    later tests here read English messages."""
    yield
    translation.activate("en")


def survey_with_rules(*rules, mode=Survey.IdentityMode.IDENTIFIED):
    """A published survey (nps, csat, driver, contact, comment) whose only rules are
    `rules` (dicts of alert_rule_create fields), and a running wave of it."""
    version = published_survey(identity_mode=mode)
    survey = version.survey
    AlertRule.objects.filter(survey=survey).delete()
    for fields in rules:
        services.alert_rule_create(survey=survey, **fields)
    return running_wave(version)


def case_for(response):
    return FollowUpCase.objects.filter(response=response).first()


# --- Conditions, at their boundaries ---------------------------------------------------


@pytest.mark.parametrize(("nps", "fires"), [(0, True), (6, True), (7, False), (10, False)])
def test_at_most_fires_up_to_and_including_its_value(quality_manager, nps, fires):
    wave = survey_with_rules({"question_code": "nps", "condition": Condition.AT_MOST, "value": 6})
    response = answered(wave, {"nps": nps})
    assert (case_for(response) is not None) is fires


@pytest.mark.parametrize(("csat", "fires"), [(3, False), (4, True), (5, True)])
def test_at_least_fires_from_its_value_up(quality_manager, csat, fires):
    wave = survey_with_rules({"question_code": "csat", "condition": Condition.AT_LEAST, "value": 4})
    response = answered(wave, {"nps": 9, "csat": csat})
    assert (case_for(response) is not None) is fires
    if fires:
        assert case_for(response).reason == f"CSAT {csat} (rule: at least 4)"


def test_chosen_fires_for_any_choice_and_not_without_one(quality_manager):
    wave = survey_with_rules({"question_code": "driver", "condition": Condition.CHOSEN})
    queue = answered(wave, {"nps": 3, "driver": "queue"})
    food = answered(wave, {"nps": 3, "driver": "food"})
    none = answered(wave, {"nps": 3})
    assert case_for(queue).reason == "Disappointed by: Long queue"
    assert case_for(food).reason == "Disappointed by: Food"
    assert case_for(none) is None


def test_choice_is_fires_only_for_that_choice(quality_manager):
    wave = survey_with_rules(
        {"question_code": "driver", "condition": Condition.CHOICE_IS, "choice_code": "queue"}
    )
    assert case_for(answered(wave, {"nps": 3, "driver": "queue"})) is not None
    assert case_for(answered(wave, {"nps": 3, "driver": "food"})) is None


def test_choice_rules_on_a_multiple_choice_question(quality_manager):
    version = published_survey()
    survey = version.survey
    draft = services.version_draft_get_or_create(survey=survey)
    services.question_create(
        version=draft,
        code="extras",
        kind=Question.Kind.MULTIPLE,
        text_en="What did you use?",
        choices=[
            {"code": "spa", "text_en": "Spa"},
            {"code": "gym", "text_en": "Gym"},
            {"code": "bar", "text_en": "Bar"},
        ],
    )
    draft = services.version_publish(version=draft)
    AlertRule.objects.filter(survey=survey).delete()
    services.alert_rule_create(
        survey=survey, question_code="extras", condition=Condition.CHOICE_IS, choice_code="gym"
    )
    wave = running_wave(draft)
    response = answered(wave, {"nps": 9, "extras": ["spa", "gym"]})
    assert case_for(response).reason == "extras: Gym"
    assert case_for(answered(wave, {"nps": 9, "extras": ["spa", "bar"]})) is None


def test_an_inactive_rule_never_fires(quality_manager):
    wave = survey_with_rules(
        {"question_code": "nps", "condition": Condition.AT_MOST, "value": 10, "is_active": False}
    )
    assert case_for(answered(wave, {"nps": 0})) is None


def test_a_survey_without_rules_opens_no_case(quality_manager):
    wave = survey_with_rules()
    assert case_for(answered(wave, {"nps": 0, "csat": 1, "driver": "queue"})) is None


# --- Deadline and reason -----------------------------------------------------------------


def test_the_shortest_deadline_among_the_fired_rules_wins(quality_manager):
    wave = survey_with_rules(
        {"question_code": "nps", "condition": Condition.AT_MOST, "value": 6, "deadline_hours": 72},
        {"question_code": "driver", "condition": Condition.CHOSEN, "deadline_hours": 24},
        # Does not fire (CSAT 4): its shorter deadline does not count.
        {"question_code": "csat", "condition": Condition.AT_MOST, "value": 2, "deadline_hours": 4},
    )
    response = answered(wave, {"nps": 3, "csat": 4, "driver": "queue"})
    case = case_for(response)
    hours = (case.due_at - case.created_at).total_seconds() / 3600
    assert 23.9 < hours < 24.1
    assert case.next_action_at == case.due_at
    assert case.reason == "NPS 3 (rule: at most 6); Disappointed by: Long queue"


def test_the_reason_is_in_the_organisations_language_not_the_customers(quality_manager):
    wave = survey_with_rules({"question_code": "nps", "condition": Condition.AT_MOST, "value": 6})
    customer = consenting_customer(language="zh-hans")
    invitation, token = sent_invitation(wave=wave, customer=customer)
    Client().post(
        reverse("satisfaction:respond", args=[token]),
        {"q_nps": "2", "action": "submit"},
    )
    case = FollowUpCase.objects.get(customer=customer)
    assert case.reason == "NPS 2 (rule: at most 6)"
    alert = Message.objects.get(key=f"followup-alert:{case.pk}")
    assert alert.subject == f"Follow up with {customer.name}"


def test_a_rule_spans_versions_by_question_code(quality_manager):
    wave_v1 = survey_with_rules(
        {"question_code": "nps", "condition": Condition.AT_MOST, "value": 4},
        {"question_code": "csat", "condition": Condition.AT_MOST, "value": 2},
    )
    survey = wave_v1.survey_version.survey
    draft = services.version_draft_get_or_create(survey=survey)
    services.question_delete(question=draft.questions.get(code="csat"))
    v2 = services.version_publish(version=draft)
    wave_v2 = running_wave(v2, name="Version 2")
    # The nps rule written against v1 fires on v2's nps question (another row, same code).
    assert case_for(answered(wave_v2, {"nps": 4})).reason == "NPS 4 (rule: at most 4)"
    assert case_for(answered(wave_v2, {"nps": 5})) is None
    # The csat rule is ignored where the version has no csat question.
    assert case_for(answered(wave_v2, {"nps": 9})) is None
    # ... and still fires for answers to version 1.
    assert case_for(answered(wave_v1, {"nps": 9, "csat": 1})) is not None


# --- Identity mode and consent -------------------------------------------------------------


def test_anonymous_surveys_open_no_case_whatever_the_rules(quality_manager):
    wave = survey_with_rules(
        {"question_code": "nps", "condition": Condition.AT_MOST, "value": 10},
        mode=Survey.IdentityMode.ANONYMOUS,
    )
    answered(wave, {"nps": 0, "contact": 1})
    assert not FollowUpCase.objects.exists()


def test_confidential_surveys_need_consent_to_be_contacted(quality_manager):
    wave = survey_with_rules(
        {"question_code": "nps", "condition": Condition.AT_MOST, "value": 10},
        mode=Survey.IdentityMode.CONFIDENTIAL,
    )
    assert case_for(answered(wave, {"nps": 0})) is None
    assert case_for(answered(wave, {"nps": 0, "contact": 0})) is None
    assert case_for(answered(wave, {"nps": 0, "contact": 1})) is not None


# --- Default rules ---------------------------------------------------------------------------


def rule_specs(survey):
    return [
        (r.question_code, r.condition, r.value, r.deadline_hours, r.is_active)
        for r in survey.alert_rules.order_by("id")
    ]


def test_the_first_publish_seeds_the_default_rules(settings):
    settings.SATISFACTION_FOLLOW_UP_HOURS = 36
    survey = published_survey().survey
    assert rule_specs(survey) == [
        ("nps", "at_most", 6, 36, True),
        ("csat", "at_most", 2, 36, True),
        ("driver", "chosen", None, 36, True),
    ]


def test_later_publishes_do_not_seed_again(quality_manager):
    survey = published_survey().survey
    nps_rule = survey.alert_rules.get(question_code="nps")
    services.alert_rule_update(rule=nps_rule, value=4)
    services.version_publish(version=services.version_draft_get_or_create(survey=survey))
    assert [s[:3] for s in rule_specs(survey)] == [
        ("nps", "at_most", 4),
        ("csat", "at_most", 2),
        ("driver", "chosen", None),
    ]
    # Rules deleted on purpose stay deleted: the next publish brings none back.
    for rule in survey.alert_rules.all():
        services.alert_rule_delete(rule=rule)
    services.version_publish(version=services.version_draft_get_or_create(survey=survey))
    assert rule_specs(survey) == []


def test_a_first_version_without_scores_seeds_nothing_until_one_has_them():
    survey = services.survey_create(title="Open questions", code="open")
    version = survey.versions.get()
    services.question_create(
        version=version, code="comment", kind=Question.Kind.TEXT, text_en="Tell us"
    )
    services.version_publish(version=version)
    assert rule_specs(survey) == []
    draft = services.version_draft_get_or_create(survey=survey)
    services.question_create(version=draft, code="nps", kind=Question.Kind.NPS, text_en="NPS?")
    services.version_publish(version=draft)
    assert [s[:3] for s in rule_specs(survey)] == [("nps", "at_most", 6)]


def _published_by_hand(survey, number, kinds):
    """A published version written directly (as before rules existed: no seeding)."""
    version = SurveyVersionFactory(
        survey=survey, number=number, status="published", published_at=timezone.now()
    )
    for kind in kinds:
        question = QuestionFactory(version=version, code=kind, kind=kind)
        if kind == Question.Kind.DRIVER:
            ChoiceFactory(question=question, code="queue")
            ChoiceFactory(question=question, code="food")
    return version


def test_the_upgrade_gives_existing_surveys_the_rules_that_were_hard_coded():
    """The data migration 0007 calls alerting.seed_existing_surveys."""
    old = SurveyFactory(code="old")
    _published_by_hand(old, 1, ["nps", "csat", "driver", "text"])
    # The latest published version decides: v2 dropped csat.
    _published_by_hand(old, 2, ["nps", "driver", "text"])
    SurveyVersionFactory(survey=old, number=3)  # a draft: ignored
    draft_only = SurveyFactory(code="draft-only")
    SurveyVersionFactory(survey=draft_only, number=1)
    configured = SurveyFactory(code="configured")
    _published_by_hand(configured, 1, ["nps"])
    AlertRule.objects.create(
        survey=configured, question_code="nps", condition="at_most", value=3, deadline_hours=12
    )

    assert alerting.seed_existing_surveys(apps, hours=48) == 2

    assert rule_specs(old) == [
        ("nps", "at_most", 6, 48, True),
        ("driver", "chosen", None, 48, True),
    ]
    assert rule_specs(draft_only) == []
    assert rule_specs(configured) == [("nps", "at_most", 3, 12, True)]
    created = AlertRule.history.filter(survey_id=old.pk)
    assert {(h.history_type, h.history_user_id, h.history_change_reason) for h in created} == {
        ("+", None, "Default rules on upgrade")
    }
    # Run twice (a re-applied migration): nothing more.
    assert alerting.seed_existing_surveys(apps, hours=48) == 0


def test_the_demo_surveys_get_the_default_rules_once():
    demo.load(stdout=io.StringIO())
    rules = {
        code: [s[:3] for s in rule_specs(Survey.objects.get(code=code))]
        for code in ("restaurant-dining", "retail-shopping", "hotel-stay")
    }
    assert rules["restaurant-dining"] == [
        ("nps", "at_most", 6),
        ("csat", "at_most", 2),
        ("driver", "chosen", None),
    ]
    assert rules["retail-shopping"] == [("csat", "at_most", 2), ("driver", "chosen", None)]
    assert rules["hotel-stay"] == [("nps", "at_most", 6), ("driver", "chosen", None)]
    count = AlertRule.objects.count()
    assert demo.load(stdout=io.StringIO()) == 0
    assert AlertRule.objects.count() == count
    # The demo writes its follow-up cases itself, as before: two per wave with answers.
    assert FollowUpCase.objects.count() == 10


# --- Validation ------------------------------------------------------------------------------


@pytest.fixture
def survey():
    return published_survey().survey


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"question_code": "staff", "condition": "at_most", "value": 6},
            "Version 1 of the survey has no question “staff”. Choose one of: nps, csat, "
            "driver, contact, comment.",
        ),
        (
            {"question_code": "nps", "condition": "at_most", "value": 11},
            "Scores of “How likely are you to recommend us?” run from 0 to 10: 11 is outside "
            "the scale.",
        ),
        (
            {"question_code": "csat", "condition": "at_least", "value": 0},
            "Scores of “How satisfied are you?” run from 1 to 5: 0 is outside the scale.",
        ),
        (
            {"question_code": "driver", "condition": "choice_is", "choice_code": "price"},
            "“What disappointed you most?” has no such choice. Its choices: Long queue, Food.",
        ),
        (
            {"question_code": "nps", "condition": "chosen"},
            "“How likely are you to recommend us?” has no choices (it is a question of type "
            "“Net Promoter Score (0-10)”): a choice rule needs a single-choice, "
            "multiple-choice or driver question.",
        ),
        (
            {"question_code": "comment", "condition": "choice_is", "choice_code": "x"},
            "“Anything else?” has no choices (it is a question of type “Free text”): a "
            "choice rule needs a single-choice, multiple-choice or driver question.",
        ),
        (
            {"question_code": "driver", "condition": "at_most", "value": 2},
            "“What disappointed you most?” has no score (it is a question of type “Driver "
            "(what disappointed you most; choices map to topics)”): a score rule needs an "
            "NPS, CSAT, CES or rating question.",
        ),
    ],
)
def test_rules_that_do_not_fit_the_question_are_refused(survey, fields, message):
    with pytest.raises(ApplicationError) as exc:
        services.alert_rule_create(survey=survey, **fields)
    assert str(exc.value) == message


def test_a_score_rule_needs_a_score_and_a_choice_rule_a_choice(survey):
    with pytest.raises(ValidationError) as exc:
        services.alert_rule_create(survey=survey, question_code="nps", condition="at_most")
    assert exc.value.message_dict == {"value": ["Give the score the answer is compared with."]}
    with pytest.raises(ValidationError) as exc:
        services.alert_rule_create(survey=survey, question_code="driver", condition="choice_is")
    assert exc.value.message_dict == {"choice_code": ["Choose the choice that opens a case."]}
    with pytest.raises(ValidationError) as exc:
        services.alert_rule_create(
            survey=survey, question_code="nps", condition="at_most", value=6, deadline_hours=721
        )
    assert "deadline_hours" in exc.value.message_dict


def test_fields_a_condition_does_not_use_are_emptied(survey):
    rule = services.alert_rule_create(
        survey=survey, question_code="driver", condition="chosen", value=3, choice_code="food"
    )
    assert (rule.value, rule.choice_code) == (None, "")
    rule = services.alert_rule_update(rule=rule, condition="choice_is", choice_code="food")
    assert (rule.condition, rule.choice_code) == ("choice_is", "food")


def test_a_rule_whose_question_was_removed_can_still_be_switched_off(survey):
    rule = survey.alert_rules.get(question_code="csat")
    draft = services.version_draft_get_or_create(survey=survey)
    services.question_delete(question=draft.questions.get(code="csat"))
    services.alert_rule_update(rule=rule, is_active=False, deadline_hours=24)
    rule.refresh_from_db()
    assert (rule.is_active, rule.deadline_hours) == (False, 24)
    with pytest.raises(ApplicationError):
        services.alert_rule_update(rule=rule, value=1)


def test_the_database_refuses_a_score_rule_without_a_score(survey):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AlertRule.objects.create(survey=survey, question_code="nps", condition="at_most")


# --- Cache and query budget --------------------------------------------------------------------


def test_the_rules_are_cached_and_dropped_when_a_rule_changes(
    survey, django_assert_num_queries, django_capture_on_commit_callbacks
):
    assert len(selectors.survey_alert_rules(survey_id=survey.pk)) == 3
    with django_assert_num_queries(0):
        assert len(selectors.survey_alert_rules(survey_id=survey.pk)) == 3
    rule = survey.alert_rules.get(question_code="nps")
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_rule_update(rule=rule, is_active=False)
    assert len(selectors.survey_alert_rules(survey_id=survey.pk)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_rule_delete(rule=survey.alert_rules.get(question_code="csat"))
    assert len(selectors.survey_alert_rules(survey_id=survey.pk)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_rule_create(survey=survey, question_code="nps", condition="at_most", value=0)
    assert len(selectors.survey_alert_rules(survey_id=survey.pk)) == 2


def test_a_submit_reads_the_rules_from_the_cache(client, django_assert_max_num_queries):
    """The count test_public_views' submit test measured before rules were configurable
    (9 queries, a case opened, no owner to alert): once the rules are cached, a submit
    reads none. Two more since webhooks: the subscriptions are looked up once per event
    raised (response received, follow-up opened)."""
    wave = running_wave(published_survey())
    _first, first_token = sent_invitation(wave=wave)
    _second, second_token = sent_invitation(wave=wave)
    detractor = {"q_nps": "3", "q_csat": "2", "q_driver": "queue", "action": "submit"}
    client.post(reverse("satisfaction:respond", args=[first_token]), detractor)
    client.get(reverse("satisfaction:respond", args=[second_token]))
    with django_assert_max_num_queries(11) as counted:
        response = client.post(reverse("satisfaction:respond", args=[second_token]), detractor)
    assert response.status_code == 200
    assert not [q for q in counted.captured_queries if "satisfaction_alertrule" in q["sql"]]
    assert FollowUpCase.objects.count() == 2


# --- Pages -----------------------------------------------------------------------------------


def rule_urls(survey, rule):
    return {
        "create": reverse("surveys:alert-rule-create", args=[survey.pk]),
        "update": reverse("surveys:alert-rule-update", args=[survey.pk, rule.pk]),
        "delete": reverse("surveys:alert-rule-delete", args=[survey.pk, rule.pk]),
    }


def test_the_survey_page_lists_the_rules_in_words(client_for, quality_manager, survey):
    services.alert_rule_create(
        survey=survey, question_code="driver", condition="choice_is", choice_code="queue"
    )
    html = client_for(quality_manager).get(reverse("satisfaction:survey-detail", args=[survey.pk]))
    html = html.content.decode()
    assert 'data-testid="alert-rule-table"' in html
    assert "at most 6" in html and "at most 2" in html and "any choice" in html
    assert "the choice “Long queue”" in html
    assert "48 hours" in html
    assert "Add rule" in html
    assert "NPS at most 6, CSAT at most 2 and any driver chosen" in html
    rule = survey.alert_rules.first()
    for url in rule_urls(survey, rule).values():
        assert url in html
    assert reverse("qms:history", args=["survey-alert-rule", rule.pk]) in html


def test_the_survey_page_says_when_no_case_will_open(client_for, quality_manager, viewer, survey):
    survey.alert_rules.all().delete()
    url = reverse("satisfaction:survey-detail", args=[survey.pk])
    html = client_for(quality_manager).get(url).content.decode()
    assert "No alert rules: no follow-up cases will be opened for this survey." in html
    assert reverse("surveys:alert-rule-create", args=[survey.pk]) in html
    viewer_html = client_for(viewer).get(url).content.decode()
    assert "No alert rules" in viewer_html
    assert reverse("surveys:alert-rule-create", args=[survey.pk]) not in viewer_html


def test_quality_manager_adds_a_rule(client_for, quality_manager, survey):
    client = client_for(quality_manager)
    url = reverse("surveys:alert-rule-create", args=[survey.pk])
    form = client.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    assert ">How likely are you to recommend us?</option>" in html
    assert "nps —" not in html and ">queue" not in html
    assert 'value="48"' in html  # the deadline suggested
    response = client.post(
        url,
        {
            "question_code": "driver",
            "condition": "choice_is",
            "value": "",
            "choice_code": "queue",
            "deadline_hours": "12",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/surveys/{survey.pk}/#alert-rules")
    rule = survey.alert_rules.get(condition="choice_is")
    assert (rule.question_code, rule.choice_code, rule.deadline_hours) == ("driver", "queue", 12)
    assert rule.history.get().history_user == quality_manager


def test_the_rule_form_shows_questions_and_choices_in_the_users_language(
    client_for, quality_manager, survey
):
    """The question and choice lists read as the customer reads them, never as codes;
    a Chinese-speaking quality manager sees the Chinese wording where there is one."""
    client = client_for(quality_manager)
    url = reverse("surveys:alert-rule-create", args=[survey.pk])
    form = client.get(url).context["form"]
    assert dict(form.fields["question_code"].choices) == {
        "": "---------",
        "nps": "How likely are you to recommend us?",
        "csat": "How satisfied are you?",
        "driver": "What disappointed you most?",
        "contact": "May we contact you about your answers?",
        "comment": "Anything else?",
    }
    assert form.fields["choice_code"].choices[1] == (
        "What disappointed you most?",
        [("queue", "Long queue"), ("food", "Food")],
    )
    client.post(reverse("set_language"), {"language": "zh-hans"})
    html = client.get(url).content.decode()
    assert ">您向朋友推荐我们的可能性有多大？</option>" in html
    assert ">nps" not in html and "— How" not in html
    rule = survey.alert_rules.get(question_code="nps")
    page = client.get(reverse("satisfaction:survey-detail", args=[survey.pk])).content.decode()
    assert "<code>nps</code>" not in page and "您向朋友推荐我们的可能性有多大？" in page
    history = client.get(reverse("surveys:alert-rule-history", args=[survey.pk]))
    assert "您向朋友推荐我们的可能性有多大？" in history.content.decode()
    assert "nps" not in str(rule)


def test_the_form_shows_what_does_not_fit(client_for, quality_manager, survey):
    response = client_for(quality_manager).post(
        reverse("surveys:alert-rule-create", args=[survey.pk]),
        {"question_code": "nps", "condition": "at_most", "value": "12", "deadline_hours": "48"},
    )
    assert response.status_code == 200
    assert "Scores of “How likely are you to recommend us?” run from 0 to 10: 12 is" in (
        response.content.decode()
    )
    response = client_for(quality_manager).post(
        reverse("surveys:alert-rule-create", args=[survey.pk]),
        {"question_code": "nps", "condition": "at_most", "value": "", "deadline_hours": "48"},
    )
    assert "Give the score the answer is compared with." in response.content.decode()
    assert survey.alert_rules.count() == 3


def test_quality_manager_edits_a_rule_and_the_history_says_who(client_for, quality_manager, survey):
    rule = survey.alert_rules.get(question_code="nps")
    client = client_for(quality_manager)
    url = reverse("surveys:alert-rule-update", args=[survey.pk, rule.pk])
    assert 'value="6"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"question_code": "nps", "condition": "at_most", "value": "5", "deadline_hours": "24"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.value, rule.deadline_hours, rule.is_active) == (5, 24, False)
    latest = rule.history.first()
    assert (latest.history_type, latest.history_user) == ("~", quality_manager)
    history = client.get(reverse("qms:history", args=["survey-alert-rule", rule.pk]))
    assert history.status_code == 200
    assert "Manager" in history.content.decode()


def test_deleting_a_rule_asks_first_and_is_recorded(client_for, quality_manager, viewer, survey):
    rule = survey.alert_rules.get(question_code="csat")
    client = client_for(quality_manager)
    url = reverse("surveys:alert-rule-delete", args=[survey.pk, rule.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Delete this alert rule?" in html and "at most 2" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert AlertRule.objects.filter(pk=rule.pk).exists()
    assert client.post(url).status_code == 302
    assert not AlertRule.objects.filter(pk=rule.pk).exists()
    deleted = AlertRule.history.get(id=rule.pk, history_type="-")
    assert deleted.history_user == quality_manager
    # Deleted rules stay in the survey's log of rule changes, which viewers may read.
    log = client_for(viewer).get(reverse("surveys:alert-rule-history", args=[survey.pk]))
    assert log.status_code == 200
    text = log.content.decode()
    assert "Deleted" in text and "Quinn Manager" in text


def test_deleting_needs_a_csrf_token(quality_manager, survey):
    rule = survey.alert_rules.first()
    client = Client(enforce_csrf_checks=True)
    client.force_login(quality_manager)
    url = reverse("surveys:alert-rule-delete", args=[survey.pk, rule.pk])
    assert client.post(url).status_code == 403
    assert AlertRule.objects.filter(pk=rule.pk).exists()


def test_only_quality_managers_may_change_rules(
    client_for, viewer, front_desk_head, front_desk_staff, outsider, survey
):
    rule = survey.alert_rules.first()
    data = {"question_code": "nps", "condition": "at_most", "value": "1", "deadline_hours": "1"}
    for user in (viewer, front_desk_head, front_desk_staff, outsider):
        client = client_for(user)
        for name, url in rule_urls(survey, rule).items():
            assert client.get(url).status_code == 403, (user, name)
            assert client.post(url, data).status_code == 403, (user, name)
    assert rule_specs(survey)[0][:3] == ("nps", "at_most", 6)
    assert survey.alert_rules.count() == 3
    # The logs are for those who read surveys: viewers yes, the others no.
    assert (
        client_for(viewer).get(reverse("surveys:alert-rule-history", args=[survey.pk])).status_code
        == 200
    )
    for user in (front_desk_head, front_desk_staff, outsider):
        client = client_for(user)
        assert (
            client.get(reverse("surveys:alert-rule-history", args=[survey.pk])).status_code == 403
        )
        assert (
            client.get(reverse("qms:history", args=["survey-alert-rule", rule.pk])).status_code
            == 404
        )


def test_a_rule_of_another_survey_is_404(client_for, quality_manager, survey):
    other = published_survey(code="other").survey
    rule = other.alert_rules.first()
    client = client_for(quality_manager)
    for name in ("alert-rule-update", "alert-rule-delete"):
        url = reverse(f"surveys:{name}", args=[survey.pk, rule.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert AlertRule.objects.filter(pk=rule.pk).exists()


def test_rule_history_page_query_count_is_flat(
    client_for, viewer, survey, django_assert_max_num_queries
):
    client = client_for(viewer)
    url = reverse("surveys:alert-rule-history", args=[survey.pk])
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for value in range(1, 6):
        services.alert_rule_update(rule=survey.alert_rules.get(question_code="nps"), value=value)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- API -------------------------------------------------------------------------------------


def test_the_survey_endpoint_lists_its_rules_read_only(api_client_for, quality_manager, survey):
    api = api_client_for(quality_manager)
    url = f"/api/satisfaction/surveys/{survey.pk}/"
    rules = api.get(url).json()["alert_rules"]
    assert [(r["question_code"], r["condition"], r["value"]) for r in rules] == [
        ("csat", "at_most", 2),
        ("driver", "chosen", None),
        ("nps", "at_most", 6),
    ]
    assert rules[0]["deadline_hours"] == 48 and rules[0]["is_active"] is True
    # The survey can be changed through the API (authoring), but its rules only through
    # /api/satisfaction/alert-rules/: a PATCH naming them leaves them as they were.
    assert api.patch(url, {"alert_rules": []}, format="json").status_code == 200
    assert len(api.get(url).json()["alert_rules"]) == 3


def test_escalation_still_follows_the_case_deadline(quality_manager):
    wave = survey_with_rules(
        {"question_code": "nps", "condition": Condition.AT_MOST, "value": 6, "deadline_hours": 2}
    )
    answered(wave, {"nps": 1})
    assert (
        satisfaction_services.follow_ups_escalate_due(now=timezone.now() + dt.timedelta(hours=1))
        == 0
    )
    assert (
        satisfaction_services.follow_ups_escalate_due(now=timezone.now() + dt.timedelta(hours=3))
        == 1
    )
