"""Interview pages: list, detail, create, findings coded to topics and requirements."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from requirements.models import Requirement
from research.models import Interview, InterviewFinding
from tests.customers.factories import CustomerFactory, SegmentFactory, TopicFactory
from tests.research.factories import FindingFactory, InterviewFactory

pytestmark = pytest.mark.django_db

LIST = reverse("research:interview-list")
CREATE = reverse("research:interview-create")


def test_quality_manager_records_a_group_interview(client_for, quality_manager):
    families = SegmentFactory(code="young-families")
    response = client_for(quality_manager).post(
        CREATE,
        {
            "title": "Mom group, Hangzhou",
            "held_on": "2026-03-01",
            "segment": families.pk,
            "interviewer": quality_manager.pk,
            "notes": "Eight mothers",
        },
    )
    interview = Interview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("research:interview-detail", args=[interview.pk])
    assert interview.segment == families


def test_interview_with_one_customer_by_reference(client_for, quality_manager):
    customer = CustomerFactory(external_ref="C-HG-001")
    response = client_for(quality_manager).post(
        CREATE,
        {
            "title": "Regular guest",
            "held_on": "2026-03-01",
            "customer": "C-HG-001",
            "interviewer": quality_manager.pk,
        },
    )
    assert response.status_code == 302
    assert Interview.objects.get().customer == customer


def test_form_says_who_was_interviewed_is_missing(client_for, quality_manager):
    response = client_for(quality_manager).post(
        CREATE, {"title": "?", "held_on": "2026-03-01", "interviewer": quality_manager.pk}
    )
    assert response.status_code == 200
    assert "Name the customer interviewed" in response.text
    assert not Interview.objects.exists()


def test_unknown_customer_reference_is_a_field_error(client_for, quality_manager):
    response = client_for(quality_manager).post(
        CREATE,
        {
            "title": "?",
            "held_on": "2026-03-01",
            "customer": "C-404",
            "interviewer": quality_manager.pk,
        },
    )
    assert "customer" in response.context["form"].errors


def test_future_interview_is_refused(client_for, quality_manager):
    response = client_for(quality_manager).post(
        CREATE,
        {
            "title": "Later",
            "held_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "segment": SegmentFactory().pk,
            "interviewer": quality_manager.pk,
        },
    )
    assert response.status_code == 200
    assert "before it is held" in response.text


def test_add_a_finding_coded_to_a_topic_and_a_candidate_requirement(client_for, quality_manager):
    interview = InterviewFactory()
    topic = TopicFactory(slug="diaper-breathability")
    requirement = Requirement.objects.create(title="Breathable diaper", kind="stated")
    response = client_for(quality_manager).post(
        reverse("research:finding-create", args=[interview.pk]),
        {"topic": topic.pk, "note": "“Skin stays dry”", "requirement": requirement.pk},
    )
    assert response.status_code == 302
    finding = InterviewFinding.objects.get()
    assert (finding.topic, finding.requirement) == (topic, requirement)
    detail = client_for(quality_manager).get(
        reverse("research:interview-detail", args=[interview.pk])
    )
    assert "Breathable diaper" in detail.text


def test_finding_needs_a_topic_and_a_note(client_for, quality_manager):
    interview = InterviewFactory()
    response = client_for(quality_manager).post(
        reverse("research:finding-create", args=[interview.pk]), {"note": ""}
    )
    assert response.status_code == 200
    assert {"topic", "note"} <= set(response.context["form"].errors)


def test_removing_a_finding_asks_first(client_for, quality_manager):
    finding = FindingFactory()
    url = reverse("research:finding-delete", args=[finding.interview_id, finding.pk])
    client = client_for(quality_manager)
    assert "Yes, remove it" in client.get(url).text
    assert InterviewFinding.objects.exists()
    assert client.post(url).status_code == 302
    assert not InterviewFinding.objects.exists()


def test_readers_read_but_do_not_write(client_for, front_desk_staff, viewer):
    finding = FindingFactory(note="Heat rash")
    detail = reverse("research:interview-detail", args=[finding.interview_id])
    for user in (front_desk_staff, viewer):
        client = client_for(user)
        assert client.get(LIST).status_code == 200
        response = client.get(detail)
        assert "Heat rash" in response.text
        assert "finding_form" not in response.context
        assert client.get(CREATE).status_code == 403
        add = reverse("research:finding-create", args=[finding.interview_id])
        assert client.post(add, {"topic": finding.topic_id, "note": "x"}).status_code == 403


def test_outsider_gets_nothing(client_for, outsider):
    interview = InterviewFactory()
    client = client_for(outsider)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("research:interview-detail", args=[interview.pk])).status_code == 403


def test_interview_history_page(client_for, viewer):
    interview = InterviewFactory()
    response = client_for(viewer).get(reverse("qms:history", args=["interview", interview.pk]))
    assert response.status_code == 200


def test_list_filters_by_segment_and_topic(client_for, viewer):
    families = SegmentFactory()
    topic = TopicFactory(slug="breath")
    FindingFactory(interview=InterviewFactory(title="A", segment=families), topic=topic)
    InterviewFactory(title="B")
    client = client_for(viewer)
    assert [i.title for i in client.get(LIST, {"segment": families.pk}).context["interviews"]] == [
        "A"
    ]
    assert [i.title for i in client.get(LIST, {"topic": "breath"}).context["interviews"]] == ["A"]


def test_empty_list_says_what_to_do(client_for, quality_manager):
    assert "Record an interview" in client_for(quality_manager).get(LIST).text


def test_removing_a_finding_of_another_interview_is_404(client_for, quality_manager):
    finding = FindingFactory()
    other = InterviewFactory()
    url = reverse("research:finding-delete", args=[other.pk, finding.pk])
    client = client_for(quality_manager)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert InterviewFinding.objects.filter(pk=finding.pk).exists()
