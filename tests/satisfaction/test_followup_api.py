"""The follow-up cases API: list with its filters, detail and the state changes of the
case page, scoped like the pages (viewers read all and change nothing; a head or staff
member reads and works only their own cases; another's case is a 404)."""

import datetime as dt

import pytest
from django.utils import timezone

from satisfaction.models import FollowUpCase
from tests.factories import UserFactory
from tests.satisfaction.factories import (
    answered,
    consenting_customer,
    published_survey,
    running_wave,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(quality_manager, front_desk_staff):
    wave = running_wave(published_survey(code="stay"))
    other_wave = running_wave(published_survey(code="dine"))
    mine = answered(wave, {"nps": 2}, customer=consenting_customer(account_owner=front_desk_staff))
    theirs = answered(other_wave, {"nps": 1}, customer=consenting_customer())
    late = FollowUpCase.objects.get(response=theirs)
    late.due_at = timezone.now() - dt.timedelta(hours=1)
    late.save(update_fields=["due_at"])
    return {
        "mine": FollowUpCase.objects.get(response=mine),
        "theirs": late,
        "wave": wave,
        "other_wave": other_wave,
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_list_filters(api_client_for, quality_manager, front_desk_staff, cases):
    api = api_client_for(quality_manager)
    mine, theirs = cases["mine"], cases["theirs"]
    assert ids(api.get("/api/satisfaction/follow-ups/")) == [theirs.pk, mine.pk]
    assert ids(api.get("/api/satisfaction/follow-ups/?overdue=true")) == [theirs.pk]
    assert ids(api.get("/api/satisfaction/follow-ups/?overdue=false")) == [mine.pk]
    assert ids(api.get(f"/api/satisfaction/follow-ups/?wave={cases['wave'].pk}")) == [mine.pk]
    survey = cases["other_wave"].survey_version.survey_id
    assert ids(api.get(f"/api/satisfaction/follow-ups/?survey={survey}")) == [theirs.pk]
    assert ids(api.get(f"/api/satisfaction/follow-ups/?owner={front_desk_staff.pk}")) == [mine.pk]
    assert ids(api.get("/api/satisfaction/follow-ups/?state=resolved")) == []
    assert ids(api.get("/api/satisfaction/follow-ups/?state=open")) == [theirs.pk, mine.pk]
    row = api.get(f"/api/satisfaction/follow-ups/{theirs.pk}/").json()
    assert row["is_overdue"] is True and row["state"] == "new"
    assert row["survey"] == survey and row["wave"] == cases["other_wave"].pk
    bad = api.get("/api/satisfaction/follow-ups/?state=lost&overdue=maybe")
    assert bad.status_code == 400
    assert set(bad.json()) == {"state", "overdue"}


def test_owner_records_contacted_then_resolved_with_notes(api_client_for, front_desk_staff, cases):
    api = api_client_for(front_desk_staff)
    url = f"/api/satisfaction/follow-ups/{cases['mine'].pk}/state/"
    first = api.post(url, {"state": "contacted", "note": "Called, will call back."}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["state"] == "contacted" and first.json()["closed_at"] is None
    done = api.post(url, {"state": "resolved", "note": "Refunded the night."}, format="json")
    assert done.json()["state"] == "resolved"
    assert done.json()["note"] == "Called, will call back.\nRefunded the night."
    assert done.json()["closed_at"] is not None
    case = FollowUpCase.objects.get(pk=cases["mine"].pk)
    assert case.state == "resolved" and case.next_action_at is None
    assert api.post(url, {"state": "no_action"}, format="json").json()["state"] == "no_action"
    assert api.post(url, {"state": "closed"}, format="json").status_code == 400


def test_scope_like_the_pages(api_client_for, viewer, front_desk_staff, front_desk_head, cases):
    mine, theirs = cases["mine"], cases["theirs"]
    staff = api_client_for(front_desk_staff)
    assert ids(staff.get("/api/satisfaction/follow-ups/")) == [mine.pk]
    assert staff.get(f"/api/satisfaction/follow-ups/{theirs.pk}/").status_code == 404
    url = f"/api/satisfaction/follow-ups/{theirs.pk}/state/"
    assert staff.post(url, {"state": "resolved"}, format="json").status_code == 404
    head = api_client_for(front_desk_head)
    assert ids(head.get("/api/satisfaction/follow-ups/")) == []
    reader = api_client_for(viewer)
    assert ids(reader.get("/api/satisfaction/follow-ups/")) == [theirs.pk, mine.pk]
    assert reader.post(url, {"state": "resolved"}, format="json").status_code == 403
    other = UserFactory(username="other")
    assert api_client_for(other).get("/api/satisfaction/follow-ups/").json()["count"] == 0
    theirs.refresh_from_db()
    assert theirs.state == "new"


def test_list_query_count_is_flat(
    api_client_for, quality_manager, cases, django_assert_max_num_queries
):
    api = api_client_for(quality_manager)
    wave = cases["wave"]
    for _n in range(5):
        answered(wave, {"nps": 0}, customer=consenting_customer())
    with django_assert_max_num_queries(8):
        assert api.get("/api/satisfaction/follow-ups/").json()["count"] == 7
