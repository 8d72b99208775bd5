"""End-of-period review: a period closes only when every missed objective has an
analysis."""

from decimal import Decimal

import pytest

from objectives import services
from objectives.models import Objective, ObjectiveAnalysis
from qms.exceptions import ApplicationError
from tests.objectives.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

PAST = "2024"


@pytest.fixture
def met_and_missed(quality_manager):
    met = ObjectiveFactory(period_label=PAST, title="Met one", owner=quality_manager)
    KeyResultFactory(objective=met, current_value=Decimal("100"))
    missed = ObjectiveFactory(period_label=PAST, title="Missed one", owner=quality_manager)
    KeyResultFactory(objective=missed, current_value=Decimal("60"))
    return met, missed


def test_closing_is_refused_while_a_missed_objective_has_no_analysis(
    quality_manager, met_and_missed
):
    _met, missed = met_and_missed
    with pytest.raises(ApplicationError, match="Missed one") as error:
        services.period_close(actor=quality_manager, period_label=PAST)
    assert "Met one" not in str(error.value)
    assert error.value.extra["missing"] == [missed.pk]
    assert not Objective.objects.filter(status=Objective.Status.CLOSED).exists()


def test_after_the_analysis_the_period_closes(quality_manager, met_and_missed):
    met, missed = met_and_missed
    analysis = services.analysis_record(
        actor=quality_manager,
        objective=missed,
        text="Staff shortage in summer.",
        corrective_action_needed=True,
    )
    assert analysis.by == quality_manager
    assert services.period_close(actor=quality_manager, period_label=PAST) == 2
    missed.refresh_from_db()
    met.refresh_from_db()
    assert missed.status == Objective.Status.CLOSED
    assert missed.final_progress == Decimal("60")
    assert met.final_progress == Decimal("100")
    assert ObjectiveAnalysis.objects.get().corrective_action_needed is True


def test_an_empty_analysis_is_refused(quality_manager, met_and_missed):
    with pytest.raises(ApplicationError, match="why the target was missed"):
        services.analysis_record(actor=quality_manager, objective=met_and_missed[1], text=" ")


def test_a_running_period_cannot_be_closed(quality_manager):
    objective = ObjectiveFactory()
    with pytest.raises(ApplicationError, match="close it after it ends"):
        services.period_close(actor=quality_manager, period_label=objective.period_label)


def test_only_a_quality_manager_closes_a_period(front_desk_head, met_and_missed):
    with pytest.raises(ApplicationError, match="quality manager"):
        services.period_close(actor=front_desk_head, period_label=PAST)


def test_a_closed_objective_cannot_be_changed(quality_manager, met_and_missed):
    services.analysis_record(actor=quality_manager, objective=met_and_missed[1], text="Why.")
    services.period_close(actor=quality_manager, period_label=PAST)
    with pytest.raises(ApplicationError, match="closed"):
        services.objective_update(
            actor=quality_manager, objective=met_and_missed[0], title="Changed"
        )


def test_the_review_page_lists_what_is_missing_and_refuses_to_close(
    client_for, quality_manager, met_and_missed
):
    client = client_for(quality_manager)
    page = client.get(f"/objectives/review/?period={PAST}")
    assert page.status_code == 200
    assert b"1 missed objective still needs an analysis" in page.content
    response = client.post(
        "/objectives/review/close/", {"period": PAST, "confirm": "on"}, follow=True
    )
    assert "cannot be closed yet" in response.content.decode()
    assert "Missed one" in response.content.decode()


def test_closing_from_the_page_needs_the_confirmation(client_for, quality_manager):
    ObjectiveFactory(period_label=PAST)
    response = client_for(quality_manager).post(
        "/objectives/review/close/", {"period": PAST}, follow=True
    )
    assert b"Tick the confirmation" in response.content
    assert not Objective.objects.filter(status=Objective.Status.CLOSED).exists()


def test_recording_an_analysis_from_the_page(client_for, quality_manager, met_and_missed):
    missed = met_and_missed[1]
    client = client_for(quality_manager)
    response = client.post(
        f"/objectives/{missed.pk}/analysis/",
        {"text": "Queues at peak hours.", "corrective_action_needed": "on"},
    )
    assert response.status_code == 302
    assert missed.__class__.objects.get(pk=missed.pk).analysis.text == "Queues at peak hours."
