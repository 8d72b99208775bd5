"""The survey builder as a quality manager uses it: templates and the question library,
choices as rows, show-if picked from earlier answers, reordering, duplicating, deleting
with confirmation, texts in both languages, and the test invitation."""

import pytest
from django.urls import reverse

from qms.exceptions import ApplicationError
from qms.models import Message
from satisfaction.models import Invitation, Response
from satisfaction.services.sending import email_texts
from surveys import library, services
from surveys.models import Question, Survey
from tests.customers.factories import TopicFactory

pytestmark = pytest.mark.django_db


def _rows(*rows, initial=0):
    """The POST data of the choice rows: (English, Chinese, topic pk or "", code)."""
    data = {"choices-TOTAL_FORMS": str(len(rows)), "choices-INITIAL_FORMS": str(initial)}
    for n, row in enumerate(rows):
        en, zh, topic, code = (*row, "", "", "")[:4]
        data.update(
            {
                f"choices-{n}-text_en": en,
                f"choices-{n}-text_zh_hans": zh,
                f"choices-{n}-topic": topic,
                f"choices-{n}-code": code,
            }
        )
    return data


def _bilingual_survey(**kwargs):
    return services.survey_create(
        title="Stay", title_zh_hans="入住", languages=Survey.Languages.BOTH, **kwargs
    )


# --- Templates and the library ---------------------------------------------------------


@pytest.mark.parametrize("key", list(library.TEMPLATES))
def test_every_template_makes_a_survey_that_can_be_published_in_both_languages(key):
    # Given a survey started from a template, in English and Chinese
    spec = library.TEMPLATES[key]
    survey = services.survey_create(
        title=spec.title_en,
        title_zh_hans=spec.title_zh_hans,
        languages=Survey.Languages.BOTH,
        template=key,
    )
    version = survey.versions.get()
    # Then it has the template's questions and nothing the customer sees is empty
    assert version.questions.count() == len(spec.questions)
    assert services.version_missing_texts(version=version) == []
    driver = version.questions.get(kind=Question.Kind.DRIVER)
    assert all(c.topic_id for c in driver.choices.all())
    services.version_publish(version=version)


def test_the_library_driver_question_is_shown_to_dissatisfied_customers_only():
    version = _bilingual_survey().versions.get()
    nps = services.question_add_from_library(version=version, key="nps")
    driver = services.question_add_from_library(version=version, key="driver")
    assert nps.code == "nps"
    assert driver.show_if_question == nps
    assert driver.show_if_values == [0, 1, 2, 3, 4, 5, 6]
    assert driver.text_zh_hans == "最让您失望的是什么？"


def test_starting_from_a_template_on_the_page_fills_the_title_and_questions(
    client_for, quality_manager
):
    client = client_for(quality_manager)
    page = client.get(reverse("surveys:survey-create"))
    assert "Restaurant visit" in page.content.decode()
    assert 'name="code"' not in page.content.decode()
    response = client.post(
        reverse("surveys:survey-create"),
        {
            "template": "restaurant-visit",
            "title": "",
            "languages": "both",
            "purpose": "transactional",
            "identity_mode": "identified",
        },
    )
    survey = Survey.objects.get()
    assert survey.title == "Your visit to our restaurant"
    assert survey.title_zh_hans == "您的用餐体验"
    assert response["Location"] == reverse(
        "surveys:version-detail", args=[survey.versions.get().pk]
    )
    assert survey.versions.get().questions.count() == 5


def test_a_blank_survey_needs_a_title(client_for, quality_manager):
    response = client_for(quality_manager).post(
        reverse("surveys:survey-create"),
        {"template": "", "title": "", "languages": "en", "purpose": "ad_hoc"},
    )
    assert response.status_code == 200
    assert "Give the survey a title" in response.content.decode()
    assert not Survey.objects.exists()


