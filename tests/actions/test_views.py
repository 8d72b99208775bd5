"""Pages: board, action page, steps, my actions, 8D report, create (prefilled), scoping."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import CorrectiveAction, Measure, SourceKind
from tests.actions.factories import ActionFactory, MeasureFactory, advance, open_action
from tests.satisfaction.factories import TopicFactory

pytestmark = pytest.mark.django_db


def _detail(action):
    return reverse("actions:action-detail", args=[action.pk])


def _step(action, step):
    return reverse("actions:action-step", args=[action.pk, step])


def test_board_lists_filters_and_searches(client_for, quality_manager, front_desk, housekeeping):
    a = ActionFactory(department=front_desk, title="Queue at the door")
    b = ActionFactory(department=housekeeping, title="Dusty rooms", source_kind="internal")
    client = client_for(quality_manager)
    page = client.get(reverse("actions:board"))
    assert page.status_code == 200
    assert a.reference in page.text and b.reference in page.text
    page = client.get(reverse("actions:board"), {"q": "queue"})
    assert a.reference in page.text and b.reference not in page.text
    page = client.get(reverse("actions:board"), {"department": housekeeping.pk})
    assert b.reference in page.text and a.reference not in page.text
    page = client.get(reverse("actions:board"), {"source": "internal"})
    assert b.reference in page.text and a.reference not in page.text


def test_board_overdue_filter_uses_the_original_due_date(client_for, quality_manager, front_desk):
    today = timezone.localdate()
    late = ActionFactory(
        department=front_desk,
        due_date=today - dt.timedelta(days=2),
        current_due_date=today + dt.timedelta(days=20),
    )
    fine = ActionFactory(department=front_desk)
    page = client_for(quality_manager).get(reverse("actions:board"), {"overdue": "on"})
    assert late.reference in page.text and fine.reference not in page.text


def test_board_empty_state_says_what_to_do(client_for, quality_manager):
    page = client_for(quality_manager).get(reverse("actions:board"))
    assert "Open one from a survey finding" in page.text


def test_board_csv(client_for, quality_manager, front_desk):
    ActionFactory(department=front_desk, title="=cmd")
    response = client_for(quality_manager).get(reverse("actions:board"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert "Reference" in body and "'=cmd" in body


def test_board_is_scoped_to_the_department(client_for, housekeeping_head, front_desk, housekeeping):
    mine = ActionFactory(department=housekeeping)
    other = ActionFactory(department=front_desk)
    page = client_for(housekeeping_head).get(reverse("actions:board"))
    assert mine.reference in page.text and other.reference not in page.text


def test_board_query_count_is_flat(
    client_for, quality_manager, front_desk, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    ActionFactory.create_batch(2, department=front_desk)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("actions:board")).status_code == 200
    for action in ActionFactory.create_batch(20, department=front_desk):
        MeasureFactory(action=action)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("actions:board")).status_code == 200


def test_action_page_of_another_department_is_not_found(client_for, housekeeping_head, front_desk):
    other = ActionFactory(department=front_desk)
    client = client_for(housekeeping_head)
    assert client.get(_detail(other)).status_code == 404
    assert client.get(reverse("actions:action-report", args=[other.pk])).status_code == 404
    assert client.get(reverse("qms:history", args=["action", other.pk])).status_code == 404
    assert client.get(reverse("qms:impact-list", args=["action", other.pk])).status_code == 404


def test_a_measure_owner_elsewhere_sees_the_action(client_for, housekeeping_head, front_desk):
    other = ActionFactory(department=front_desk)
    MeasureFactory(action=other, owner=housekeeping_head)
    assert client_for(housekeeping_head).get(_detail(other)).status_code == 200


def test_action_page_links_history_impacts_report(client_for, quality_manager, action):
    page = client_for(quality_manager).get(_detail(action))
    assert page.status_code == 200
    assert reverse("qms:history", args=["action", action.pk]) in page.text
    assert reverse("qms:impact-list", args=["action", action.pk]) in page.text
    assert reverse("actions:action-report", args=[action.pk]) in page.text
    assert (
        client_for(quality_manager)
        .get(reverse("qms:history", args=["action", action.pk]))
        .status_code
        == 200
    )
    assert (
        client_for(quality_manager)
        .get(reverse("qms:impact-list", args=["action", action.pk]))
        .status_code
        == 200
    )


def test_workflow_through_the_page(client_for, quality_manager, action, front_desk_head):
    client = client_for(quality_manager)
    assert client.post(_step(action, "transition"), {"to": "containment"}).status_code == 302
    response = client.post(_step(action, "transition"), {"to": "root_cause"})
    assert response.status_code == 400
    assert "Record the containment" in response.text
    client.post(_step(action, "containment"), {"containment": "Host at the door"})
    client.post(_step(action, "transition"), {"to": "root_cause"})
    client.post(
        _step(action, "root-cause"),
        {"method": "five_whys", "why1": "Slow kitchen", "statement": "Batching"},
    )
    client.post(_step(action, "transition"), {"to": "planned"})
    today = timezone.localdate()
    client.post(
        _step(action, "measure"),
        {
            "title": "Queue numbers",
            "owner": front_desk_head.pk,
            "department": action.department.pk,
            "due_date": today.isoformat(),
        },
    )
    client.post(
        _step(action, "windows"),
        {
            "baseline_start": (today - dt.timedelta(days=60)).isoformat(),
            "baseline_end": (today - dt.timedelta(days=31)).isoformat(),
            "followup_start": (today - dt.timedelta(days=30)).isoformat(),
            "followup_end": (today - dt.timedelta(days=1)).isoformat(),
            "min_n": 5,
        },
    )
    # The criterion is chosen from lists: a topic that is not in the list is refused.
    TopicFactory(slug="queue-time", name="Queue time")
    criterion_url = reverse("actions:criterion-create", args=[action.pk])
    response = client.post(
        criterion_url,
        {"metric_key": "ticket_volume", "param_topic": "no-such-topic", "target_change_pct": "-80"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not action.criteria.exists()
    client.post(
        criterion_url,
        {"metric_key": "ticket_volume", "param_topic": "queue-time", "target_change_pct": "-80"},
    )
    client.post(_step(action, "transition"), {"to": "implementing"})
    action.refresh_from_db()
    assert action.status == "implementing"
    assert action.criteria.get().metric_params == {"topic": "queue-time"}
    page = client.get(_detail(action))
    assert "Queue numbers" in page.text and "Batching" in page.text


def test_cancelling_needs_a_justification_on_the_page(client_for, quality_manager, action):
    client = client_for(quality_manager)
    page = client.get(_detail(action))
    assert 'data-testid="confirm-cancelled"' in page.text  # asks for confirmation first
    response = client.post(_step(action, "transition"), {"to": "cancelled"})
    assert response.status_code == 400
    assert "Write why this action is not going ahead" in response.text
    client.post(_step(action, "transition"), {"to": "cancelled", "justification": "Duplicate"})
    action.refresh_from_db()
    assert action.status == "cancelled"


def test_steps_are_for_quality_managers(client_for, front_desk_head, action):
    response = client_for(front_desk_head).post(_step(action, "transition"), {"to": "containment"})
    assert response.status_code == 403


def test_unknown_step_is_not_found(client_for, quality_manager, action):
    assert client_for(quality_manager).post(_step(action, "nope"), {}).status_code == 404


def test_extension_is_shown_with_its_reason(client_for, quality_manager, action):
    client = client_for(quality_manager)
    new = action.due_date + dt.timedelta(days=14)
    client.post(_step(action, "extension"), {"new_date": new.isoformat(), "reason": "Supplier"})
    page = client.get(_detail(action))
    assert "Supplier" in page.text and "extended to" in page.text


def test_merge_through_the_page(client_for, quality_manager, action, front_desk):
    other = open_action(actor=quality_manager, department=front_desk, owner=action.owner)
    client_for(quality_manager).post(_step(other, "merge"), {"survivor": action.pk})
    other.refresh_from_db()
    assert other.duplicate_of == action


def test_create_page_prefilled_from_a_survey_finding_shows_similar_actions(
    client_for, quality_manager, front_desk, front_desk_head
):
    topic = TopicFactory(slug="queue-time", name="Queue time")
    earlier = open_action(
        actor=quality_manager, department=front_desk, owner=front_desk_head, topic=topic
    )
    wave = _wave()
    page = client_for(quality_manager).get(
        reverse("actions:action-create"), {"wave": wave.pk, "topic": topic.pk}
    )
    assert page.status_code == 200
    assert earlier.reference in page.text  # similar open action
    assert f'value="{wave.pk}" selected' in page.text
    assert "survey_finding" in page.text


def _wave():
    from satisfaction.models import Wave
    from surveys.models import Question, Survey, SurveyVersion

    survey = Survey.objects.create(title="Dining", code="dining")
    version = SurveyVersion.objects.create(
        survey=survey, number=1, status="published", published_at=timezone.now()
    )
    # The finding's question is picked from the survey's questions, by their wording.
    Question.objects.create(
        version=version, code="driver", kind="driver", text_en="What disappointed you most?"
    )
    return Wave.objects.create(survey_version=version, name="May wave")


def test_create_from_a_survey_finding(client_for, quality_manager, front_desk, front_desk_head):
    topic = TopicFactory(slug="queue-time", name="Queue time")
    wave = _wave()
    response = client_for(quality_manager).post(
        reverse("actions:action-create"),
        {
            "title": "Queue time",
            "department": front_desk.pk,
            "owner": front_desk_head.pk,
            "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "topic": topic.pk,
            "source_kind": SourceKind.SURVEY_FINDING,
            "wave": wave.pk,
            "question_code": "driver",
            "complaints": [],
        },
    )
    action = CorrectiveAction.objects.get()
    assert response.status_code == 302
    source = action.sources.get()
    assert (source.wave, source.topic, source.question_code, source.complaint) == (
        wave,
        topic,
        "driver",
        None,
    )


def test_create_from_complaints_picked_in_words(
    client_for, quality_manager, front_desk, housekeeping, front_desk_head
):
    """The complaint source is picked from a list of complaints in words (number,
    customer, topic, status, what happened), never typed as a number; the list holds
    only the complaints the user may see, and picking none says what is missing."""
    from crm.models import Complaint
    from tests.actions.factories import make_complaint

    first = make_complaint(department=front_desk, description="Waited 40 minutes for a table")
    second = make_complaint(department=housekeeping, description="Towels were not changed")
    client = client_for(quality_manager)
    page = client.get(reverse("actions:action-create"))
    field = page.context["form"]["complaints"]
    html = str(field)
    assert "data-searchable" in html and "multiple" in html
    label = (
        f"{first.reference} · {first.customer.name} · {first.topic.name} · "
        f"{first.get_status_display()} · Waited 40 minutes for a table"
    )
    assert f">{label}</option>" in html
    assert "Complaint number" not in page.text
    data = {
        "title": "Table waits",
        "department": front_desk.pk,
        "owner": front_desk_head.pk,
        "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "source_kind": SourceKind.COMPLAINT,
    }
    missing = client.post(reverse("actions:action-create"), data)
    assert missing.status_code == 200
    assert "Choose the complaint(s)." in missing.text
    response = client.post(
        reverse("actions:action-create"), {**data, "complaints": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    action = CorrectiveAction.objects.get()
    assert {s.complaint for s in action.sources.all()} == {first, second}
    # A department head sees only their department's complaints (the form's scope).
    from actions.forms import ActionCreateForm

    head_form = ActionCreateForm(user=front_desk_head)
    assert list(head_form.fields["complaints"].queryset) == [Complaint.objects.get(pk=first.pk)]


def test_create_form_says_what_is_missing(client_for, quality_manager, front_desk, front_desk_head):
    response = client_for(quality_manager).post(
        reverse("actions:action-create"),
        {
            "title": "X",
            "department": front_desk.pk,
            "owner": front_desk_head.pk,
            "due_date": timezone.localdate().isoformat(),
            "source_kind": SourceKind.FOLLOWUP_CASE,
        },
    )
    assert response.status_code == 200
    assert "Choose the follow-up case." in response.text


def test_similar_panel_for_htmx(client_for, quality_manager, action):
    topic = TopicFactory(slug="t-1", name="T1")
    CorrectiveAction.objects.filter(pk=action.pk).update(topic=topic)
    page = client_for(quality_manager).get(reverse("actions:similar"), {"topic": topic.pk})
    assert action.reference in page.text
    assert "<html" not in page.text


def test_create_page_is_for_quality_managers(client_for, front_desk_head):
    assert client_for(front_desk_head).get(reverse("actions:action-create")).status_code == 403


def test_my_actions_and_measures(
    client_for, front_desk_head, front_desk_staff, action, quality_manager
):
    measure = services.measure_add(
        actor=quality_manager,
        action=action,
        title="Queue numbers",
        owner=front_desk_staff,
        department=action.department,
        due_date=timezone.localdate(),
    )
    page = client_for(front_desk_head).get(reverse("actions:mine"))
    assert action.reference in page.text
    assert "You own no open measure" in page.text
    client = client_for(front_desk_staff)
    page = client.get(reverse("actions:mine"))
    assert "Queue numbers" in page.text
    response = client.post(
        reverse("actions:measure-status", args=[measure.pk]), {"status": "done", "next": "mine"}
    )
    assert response.status_code == 302 and response.url == reverse("actions:mine")
    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE


def test_measure_status_of_someone_else_is_refused(client_for, housekeeping_head, action):
    measure = MeasureFactory(action=action)
    response = client_for(housekeeping_head).post(
        reverse("actions:measure-status", args=[measure.pk]), {"status": "done"}
    )
    assert response.status_code == 404


def test_my_actions_query_count_is_flat(
    client_for, front_desk_head, front_desk, django_assert_max_num_queries
):
    client = client_for(front_desk_head)
    ActionFactory(department=front_desk, owner=front_desk_head)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("actions:mine")).status_code == 200
    for a in ActionFactory.create_batch(15, department=front_desk, owner=front_desk_head):
        MeasureFactory(action=a, owner=front_desk_head)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("actions:mine")).status_code == 200


def test_report_8d_has_all_disciplines_and_the_print_stylesheet(
    client_for, quality_manager, action
):
    advance(action, actor=quality_manager, to="implementing")
    page = client_for(quality_manager).get(reverse("actions:action-report", args=[action.pk]))
    for d in ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"):
        assert d in page.text
    assert "css/print.css" in page.text and 'media="print"' in page.text


def test_action_page_chart_data_is_json_not_inline_script(client_for, quality_manager, action):
    page = client_for(quality_manager).get(_detail(action))
    assert 'id="effect-data" type="application/json"' in page.text
    assert "actions/js/effect-chart.js" in page.text
    assert "<script>" not in page.text


def test_navigation_has_both_entries(client_for, quality_manager):
    page = client_for(quality_manager).get(reverse("actions:board"))
    assert 'data-nav="actions"' in page.text and 'data-nav="my-actions"' in page.text


def test_action_page_query_count_does_not_grow_with_measures(
    client_for, quality_manager, action, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    MeasureFactory(action=action)
    with django_assert_max_num_queries(60) as few:
        assert client.get(_detail(action)).status_code == 200
    MeasureFactory.create_batch(10, action=action)
    for n in range(5):
        services.extension_add(
            actor=quality_manager,
            action=action,
            new_date=action.current_due_date + dt.timedelta(days=n + 1),
            reason=f"Reason {n}",
        )
        action.refresh_from_db()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_detail(action)).status_code == 200
