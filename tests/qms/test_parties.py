"""Interested parties, the impact of plans on them, and conflicts between them
(guide point 6: balance customers' needs with employees', suppliers', shareholders' and
the community's)."""

import datetime as dt

import pytest
from django.urls import reverse

from qms import services
from qms.exceptions import ApplicationError
from qms.models import ImpactAssessment, InterestedParty, PartyConflict

pytestmark = pytest.mark.django_db


def make_party(name="Employees", category="employees", influence=4, interest=5):
    return InterestedParty.objects.create(
        name=name,
        category=category,
        needs="Reasonable hours",
        influence=influence,
        interest=interest,
        review_date=dt.date(2027, 1, 1),
    )


@pytest.fixture
def employees():
    return make_party()


@pytest.fixture
def suppliers():
    return make_party("Suppliers", "suppliers", 3, 4)


@pytest.mark.parametrize(
    ("influence", "interest", "advice"),
    [
        (5, 5, "Manage closely"),
        (5, 1, "Keep satisfied"),
        (1, 5, "Keep informed"),
        (2, 2, "Monitor"),
    ],
)
def test_the_grid_quadrant_gives_the_approach(influence, interest, advice):
    party = InterestedParty(influence=influence, interest=interest)
    assert party.quadrant == advice


def test_levels_outside_1_to_5_are_refused_by_the_database():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        make_party(influence=9)


def test_a_negative_impact_without_mitigation_blocks_the_plan(
    employees, front_desk, quality_manager
):
    plan = front_desk  # any record can be the plan; objectives and actions use this later
    services.impact_record(target=plan, party=employees, impact="negative", note="996 overtime")
    with pytest.raises(ApplicationError, match="harms Employees"):
        services.impacts_check_plan_may_proceed(target=plan)


def test_a_mitigation_lets_the_plan_proceed(employees, front_desk):
    services.impact_record(
        target=front_desk,
        party=employees,
        impact="negative",
        mitigation="Hire seasonal staff instead of overtime",
    )
    services.impacts_check_plan_may_proceed(target=front_desk)  # no error


def test_an_explicit_approval_lets_the_plan_proceed_and_is_recorded(
    employees, front_desk, quality_manager
):
    assessment = services.impact_record(target=front_desk, party=employees, impact="negative")
    services.impact_approve(assessment=assessment, actor=quality_manager, reason="Two weeks only")
    services.impacts_check_plan_may_proceed(target=front_desk)
    assessment.refresh_from_db()
    assert assessment.approved_by == quality_manager
    assert assessment.approval_reason == "Two weeks only"


def test_only_a_quality_manager_approves_and_always_with_a_reason(
    employees, front_desk, front_desk_head, quality_manager
):
    assessment = services.impact_record(target=front_desk, party=employees, impact="negative")
    with pytest.raises(ApplicationError, match="Only a quality manager"):
        services.impact_approve(assessment=assessment, actor=front_desk_head, reason="ok")
    with pytest.raises(ApplicationError, match="Write why"):
        services.impact_approve(assessment=assessment, actor=quality_manager, reason="  ")


def test_revising_an_approved_assessment_withdraws_the_approval(
    employees, front_desk, quality_manager
):
    assessment = services.impact_record(target=front_desk, party=employees, impact="negative")
    services.impact_approve(assessment=assessment, actor=quality_manager, reason="Short peak")
    services.impact_record(
        target=front_desk, party=employees, impact="negative", note="Now six months"
    )
    assessment.refresh_from_db()
    assert assessment.approved_at is None
    with pytest.raises(ApplicationError):
        services.impacts_check_plan_may_proceed(target=front_desk)


def test_one_assessment_per_plan_and_party(employees, front_desk):
    services.impact_record(target=front_desk, party=employees, impact="neutral")
    services.impact_record(target=front_desk, party=employees, impact="positive")
    assert ImpactAssessment.objects.get().impact == "positive"


def test_a_conflict_needs_two_parties_and_a_decision_needs_a_rationale(
    employees, suppliers, quality_manager
):
    with pytest.raises(ApplicationError, match="at least two"):
        services.conflict_create(title="x", description="y", parties=[employees])
    conflict = services.conflict_create(
        title="Price vs margin", description="...", parties=[employees, suppliers]
    )
    with pytest.raises(ApplicationError, match="decision and its rationale"):
        services.conflict_decide(
            conflict=conflict,
            decision="Centralise",
            rationale="",
            outcomes="",
            actor=quality_manager,
        )
    services.conflict_decide(
        conflict=conflict,
        decision="Centralise",
        rationale="Volume",
        outcomes="Suppliers: stable orders",
        actor=quality_manager,
    )
    conflict.refresh_from_db()
    assert (conflict.status, conflict.decided_by) == ("decided", quality_manager)