def test_one_click_adds_a_library_question(client_for, quality_manager):
    version = _bilingual_survey().versions.get()
    response = client_for(quality_manager).post(
        reverse("surveys:question-library-add", args=[version.pk]), {"key": "ces"}
    )
    assert response.status_code == 302
    ces = version.questions.get()
    assert ces.kind == Question.Kind.CES
    assert ces.low_label_zh_hans == "非常不同意"


# --- The question form -----------------------------------------------------------------


def test_choices_are_rows_with_a_topic_picked_by_name_and_codes_made_from_labels(
    client_for, quality_manager
):
    queue = TopicFactory(name="Queue time", slug="queue-time")
    version = _bilingual_survey().versions.get()
    client = client_for(quality_manager)
    add = reverse("surveys:question-create", args=[version.pk])
    page = client.get(add).content.decode()
    assert "Queue time" in page  # the topic list shows names
    assert "topic code" not in page and "|" not in page.split("choice-rows")[1][:2000]
    response = client.post(
        add,
        {
            "kind": "driver",
            "text_en": "What went wrong?",
            "text_zh_hans": "哪里出了问题？",
            "scale_max": 5,
            **_rows(
                ("Long queue", "排队太久", queue.pk), ("Cold food", "饭菜凉了", ""), ("", "", "")
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()
    question = version.questions.get()
    choices = list(question.choices.order_by("position"))
    assert [(c.code, c.text_zh_hans, c.topic) for c in choices] == [
        ("long-queue", "排队太久", queue),
        ("cold-food", "饭菜凉了", None),
    ]
    # Editing relabels and reorders; a choice keeps its code (reports read it)
    edit = reverse("surveys:question-update", args=[question.pk])
    response = client.post(
        edit,
        {
            "kind": "driver",
            "text_en": "What went wrong?",
            "text_zh_hans": "哪里出了问题？",
            "scale_max": 5,
            **_rows(
                ("Food was cold", "饭菜凉了", "", "cold-food"),
                ("Long queue", "排队太久", queue.pk, "long-queue"),
                initial=2,
            ),
        },
    )
    assert response.status_code == 302
    assert list(question.choices.order_by("position").values_list("code", "text_en")) == [
        ("cold-food", "Food was cold"),
        ("long-queue", "Long queue"),
    ]


def test_row_buttons_add_move_and_remove_choices_without_javascript_and_save_nothing(
    client_for, quality_manager
):
    version = _bilingual_survey().versions.get()
    client = client_for(quality_manager)
    add = reverse("surveys:question-create", args=[version.pk])
    base = {"kind": "single", "text_en": "Which?", "scale_max": 5}
    response = client.post(add, {**base, **_rows(("A", "甲"), ("B", "乙")), "row_action": "add"})
    assert response.status_code == 200
    assert response.context["form"].choices.total_form_count() == 3
    assert "invalid-feedback" not in response.content.decode()
    response = client.post(
        add, {**base, **_rows(("A", "甲"), ("B", "乙"), ("C", "丙")), "row_action": "up-2"}
    )
    rows = response.context["form"].choices
    assert [f["text_en"].value() for f in rows] == ["A", "C", "B"]
    response = client.post(
        add, {**base, **_rows(("A", "甲"), ("B", "乙")), "row_action": "remove-0"}
    )
    assert [f["text_en"].value() for f in response.context["form"].choices] == ["B"]
    assert not version.questions.exists()


def test_a_choice_question_needs_two_choices_with_english_labels(client_for, quality_manager):
    version = _bilingual_survey().versions.get()
    response = client_for(quality_manager).post(
        reverse("surveys:question-create", args=[version.pk]),
        {"kind": "single", "text_en": "Which?", "scale_max": 5, **_rows(("A", "甲"))},
    )
    assert response.status_code == 200
    assert "Give at least two choices." in response.content.decode()


def test_fields_of_other_types_are_ignored(client_for, quality_manager):
    # A choice question's page may still carry scale fields; they are not stored
    version = _bilingual_survey().versions.get()
    client_for(quality_manager).post(
        reverse("surveys:question-create", args=[version.pk]),
        {
            "kind": "single",
            "text_en": "Which?",
            "scale_max": 9,
            "low_label_en": "Low",
            **_rows(("A", "甲"), ("B", "乙")),
        },
    )
    question = version.questions.get()
    assert question.scale_max == 5
    assert question.low_label_en == ""


def test_show_if_is_picked_from_an_earlier_questions_answers(client_for, quality_manager):
    version = _bilingual_survey().versions.get()
    single = services.question_create(
        version=version,
        kind=Question.Kind.SINGLE,
        text_en="Visit type?",
        text_zh_hans="类型？",
        choices=[
            {"text_en": "Business", "text_zh_hans": "商务"},
            {"text_en": "Leisure", "text_zh_hans": "休闲"},
        ],
    )
    client = client_for(quality_manager)
    add = reverse("surveys:question-create", args=[version.pk])
    page = client.get(add).content.decode()
    assert f'value="{single.pk}:leisure"' in page
    assert "Leisure" in page
    base = {"kind": "text", "text_en": "Why?", "scale_max": 5, **_rows()}
    # Nothing ticked: the form says what to do
    response = client.post(add, {**base, "show_if_question": single.pk})
    assert "Tick the answers to “Visit type?”" in response.content.decode()
    response = client.post(
        add, {**base, "show_if_question": single.pk, "show_if_values": [f"{single.pk}:leisure"]}
    )
    assert response.status_code == 302
    why = version.questions.get(text_en="Why?")
    assert why.show_if_values == ["leisure"]
    builder = client.get(reverse("surveys:version-detail", args=[version.pk])).content.decode()
    assert "Shown only if “Visit type?” is Leisure" in builder


# --- Order, duplicate, delete ----------------------------------------------------------


def test_drag_and_drop_order_is_saved_and_a_show_if_question_stays_below_its_source(
    client_for, quality_manager
):
    version = _bilingual_survey().versions.get()
    nps = services.question_add_from_library(version=version, key="nps")
    driver = services.question_add_from_library(version=version, key="driver")
    comment = services.question_add_from_library(version=version, key="comment")
    client = client_for(quality_manager)
    url = reverse("surveys:question-reorder", args=[version.pk])
    headers = {"X-Requested-With": "fetch"}
    response = client.post(url, {"order": f"{comment.pk},{nps.pk},{driver.pk}"}, headers=headers)
    assert response.json() == {"ok": True}
    assert list(version.questions.order_by("position").values_list("pk", flat=True)) == [
        comment.pk,
        nps.pk,
        driver.pk,
    ]
    response = client.post(url, {"order": f"{driver.pk},{nps.pk},{comment.pk}"}, headers=headers)
    assert response.status_code == 400
    assert "below the question its show-if condition reads" in response.json()["errors"][0]


def test_duplicate_puts_a_copy_with_its_choices_right_below(client_for, quality_manager):
    version = _bilingual_survey().versions.get()
    services.question_add_from_library(version=version, key="nps")
    driver = services.question_add_from_library(version=version, key="driver")
    services.question_add_from_library(version=version, key="comment")
    response = client_for(quality_manager).post(
        reverse("surveys:question-duplicate", args=[driver.pk])
    )
    copy = version.questions.get(position=3)
    assert response["Location"] == reverse("surveys:question-update", args=[copy.pk])
    assert copy.code != driver.code
    assert copy.text_zh_hans == driver.text_zh_hans
    assert copy.show_if_question_id == driver.show_if_question_id
    assert copy.choices.count() == driver.choices.count() == 5
    assert version.questions.get(kind=Question.Kind.TEXT).position == 4


def test_delete_asks_first_and_names_the_questions_that_depend_on_it(client_for, quality_manager):
    version = _bilingual_survey().versions.get()
    nps = services.question_add_from_library(version=version, key="nps")
    services.question_add_from_library(version=version, key="driver")
    client = client_for(quality_manager)
    url = reverse("surveys:question-delete", args=[nps.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "What disappointed you most?" in page.content.decode()
    client.post(url)
    assert version.questions.filter(pk=nps.pk).exists()  # refused: the driver reads it
    comment = services.question_add_from_library(version=version, key="comment")
    client.post(reverse("surveys:question-delete", args=[comment.pk]))
    assert not version.questions.filter(pk=comment.pk).exists()


# --- Texts in both languages -----------------------------------------------------------


def test_publishing_names_the_empty_texts_of_each_language_it_is_sent_in(
    client_for, quality_manager
):
    survey = services.survey_create(title="Stay", languages=Survey.Languages.BOTH)
    version = survey.versions.get()
    services.question_create(version=version, kind=Question.Kind.NPS, text_en="Recommend?")
    with pytest.raises(ApplicationError) as refused:
        services.version_publish(version=version)
    assert "Simplified Chinese: survey title, question 1." in str(refused.value)
    client = client_for(quality_manager)
    page = client.get(reverse("surveys:version-detail", args=[version.pk])).content.decode()
    assert "survey title, question 1" in page
    # Writing them in the texts page and the question lets it publish
    texts = {
        f"{name}_{suffix}": getattr(version, f"{name}_{suffix}")
        for name in version.CUSTOMER_TEXTS
        for suffix in ("en", "zh_hans")
    }
    response = client.post(
        reverse("surveys:version-texts", args=[version.pk]),
        {**texts, "languages": "both", "title_en": "Stay", "title_zh_hans": "入住"},
    )
    assert response.status_code == 302
    services.question_update(question=version.questions.get(), text_zh_hans="推荐吗？")
    services.version_publish(version=version)


def test_an_english_only_survey_needs_no_chinese(client_for, quality_manager):
    survey = services.survey_create(title="Stay", languages=Survey.Languages.EN)
    version = survey.versions.get()
    services.question_create(version=version, kind=Question.Kind.NPS, text_en="Recommend?")
    assert services.version_missing_texts(version=version) == []


def test_an_introduction_written_in_one_language_must_be_written_in_the_other():
    survey = _bilingual_survey()
    version = survey.versions.get()
    services.question_create(
        version=version, kind=Question.Kind.TEXT, text_en="Tell us", text_zh_hans="请告诉我们"
    )
    assert services.version_missing_texts(version=version) == []
    services.version_update_texts(version=version, intro_en="Hello")
    missing = services.version_missing_texts(version=version)
    assert [(m["language"], m["texts"]) for m in missing] == [("zh-hans", ["introduction"])]


def test_a_new_draft_keeps_the_texts_of_the_published_version():
    survey = _bilingual_survey()
    version = survey.versions.get()
    services.question_create(
        version=version, kind=Question.Kind.TEXT, text_en="Tell us", text_zh_hans="请告诉我们"
    )
    services.version_update_texts(version=version, thanks_zh_hans="多谢！")
    services.version_publish(version=version)
    draft = services.version_draft_get_or_create(survey=survey)
    assert draft.thanks_zh_hans == "多谢！"
    assert draft.invitation_subject_zh_hans == "入住：请告诉我们您的感受"


def test_a_chinese_customer_gets_the_chinese_subject_heading_and_thanks(client):
    survey = _bilingual_survey()
    version = survey.versions.get()
    services.question_create(
        version=version, kind=Question.Kind.TEXT, text_en="Tell us", text_zh_hans="请告诉我们"
    )
    services.version_publish(version=version)
    subject, body = email_texts(version, "zh-hans", reminder=False)
    assert subject == "入住：请告诉我们您的感受"
    assert "我们非常重视您的意见" in body
    subject, _body = email_texts(version, "en", reminder=True)
    assert subject == "Reminder: Stay"


# --- Preview and test invitation -------------------------------------------------------


def test_the_preview_may_be_framed_by_the_builder_only(client_for, quality_manager):
    version = _bilingual_survey().versions.get()
    client = client_for(quality_manager)
    response = client.get(
        reverse("satisfaction:version-preview", args=[version.pk]) + "?lang=zh-hans"
    )
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "入住" in response.content.decode()
    builder = client.get(reverse("surveys:version-detail", args=[version.pk]))
    assert builder["X-Frame-Options"] == "DENY"
    assert 'id="preview-frame"' in builder.content.decode()


def test_send_me_a_test_invitation_mails_the_real_invitation_with_a_link_that_stores_nothing(
    client_for, quality_manager, client
):
    quality_manager.email = "qm@example.com"
    quality_manager.save()
    survey = _bilingual_survey()
    version = survey.versions.get()
    services.question_create(
        version=version,
        kind=Question.Kind.NPS,
        text_en="Recommend?",
        text_zh_hans="推荐吗？",
        required=True,
    )
    manager = client_for(quality_manager)
    response = manager.post(
        reverse("satisfaction:version-test-invitation", args=[version.pk]), {"lang": "zh-hans"}
    )
    assert response.status_code == 302
    message = Message.objects.get(kind="survey_test_invitation")
    assert message.recipient == "qm@example.com"
    assert message.subject == "[Test] 入住：请告诉我们您的感受"
    assert "我们非常重视您的意见" in message.body
    link = next(line for line in message.body.splitlines() if "/s/test/" in line)
    path = link[link.index("/", len("http://")) :]
    manager.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "推荐吗？" in page.content.decode()
    assert 'data-testid="trial-banner"' in page.content.decode()
    thanks = client.post(path, {"lang": "zh-hans", "action": "submit", "q_nps": "3"})
    assert thanks.status_code == 200
    assert 'data-testid="thanks"' in thanks.content.decode()
    assert not Response.objects.exists()
    assert not Invitation.objects.exists()
    # A tampered token is an unknown link
    assert client.get(path[:-3] + "xx/").status_code == 404


def test_a_viewer_cannot_edit_or_send_tests(client_for, viewer):
    version = _bilingual_survey().versions.get()
    client = client_for(viewer)
    assert client.get(reverse("surveys:version-detail", args=[version.pk])).status_code == 200
    for url in (
        reverse("surveys:question-library-add", args=[version.pk]),
        reverse("surveys:question-reorder", args=[version.pk]),
        reverse("satisfaction:version-test-invitation", args=[version.pk]),
    ):
        assert client.post(url, {"key": "nps"}).status_code == 403
    assert not version.questions.exists()


def test_a_chinese_customer_reads_the_chinese_title_and_thank_you_on_the_page(client):
    from tests.satisfaction.factories import consenting_customer, running_wave, sent_invitation

    survey = _bilingual_survey()
    version = survey.versions.get()
    services.question_create(
        version=version, kind=Question.Kind.TEXT, text_en="Tell us", text_zh_hans="请告诉我们"
    )
    services.version_update_texts(version=version, thanks_zh_hans="谢谢您的宝贵意见！")
    version = services.version_publish(version=version)
    customer = consenting_customer(language="zh-hans")
    _invitation, token = sent_invitation(running_wave(version), customer=customer)
    message = Message.objects.get(recipient=customer.email)
    assert message.subject == "入住：请告诉我们您的感受"
    page = client.get(f"/s/{token}/").content.decode()
    assert '<h1 class="h4">入住</h1>' in page
    thanks = client.post(f"/s/{token}/", {"action": "submit", "q_tell-us": "很好"})
    assert "谢谢您的宝贵意见！" in thanks.content.decode()


def test_the_builder_page_reads_a_fixed_number_of_queries(
    client_for, quality_manager, django_assert_max_num_queries
):
    version = services.survey_create(title="Stay", template="hotel-stay").versions.get()
    for key in ("driver", "csat", "consent", "comment", "ces"):
        services.question_add_from_library(version=version, key=key)
    client = client_for(quality_manager)
    url = reverse("surveys:version-detail", args=[version.pk])
    client.get(url)
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
