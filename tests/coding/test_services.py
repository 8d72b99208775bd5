"""Coding texts: rules, the model and its threshold, people's codings, the task run
twice, bad input, a model file that does not load, retraining and candidate topics."""

import pytest
from django.test import override_settings

from coding import learning, services, tasks
from coding.models import CandidateTopic, Coding, ModelVersion, Text
from qms.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def _codings(text):
    return sorted(text.codings.values_list("topic__slug", "origin"))


def test_keyword_rules_code_english_and_chinese_texts(battery, screen, make_text):
    english = make_text("My phone drains overnight")
    chinese = make_text("手机掉电快，一天充三次")
    nothing = make_text("The drainage pipe of the fridge leaks")  # not the word "drains"

    assert services.code_pending() == 3

    assert _codings(english) == [("battery-life", "rule")]
    assert _codings(chinese) == [("battery-life", "rule")]
    nothing.refresh_from_db()
    assert nothing.status == Text.Status.QUEUED
    assert not nothing.codings.exists()


def test_the_task_delivered_twice_codes_once(battery, make_text):
    text = make_text("battery drains fast")

    assert tasks.code_pending_texts_task() == 1
    assert tasks.code_pending_texts_task() == 0
    services.code_texts(text_ids=[text.pk])  # a stale delivery with the ids

    assert text.codings.count() == 1


def test_a_persons_coding_is_never_replaced_by_rules_or_the_model(
    battery, screen, make_text, quality_manager
):
    text = make_text("battery drains after the screen cracked")
    services.text_code(text=text, topics=[screen], user=quality_manager)

    Text.objects.filter(pk=text.pk).update(status=Text.Status.PENDING)
    services.code_pending()

    assert _codings(text) == [("screen-durability", "person")]
    coding = text.codings.get()
    assert coding.confirmed_by == quality_manager
    assert coding.confirmed_at is not None


def test_imported_topic_becomes_an_imported_coding(battery, make_text):
    text = make_text("", topic=battery)

    assert _codings(text) == [("battery-life", "imported")]
    text.refresh_from_db()
    assert text.status == Text.Status.EMPTY  # nothing to code, and never queued
    assert services.code_pending() == 0


def test_long_texts_are_kept_whole_and_other_languages_flagged(battery, make_text):
    long_body = "The battery drains. " + "x" * 50_000
    long_text = make_text(long_body)
    russian = make_text("Телефон быстро разряжается")

    services.code_pending()

    long_text.refresh_from_db()
    russian.refresh_from_db()
    assert long_text.body == long_body
    assert _codings(long_text) == [("battery-life", "rule")]
    assert russian.language == Text.Language.OTHER
    assert russian.other_language
    assert russian.status == Text.Status.QUEUED


def _train(battery, screen, make_text, user):
    for body in [
        "phone dies before lunch",
        "power gone by noon",
        "手机一天要充三次电",
        "charge lasts only five hours",
        "电量下降很快",
        "phone dead by the afternoon",
    ]:
        services.text_code(text=make_text(body), topics=[battery], user=user)
    for body in [
        "glass shattered when it fell",
        "display broken after a drop",
        "屏幕摔坏了",
        "lines across the display",
        "显示屏有裂痕",
        "the glass broke in my pocket",
    ]:
        services.text_code(text=make_text(body), topics=[screen], user=user)
    return services.model_train()


def test_training_stores_a_version_with_its_measures(battery, screen, make_text, quality_manager):
    version = _train(battery, screen, make_text, quality_manager)

    assert version.is_active
    assert version.n_examples == 12
    model = learning.TrainedModel.loads(bytes(version.data), secret=services._model_secret())
    assert set(model.topics) == {str(battery.pk), str(screen.pk)}


def test_too_few_codings_train_nothing(battery, make_text, quality_manager):
    services.text_code(text=make_text("phone dies"), topics=[battery], user=quality_manager)

    assert services.model_train() is None
    assert not ModelVersion.objects.exists()


def test_below_the_threshold_the_text_goes_to_the_queue_with_suggestions(
    battery, screen, make_text, quality_manager
):
    _train(battery, screen, make_text, quality_manager)
    with override_settings(QMS_CODING_THRESHOLD=1.01):
        unsure = make_text("phone dies before the afternoon")
        services.code_pending()
    unsure.refresh_from_db()
    assert unsure.status == Text.Status.QUEUED
    assert unsure.suggested_topic == battery
    assert not unsure.codings.exists()

    with override_settings(QMS_CODING_THRESHOLD=0.0):
        sure = make_text("phone dies before the afternoon")
        services.code_pending()
    coding = sure.codings.get()
    assert (coding.topic, coding.origin) == (battery, Coding.Origin.MODEL)
    assert coding.model_version == ModelVersion.objects.get(is_active=True)


