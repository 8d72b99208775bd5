"""Similar actions before opening, and merging duplicates."""

import pytest

from actions import selectors, services
from actions.models import CorrectiveAction, SourceKind
from qms.exceptions import ApplicationError
from tests.actions.factories import open_action
from tests.satisfaction.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return TopicFactory(slug="queue-time", name="Queue time")


def test_similar_actions_lists_open_and_past_actions_on_the_topic(
    quality_manager, front_desk, front_desk_head, topic
):
    open_one = open_action(
        actor=quality_manager, department=front_desk, owner=front_desk_head, topic=topic
    )
    past = open_action(
        actor=quality_manager, department=front_desk, owner=front_desk_head, topic=topic
    )
    services.action_transition(
        actor=quality_manager, action=past, to="no_action_needed", justification="Seasonal."
    )
    open_action(actor=quality_manager, department=front_desk, owner=front_desk_head)
    similar = selectors.similar_actions(user=quality_manager, topic_id=topic.pk)
    assert similar["open"] == [open_one]
    assert similar["past"] == [past]
    assert similar["complaints"] == []  # hook for crm.Complaint


def test_similar_actions_respect_scope(
    quality_manager, front_desk, front_desk_head, housekeeping_head, topic
):
    open_action(actor=quality_manager, department=front_desk, owner=front_desk_head, topic=topic)
    assert selectors.similar_actions(user=housekeeping_head, topic_id=topic.pk)["open"] == []


def test_merging_moves_the_sources_and_cancels_the_duplicate(
    quality_manager, front_desk, front_desk_head, topic
):
    from tests.actions.factories import make_complaint

    first = make_complaint(department=front_desk, topic=topic)
    second = make_complaint(department=front_desk, topic=topic)
    survivor = open_action(
        actor=quality_manager,
        department=front_desk,
        owner=front_desk_head,
        topic=topic,
        source_kind=SourceKind.COMPLAINT,
        complaint_ref=first.reference,
    )
    duplicate = open_action(
        actor=quality_manager,
        department=front_desk,
        owner=front_desk_head,
        topic=topic,
        source_kind=SourceKind.COMPLAINT,
        complaint_ref=second.reference,
    )
    assert services.action_merge(actor=quality_manager, duplicate=duplicate, survivor=survivor) == 1
    duplicate.refresh_from_db()
    assert duplicate.status == CorrectiveAction.Status.CANCELLED
    assert duplicate.duplicate_of == survivor
    assert survivor.reference in duplicate.justification
    assert {s.complaint for s in survivor.sources.all()} == {first, second}
    assert duplicate.transitions.last().to_status == "cancelled"


def test_merge_refuses_itself_and_finished_actions(action, quality_manager, front_desk):
    with pytest.raises(ApplicationError, match="itself"):
        services.action_merge(actor=quality_manager, duplicate=action, survivor=action)
    other = open_action(actor=quality_manager, department=front_desk, owner=action.owner)
    services.action_transition(
        actor=quality_manager, action=other, to="cancelled", justification="Wrong."
    )
    with pytest.raises(ApplicationError, match="still going ahead"):
        services.action_merge(actor=quality_manager, duplicate=action, survivor=other)
    with pytest.raises(ApplicationError, match="already finished"):
        services.action_merge(actor=quality_manager, duplicate=other, survivor=action)
