"""Pareto analysis: ranking across sources, filters, drill-down, one query per source."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from research import selectors as research_selectors
from research.selectors import ParetoSource, pareto, pareto_sources
from tests.customers.factories import CustomerFactory, SegmentFactory, TopicFactory
from tests.research.factories import FindingFactory, InterviewFactory, TicketFactory

pytestmark = pytest.mark.django_db

URL = reverse("research:pareto")


@pytest.fixture
def evidence():
    phones = SegmentFactory(code="smartphone-owners")
    families = SegmentFactory(code="young-families")
    battery = TopicFactory(slug="battery-life", name="Battery life")
    screen = TopicFactory(slug="screen", name="Screen")
    breath = TopicFactory(slug="breathability", name="Breathability")
    absorb = TopicFactory(slug="absorbency", name="Absorbency")
    owner = CustomerFactory(segment=phones)
    for _ in range(5):
        TicketFactory(customer=owner, topic=battery)
    for _ in range(3):
        TicketFactory(customer=owner, topic=screen)
    TicketFactory(customer=CustomerFactory(segment=families), topic=absorb)
    group = InterviewFactory(segment=families)
    for _ in range(4):
        FindingFactory(interview=group, topic=breath)
    FindingFactory(interview=group, topic=absorb)
    # An interview with one customer counts for that customer's segment.
    FindingFactory(interview=InterviewFactory(segment=None, customer=owner), topic=screen)
    return {"phones": phones, "families": families}


def ranking(rows):
    return [(r.topic.slug, r.total) for r in rows]


def test_topics_are_ranked_across_sources_with_the_cumulative_share(viewer, evidence):
    rows = pareto(user=viewer)
    assert ranking(rows) == [
        ("battery-life", 5),
        ("breathability", 4),
        ("screen", 4),
        ("absorbency", 2),
    ]
    assert [r.cumulative for r in rows] == [33.3, 60.0, 86.7, 100.0]
    assert rows[2].counts == {"tickets": 3, "interviews": 1}
    assert rows[3].counts == {"tickets": 1, "interviews": 1}


def test_source_filter(viewer, evidence):
    assert ranking(pareto(user=viewer, source="interviews")) == [
        ("breathability", 4),
        ("absorbency", 1),
        ("screen", 1),
    ]
    assert ranking(pareto(user=viewer, source="tickets"))[0] == ("battery-life", 5)


def test_segment_filter(viewer, evidence):
    assert ranking(pareto(user=viewer, segment=evidence["families"])) == [
        ("breathability", 4),
        ("absorbency", 2),
    ]
    assert ranking(pareto(user=viewer, segment=evidence["phones"])) == [
        ("battery-life", 5),
        ("screen", 4),
    ]


def test_period_filter(viewer):
    topic = TopicFactory(slug="queue-time")
    TicketFactory(topic=topic, opened_at=timezone.now() - dt.timedelta(days=400))
    TicketFactory(topic=topic, opened_at=timezone.now() - dt.timedelta(days=10))
    today = timezone.localdate()
    rows = pareto(user=viewer, start=today - dt.timedelta(days=30), end=today)
    assert ranking(rows) == [("queue-time", 1)]
    # The end day counts in full.
    ticket_day = (timezone.localtime() - dt.timedelta(days=10)).date()
    assert ranking(pareto(user=viewer, start=ticket_day, end=ticket_day)) == [("queue-time", 1)]


def test_nothing_for_someone_in_no_department(outsider, evidence):
    assert pareto(user=outsider) == []


def test_one_aggregate_query_per_source_whatever_the_data(
    viewer, evidence, django_assert_num_queries
):
    # One query per source (tickets, findings, coded interview notes) plus one for the
    # topics' names.
    with django_assert_num_queries(4):
        pareto(user=viewer)
    topic = TopicFactory()
    for _ in range(20):
        TicketFactory(topic=topic)
        FindingFactory(topic=TopicFactory())
    with django_assert_num_queries(4):
        rows = pareto(user=viewer)
    assert len(rows) == 25


def test_a_new_source_can_be_registered(viewer, evidence):
    from django.db.models import Count

    from research.models import Ticket

    def fake_counts(start, end, segment):
        return (
            Ticket.objects.filter(topic__slug="absorbency")
            .values("topic")
            .annotate(n=Count("id") * 10)
            .order_by()
        )

    pareto_sources.register(
        ParetoSource(
            key="surveys",
            label="Survey drivers",
            count=fake_counts,
            evidence_url_name="research:ticket-list",
        )
    )
    try:
        rows = pareto(user=viewer)
        assert rows[0].topic.slug == "absorbency"
        assert rows[0].counts["surveys"] == 10
    finally:
        pareto_sources.unregister("surveys")


def test_page_renders_chart_data_table_and_drill_down_links(client_for, front_desk_staff, evidence):
    response = client_for(front_desk_staff).get(URL)
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart["labels"][0] == "Battery life"
    assert chart["cumulative"][-1] == 100.0
    assert 'id="pareto-data"' in response.text
    assert "customers/js/pareto.js" in response.text
    assert "<script>" not in response.text  # CSP: no inline script
    rows = response.context["rows"]
    assert rows[0].url.startswith(reverse("research:ticket-list"))
    assert "topic=battery-life" in rows[0].url
    breath = next(r for r in rows if r.topic.slug == "breathability")
    assert breath.url.startswith(reverse("research:finding-list"))


def test_drill_down_lists_the_evidence_of_one_bar(client_for, viewer, evidence):
    client = client_for(viewer)
    rows = client.get(URL, {"segment": evidence["phones"].pk}).context["rows"]
    battery = client.get(rows[0].url)
    assert battery.status_code == 200
    assert battery.context["paginator"].count == 5
    assert {t.topic.slug for t in battery.context["tickets"]} == {"battery-life"}
    breath_url = client.get(URL, {"source": "interviews"}).context["rows"][0].url
    findings = client.get(breath_url)
    assert findings.context["paginator"].count == 4


def test_page_source_filter_uses_that_source_for_drill_down(client_for, viewer, evidence):
    response = client_for(viewer).get(URL, {"source": "interviews"})
    assert all(r.url.startswith(reverse("research:finding-list")) for r in response.context["rows"])
    assert [s.key for s in response.context["sources"]] == ["interviews"]


def test_page_query_count_does_not_grow(
    client_for, viewer, evidence, django_assert_max_num_queries
):
    client = client_for(viewer)
    client.get(URL)
    with django_assert_max_num_queries(12) as few:
        assert client.get(URL).status_code == 200
    for _ in range(15):
        TicketFactory(topic=TopicFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200


def test_empty_page_says_what_to_do(client_for, viewer):
    response = client_for(viewer).get(URL)
    assert "Nothing to rank" in response.text


def test_inverted_period_is_a_form_error(client_for, viewer):
    response = client_for(viewer).get(URL, {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.context["form"].errors["end"]
    assert response.context["rows"] == []


def test_outsider_cannot_open_the_page(client_for, outsider):
    assert client_for(outsider).get(URL).status_code == 403


def test_sources_are_registered():
    assert [s.key for s in research_selectors.pareto_sources.all()] == [
        "tickets",
        "interviews",
        "interview_notes",
    ]


def test_each_source_count_links_to_that_sources_evidence(client_for, viewer, evidence):
    rows = client_for(viewer).get(URL).context["rows"]
    screen = next(r for r in rows if r.topic.slug == "screen")
    links = {source.key: (count, url) for source, count, url in screen.source_counts}
    assert links["tickets"][0] == 3
    assert links["tickets"][1].startswith(reverse("research:ticket-list"))
    assert links["interviews"][1].startswith(reverse("research:finding-list"))
