"""Management review (ISO 9001 clause 9.3): inputs compiled by the portal, outputs as
decisions tracked to closure and shown in the next review, PDF and print."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from qms import services
from qms.exceptions import ApplicationError
from qms.models import InterestedParty, ManagementReview, ReviewDecision
from qms.registry import Direction, MetricValue, registry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def isolated_registry(monkeypatch):
    monkeypatch.setattr(registry, "_metrics", dict(registry._metrics))
    return registry


@pytest.fixture
def review(quality_manager):
    return services.review_create(
        title="Review 2026",
        period_label="2026",
        meeting_date=dt.date(2027, 1, 15),
        chair=quality_manager,
    )


def section(inputs, key):
    return next(s for s in inputs["sections"] if s["key"] == key)


def test_a_review_covers_the_period_it_names(review):
    assert (review.period_start, review.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_a_bad_period_is_refused(quality_manager):
    with pytest.raises(ApplicationError, match="is not a period"):
        services.review_create(
            title="x",
            period_label="last year",
            meeting_date=dt.date(2027, 1, 1),
            chair=quality_manager,
        )


def test_inputs_come_from_the_metrics_registry_for_the_period(review, isolated_registry):
    seen = {}

    def nps(*, period, **filters):
        seen["period"] = (period.start, period.end)
        return MetricValue(value=31, n=200)

    isolated_registry.unregister("nps")
    isolated_registry.register(
        key="nps", label="NPS", unit="", direction=Direction.HIGHER_IS_BETTER, compute=nps
    )
    isolated_registry.unregister("csat")
    from qms.review import compile_inputs

    inputs = compile_inputs(review=review)
    metrics = {m["key"]: m for m in section(inputs, "satisfaction")["metrics"]}
    assert metrics["nps"]["value"] == 31.0
    assert metrics["nps"]["n"] == 200
    assert metrics["csat"]["available"] is False
    assert seen["period"] == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_open_decisions_of_earlier_reviews_are_shown_in_the_next(quality_manager):
    owner = UserFactory()
    first = services.review_create(
        title="Review 2025",
        period_label="2025",
        meeting_date=dt.date(2026, 1, 10),
        chair=quality_manager,
    )
    services.decision_add(
        review=first,
        kind="improvement",
        title="Add a queue-number app",
        owner=owner,
        due_date=dt.date(2026, 6, 30),
    )
    second = services.review_create(
        title="Review 2026",
        period_label="2026",
        meeting_date=dt.date(2027, 1, 15),
        chair=quality_manager,
    )
    from qms.review import compile_inputs

    previous = section(compile_inputs(review=second), "previous")["decisions"]
    assert [(d["title"], d["overdue"]) for d in previous] == [("Add a queue-number app", True)]


def test_changes_to_interested_parties_in_the_period_are_inputs(review):
    party = InterestedParty.objects.create(
        name="Suppliers",
        category="suppliers",
        needs="Stable orders",
        review_date=dt.date(2026, 6, 1),
    )
    InterestedParty.history.filter(id=party.pk).update(
        history_date=timezone.make_aware(dt.datetime(2026, 5, 1))
    )
    from qms.review import compile_inputs

    context = section(compile_inputs(review=review), "context")
    assert context["changed_parties"] == ["Suppliers"]
    assert context["parties_due"][0]["name"] == "Suppliers"


def test_holding_a_review_freezes_its_inputs(review, quality_manager, isolated_registry):
    values = iter([10, 99])
    isolated_registry.unregister("nps")
    isolated_registry.register(
        key="nps",
        label="NPS",
        unit="",
        direction=Direction.HIGHER_IS_BETTER,
        compute=lambda *, period, **f: MetricValue(value=next(values), n=5),
    )
    services.review_hold(review=review, actor=quality_manager)
    review.refresh_from_db()
    frozen = {m["key"]: m for m in section(review.inputs_snapshot, "satisfaction")["metrics"]}
    assert frozen["nps"]["value"] == 10.0
    with pytest.raises(ApplicationError, match="already been held"):
        services.review_hold(review=review, actor=quality_manager)
    with pytest.raises(ApplicationError, match="cannot be changed"):
        services.review_update(review=review, resources_note="more staff")


def test_decisions_are_closed_by_their_owner_or_a_quality_manager(review, front_desk_head):
    decision = services.decision_add(
        review=review,
        kind="resources",
        title="Hire two cooks",
        owner=front_desk_head,
        due_date=dt.date(2027, 3, 1),
    )
    stranger = UserFactory()
    with pytest.raises(ApplicationError, match="Only the owner"):
        services.decision_close(decision=decision, status="done", note="", actor=stranger)
    with pytest.raises(ApplicationError, match="Say why"):
        services.decision_close(
            decision=decision, status="cancelled", note=" ", actor=front_desk_head
        )
    services.decision_close(decision=decision, status="done", note="Hired", actor=front_desk_head)
    decision.refresh_from_db()
    assert decision.status == ReviewDecision.Status.DONE
    assert decision.closed_at is not None


def test_review_pages_for_roles(client_for, review, viewer, front_desk_head, quality_manager):
    url = reverse("qms:review-detail", args=[review.pk])
    assert client_for(front_desk_head).get(url).status_code == 403
    page = client_for(viewer).get(url)
    assert page.status_code == 200
    assert b"Customer satisfaction and feedback" in page.content
    assert b"Record as held" not in page.content
    assert b"Record as held" in client_for(quality_manager).get(url).content


def test_quality_manager_plans_a_review_and_records_a_decision(client_for, quality_manager):
    client = client_for(quality_manager)
    response = client.post(
        reverse("qms:review-create"),
        {"title": "Q3 review", "period_label": "2026-Q3", "meeting_date": "2026-10-15"},
    )
    review = ManagementReview.objects.get(title="Q3 review")
    assert response.url == reverse("qms:review-detail", args=[review.pk])
    client.post(
        reverse("qms:decision-create", args=[review.pk]),
        {
            "kind": "change",
            "title": "Weekly queue review",
            "owner": quality_manager.pk,
            "due_date": "2026-12-01",
        },
    )
    assert review.decisions.get().title == "Weekly queue review"


def test_a_decision_with_missing_fields_is_explained(client_for, quality_manager, review):
    response = client_for(quality_manager).post(
        reverse("qms:decision-create", args=[review.pk]), {"kind": "change"}, follow=True
    )
    assert not review.decisions.exists()
    assert b"This field is required" in response.content


def test_the_pack_downloads_as_a_pdf(client_for, viewer, review):
    response = client_for(viewer).get(reverse("qms:review-pdf", args=[review.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_pdf_embeds_the_configured_font_for_non_latin_text(
    client_for, viewer, review, settings
):
    import reportlab

    # Any TrueType file will do for the test; in production a Chinese-capable one
    # (e.g. Debian's fonts-wqy-microhei) so that Chinese titles and notes are legible.
    settings.QMS_PDF_FONT = str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")
    response = client_for(viewer).get(reverse("qms:review-pdf", args=[review.pk]))
    assert response.content.startswith(b"%PDF")
    assert b"FontFile2" in response.content  # a TrueType font is embedded
    assert b"BitstreamVeraSans" in response.content
    # A font that is not there falls back to Helvetica rather than failing
    settings.QMS_PDF_FONT = "/nonexistent/font.ttf"
    fallback = client_for(viewer).get(reverse("qms:review-pdf", args=[review.pk]))
    assert fallback.content.startswith(b"%PDF") and b"FontFile2" not in fallback.content


def test_the_owner_sees_open_decisions_on_the_home_page(client_for, review, front_desk_head):
    services.decision_add(
        review=review,
        kind="improvement",
        title="Faster ID scan",
        owner=front_desk_head,
        due_date=dt.date(2027, 2, 1),
    )
    response = client_for(front_desk_head).get("/")
    assert b"Faster ID scan" in response.content


def test_review_list_query_count_is_flat(
    client_for, viewer, quality_manager, django_assert_max_num_queries
):
    client = client_for(viewer)
    services.review_create(
        title="R0", period_label="2025", meeting_date=dt.date(2026, 1, 1), chair=quality_manager
    )
    with django_assert_max_num_queries(10) as few:
        assert client.get(reverse("qms:review-list")).status_code == 200
    for year in range(2000, 2020):
        services.review_create(
            title=f"R{year}",
            period_label=str(year),
            meeting_date=dt.date(year + 1, 1, 1),
            chair=quality_manager,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("qms:review-list")).status_code == 200


def test_the_review_pack_api(api_client_for, viewer, review, front_desk_head):
    response = api_client_for(viewer).get(f"/api/management-reviews/{review.pk}/inputs/")
    assert response.status_code == 200
    assert {s["key"] for s in response.json()["sections"]} >= {
        "previous",
        "satisfaction",
        "actions",
    }
    assert api_client_for(front_desk_head).get("/api/management-reviews/").status_code == 403