def test_register_pages_for_roles(client_for, quality_manager, viewer, front_desk_head, employees):
    assert client_for(viewer).get(reverse("qms:party-list")).status_code == 200
    assert client_for(viewer).get(reverse("qms:party-create")).status_code == 403
    response = client_for(quality_manager).post(
        reverse("qms:party-create"),
        {
            "name": "Shareholders",
            "category": "shareholders",
            "needs": "Stable returns",
            "influence": 5,
            "interest": 3,
            "review_date": "2027-03-01",
        },
    )
    party = InterestedParty.objects.get(name="Shareholders")
    assert response.url == reverse("qms:party-detail", args=[party.pk])


def test_register_filters_and_csv(client_for, viewer, employees, suppliers):
    client = client_for(viewer)
    response = client.get(reverse("qms:party-list"), {"category": "suppliers"})
    assert [p.name for p in response.context["parties"]] == ["Suppliers"]
    csv = client.get(reverse("qms:party-list"), {"format": "csv"})
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Employees,Employees,Reasonable hours,4,5,Manage closely" in body


def test_register_query_count_is_flat(client_for, viewer, django_assert_max_num_queries):
    client = client_for(viewer)
    make_party("P0", "other")
    with django_assert_max_num_queries(10) as few:
        assert client.get(reverse("qms:party-list")).status_code == 200
    for n in range(1, 20):
        make_party(f"P{n}", "other")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("qms:party-list")).status_code == 200


def test_grid_page_passes_points_to_the_chart(client_for, viewer, employees):
    response = client_for(viewer).get(reverse("qms:party-grid"))
    assert response.context["points"][0]["name"] == "Employees"
    assert b'id="party-grid-data"' in response.content


def test_impact_page_follows_the_plan_scoping(client_for, front_desk_head, housekeeping, employees):
    # A plan the person cannot see: its impacts are "not found" too.
    response = client_for(front_desk_head).get(
        reverse("qms:impact-list", args=["department", housekeeping.pk])
    )
    assert response.status_code == 404


def test_quality_manager_records_and_approves_an_impact_on_the_page(
    client_for, quality_manager, front_desk, employees
):
    client = client_for(quality_manager)
    url = reverse("qms:impact-list", args=["department", front_desk.pk])
    client.post(url, {"party": employees.pk, "impact": "negative", "note": "996"})
    page = client.get(url)
    assert b"cannot go ahead yet" in page.content
    assessment = ImpactAssessment.objects.get()
    client.post(
        reverse("qms:impact-approve", args=[assessment.pk]), {"reason": "Peak week", "next": url}
    )
    assert b"cannot go ahead yet" not in client.get(url).content


def test_the_demo_has_the_clothing_brands_triple_win(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    conflict = PartyConflict.objects.get(status="decided")
    assert {p.category for p in conflict.parties.all()} == {"customers", "suppliers", "employees"}
    assert "10% lower" in conflict.outcomes
    assert "stable long-term orders" in conflict.outcomes
    assert "less overtime" in conflict.outcomes


def test_party_api_scoping_and_decide(
    api_client_for, quality_manager, front_desk_head, employees, suppliers
):
    assert api_client_for(front_desk_head).get("/api/interested-parties/").status_code == 200
    assert (
        api_client_for(front_desk_head)
        .post("/api/interested-parties/", {"name": "x"}, format="json")
        .status_code
        == 403
    )
    api = api_client_for(quality_manager)
    created = api.post(
        "/api/party-conflicts/",
        {"title": "Overtime", "description": "...", "parties": [employees.pk, suppliers.pk]},
        format="json",
    )
    assert created.status_code == 201
    decided = api.post(
        f"/api/party-conflicts/{created.json()['id']}/decide/",
        {"decision": "Hire", "rationale": "Keep people"},
        format="json",
    )
    assert decided.json()["status"] == "decided"
    refused = api.post(
        f"/api/party-conflicts/{created.json()['id']}/decide/",
        {"decision": " ", "rationale": "x"},
        format="json",
    )
    assert refused.status_code == 400


def test_conflict_list_filters_by_status_and_an_unknown_status_is_not_found(
    client_for, viewer, quality_manager, employees, suppliers
):
    services.conflict_create(title="Peak hours", description="x", parties=[employees, suppliers])
    client = client_for(viewer)
    response = client.get(reverse("qms:conflict-list"), {"status": "open"})
    assert [c.title for c in response.context["conflicts"]] == ["Peak hours"]
    assert response.context["status"] == "open"
    assert response.context["statuses"] == PartyConflict.Status.choices
    decided = client.get(reverse("qms:conflict-list"), {"status": "decided"})
    assert list(decided.context["conflicts"]) == []
    assert client.get(reverse("qms:conflict-list"), {"status": "bogus"}).status_code == 404
    assert client.get(reverse("qms:conflict-list"), {"status": ""}).status_code == 200