def test_a_model_file_that_does_not_load_leaves_rules_and_the_queue(
    battery, make_text, client_for, quality_manager
):
    ModelVersion.objects.create(
        data=b"not a model", trained_at="2026-11-01T00:00Z", n_examples=10, is_active=True
    )
    by_rule = make_text("battery drains")
    other = make_text("phone dies before noon")

    services.code_pending()

    assert _codings(by_rule) == [("battery-life", "rule")]
    other.refresh_from_db()
    assert other.status == Text.Status.QUEUED
    assert ModelVersion.objects.get().load_error
    page = client_for(quality_manager).get("/coding/model/")
    assert page.status_code == 200
    assert b'data-testid="model-error"' in page.content


def test_retraining_is_due_after_enough_confirmations(battery, make_text, quality_manager):
    with override_settings(QMS_CODING_RETRAIN_AFTER=2):
        assert not services.retrain_due()
        for body in ("one", "two"):
            services.text_code(text=make_text(body), topics=[battery], user=quality_manager)
        assert services.retrain_due()


def test_department_heads_code_only_their_departments_texts(
    battery, make_text, front_desk, housekeeping, front_desk_head
):
    ours = make_text("rude at the desk", kind=Text.Kind.COMPLAINT, department=front_desk)
    theirs = make_text("dirty towels", kind=Text.Kind.COMPLAINT, department=housekeeping)

    services.text_code(text=ours, topics=[battery], user=front_desk_head)
    with pytest.raises(ApplicationError):
        services.text_code(text=theirs, topics=[battery], user=front_desk_head)
    assert not theirs.codings.exists()


def test_similar_uncoded_texts_become_a_candidate_that_grows(make_text, quality_manager):
    for i in range(6):
        make_text(f"the wifi hotspot keeps disconnecting {i}")
    for i in range(6):
        make_text(f"camera lens fogs up inside, blurry photos {i}")
    services.code_pending()

    found = services.candidates_refresh()

    by_term = {term: c for c in found for term in c.top_terms}
    assert "wifi" in by_term and "camera" in by_term
    assert by_term["wifi"] != by_term["camera"]
    assert by_term["wifi"].size == 6

    for i in range(4):
        make_text(f"the wifi hotspot keeps disconnecting {i + 6}")
    services.code_pending()
    CandidateTopic.objects.update(size_history=[{"on": "2026-01-01", "size": 6}])
    services.candidates_refresh()
    wifi = CandidateTopic.objects.get(pk=by_term["wifi"].pk)
    assert wifi.size == 10
    assert wifi.emerging and wifi.growth == 4


def test_a_candidate_becomes_a_topic_with_its_keywords_in_one_step(make_text, quality_manager):
    for i in range(5):
        make_text(f"wifi hotspot drops {i}")
        make_text(f"camera lens fogs up {i}")
    services.code_pending()
    candidate = next(c for c in services.candidates_refresh() if "wifi" in c.top_terms)

    topic = services.candidate_make_topic(
        candidate=candidate,
        name="Wi-Fi hotspot",
        keywords=["wifi", "hotspot"],
        user=quality_manager,
    )
    services.code_pending()

    assert set(topic.keywords.values_list("phrase", flat=True)) == {"wifi", "hotspot"}
    assert Coding.objects.filter(topic=topic, origin=Coding.Origin.RULE).count() == 5
    candidate.refresh_from_db()
    assert candidate.status == CandidateTopic.Status.ACCEPTED


def test_a_text_that_came_with_a_topic_does_not_wait_in_the_queue(battery, screen, make_text):
    text = make_text("the customer was unhappy", topic=screen)

    services.code_pending()

    text.refresh_from_db()
    assert text.status == Text.Status.CODED
    assert _codings(text) == [("screen-durability", "imported")]


def test_coding_a_batch_costs_a_fixed_number_of_queries(
    battery, make_text, django_assert_max_num_queries
):
    for i in range(30):
        make_text(f"battery drains {i}" if i % 2 else f"no keyword here {i}")
    with django_assert_max_num_queries(15) as few:
        assert services.code_pending() == 30
    for i in range(60):
        make_text(f"battery drains {i}" if i % 2 else f"no keyword here {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert services.code_pending() == 60
