"""Register pages: list with filters, search, pagination and CSV; detail; create, edit,
review, accept, deploy and retire (with confirmation)."""

import pytest
from django.urls import reverse

from requirements import services
from requirements.models import Requirement
from tests.factories import DepartmentFactory
from tests.requirements.conftest import make_deployed
from tests.requirements.factories import RequirementFactory, SegmentFactory, TopicFactory

pytestmark = pytest.mark.django_db
LIST = reverse("requirements:requirement-list")


def test_list_is_for_quality_managers_and_viewers(client_for, viewer, front_desk_head):
    RequirementFactory(title="Zero-wait check-in")
    assert "Zero-wait check-in" in client_for(viewer).get(LIST).content.decode()
    assert client_for(front_desk_head).get(LIST).status_code == 403


def test_list_empty_state_says_what_to_do(client_for, quality_manager):
    page = client_for(quality_manager).get(LIST).content.decode()
    assert "The register is empty" in page
    assert reverse("requirements:requirement-create") in page


def test_list_filters(client_for, quality_manager, front_desk):
    guests = SegmentFactory(code="hotel-guests")
    queue = TopicFactory(slug="queue-time")
    a = RequirementFactory(title="Alpha", kind="stated", segment=guests)
    a.topics.add(queue)
    RequirementFactory(title="Bravo", kind="statutory", reference="GB 14881-2013")
    deployed = make_deployed(
        quality_manager=quality_manager, departments=[front_desk], title="Charlie"
    )
    client = client_for(quality_manager)

    def titles(**params):
        response = client.get(LIST, params)
        return {r.title for r in response.context["requirements"]}

    assert titles(kind="statutory") == {"Bravo"}
    assert titles(segment="hotel-guests") == {"Alpha"}
    assert titles(topic="queue-time") == {"Alpha"}
    assert titles(status="deployed") == {deployed.title}
    assert titles(department="FD") == {"Charlie"}
    assert titles(q="14881") == {"Bravo"}
    assert "No requirement matches" in client.get(LIST, {"q": "nothing"}).content.decode()


def test_list_is_paginated(client_for, quality_manager):
    RequirementFactory.create_batch(30)
    response = client_for(quality_manager).get(LIST)
    assert len(response.context["requirements"]) == 25
    assert response.context["is_paginated"]


def test_list_query_count_is_flat(client_for, quality_manager, django_assert_max_num_queries):
    client = client_for(quality_manager)
    departments = [DepartmentFactory() for _ in range(3)]
    make_deployed(quality_manager=quality_manager, departments=departments[:1], title="one")
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        assert client.get(LIST).status_code == 200
    for n in range(15):
        requirement = make_deployed(
            quality_manager=quality_manager, departments=departments, title=f"many {n}"
        )
        requirement.topics.add(TopicFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200


def test_csv_export(client_for, viewer, quality_manager, front_desk):
    make_deployed(quality_manager=quality_manager, departments=[front_desk], title="=cmd")
    response = client_for(viewer).get(LIST, {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Kano class" in body.splitlines()[0]
    assert "'=cmd" in body  # formula injection neutralised
    assert "FD" in body


def test_detail_shows_kano_level_evidence_and_deployments(
    client_for, viewer, deployed, fd_deployment
):
    deployed.topics.add(TopicFactory(slug="check-in-wait", name="Check-in wait"))
    response = client_for(viewer).get(
        reverse("requirements:requirement-detail", args=[deployed.pk])
    )
    page = response.content.decode()
    assert "Performance" in page and "Identify needs" in page
    assert "Check-in wait" in page  # evidence: topics
    assert "ID scan from 30 s to 10 s" in page
    assert reverse("qms:history", args=["requirement", deployed.pk]) in page
    assert "0 of 1" in page  # read by 0 of 1 staff


def test_detail_scoped_for_department_members(
    client_for, deployed, front_desk_staff, accepted, outsider
):
    url = reverse("requirements:requirement-detail", args=[deployed.pk])
    assert client_for(front_desk_staff).get(url).status_code == 200
    other = RequirementFactory(status=Requirement.Status.ACCEPTED)
    url_other = reverse("requirements:requirement-detail", args=[other.pk])
    assert client_for(front_desk_staff).get(url_other).status_code == 404
    assert client_for(outsider).get(url).status_code == 404


def test_history_page(client_for, viewer, deployed, quality_manager):
    services.requirement_update(
        requirement=deployed, actor=quality_manager, title="Faster check-in"
    )
    response = client_for(viewer).get(reverse("qms:history", args=["requirement", deployed.pk]))
    assert response.status_code == 200
    assert "Faster check-in" in response.content.decode()


def test_create_by_quality_manager(client_for, quality_manager, front_desk_head):
    url = reverse("requirements:requirement-create")
    assert client_for(front_desk_head).get(url).status_code == 403
    client = client_for(quality_manager)
    response = client.post(url, {"title": "Food safety", "kind": "statutory", "importance": 4})
    assert response.status_code == 200
    assert "Name the regulation or contract clause" in response.content.decode()
    response = client.post(
        url,
        {"title": "Food safety", "kind": "statutory", "importance": 4, "reference": "EU 852/2004"},
    )
    requirement = Requirement.objects.get(title="Food safety")
    assert response.url == reverse("requirements:requirement-detail", args=[requirement.pk])


def test_walk_the_lifecycle_through_the_pages(client_for, quality_manager, proposed, front_desk):
    client = client_for(quality_manager)
    pk = proposed.pk
    client.post(reverse("requirements:requirement-submit", args=[pk]))
    # Accepting before a review is refused with a message.
    response = client.post(reverse("requirements:requirement-accept", args=[pk]), follow=True)
    assert "Record a review" in response.content.decode()
    # A "no" without a note says what is wrong.
    response = client.post(
        reverse("requirements:requirement-review", args=[pk]), {"can_meet": "no"}
    )
    assert "Say why" in response.content.decode()
    client.post(reverse("requirements:requirement-review", args=[pk]), {"can_meet": "yes"})
    client.post(reverse("requirements:requirement-accept", args=[pk]))
    response = client.post(
        reverse("requirements:deployment-create", args=[pk]),
        {"department": front_desk.pk, "commitment": "ID scan 10 s", "ack_days": 5},
    )
    assert response.status_code == 302
    client.post(reverse("requirements:requirement-deploy", args=[pk]))
    proposed.refresh_from_db()
    assert proposed.status == Requirement.Status.DEPLOYED
    assert proposed.deployments.get().ack_days == 5


def test_edit_substance_after_deployment_says_new_revision(client_for, quality_manager, deployed):
    url = reverse("requirements:requirement-update", args=[deployed.pk])
    response = client_for(quality_manager).post(
        url,
        {
            "title": "Zero-wait check-in",
            "kind": "stated",
            "importance": 3,
            "description": "Changed",
            "acceptance_criterion": "Under 30 s",
        },
        follow=True,
    )
    assert "Revision 2" in response.content.decode()


def test_retire_asks_for_confirmation_and_a_reason(client_for, quality_manager, deployed):
    url = reverse("requirements:requirement-retire", args=[deployed.pk])
    client = client_for(quality_manager)
    page = client.get(url).content.decode()
    assert "This cannot be undone" in page and "csrfmiddlewaretoken" in page
    response = client.post(url, {"reason": ""})
    assert "Give a reason" in response.content.decode()
    deployed.refresh_from_db()
    assert deployed.status == Requirement.Status.DEPLOYED
    client.post(url, {"reason": "Superseded"})
    deployed.refresh_from_db()
    assert deployed.status == Requirement.Status.RETIRED


def test_lifecycle_steps_are_post_only_and_quality_manager_only(
    client_for, front_desk_head, proposed, deployed
):
    url = reverse("requirements:requirement-submit", args=[proposed.pk])
    assert client_for(front_desk_head).post(url).status_code == 403


def test_deployment_form_says_what_is_wrong(client_for, quality_manager, accepted, front_desk):
    url = reverse("requirements:deployment-create", args=[accepted.pk])
    response = client_for(quality_manager).post(
        url, {"department": front_desk.pk, "commitment": "", "ack_days": 0}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" in page
    assert "greater than or equal to 1" in page


def test_deployment_form_before_acceptance_explains(
    client_for, quality_manager, proposed, front_desk
):
    url = reverse("requirements:deployment-create", args=[proposed.pk])
    response = client_for(quality_manager).post(
        url, {"department": front_desk.pk, "commitment": "x", "ack_days": 7}
    )
    assert "Accept the requirement before deploying it" in response.content.decode()


def test_list_ignores_a_bad_filter_value(client_for, quality_manager):
    """A value not in the choices (only reachable by editing the address) shows the
    whole register, not "filtered", and the CSV has every row; a page past the end or
    not a number is 404."""
    RequirementFactory(title="Alpha")
    RequirementFactory(title="Bravo")
    client = client_for(quality_manager)
    for params in ({"status": "bogus"}, {"kind": "bogus", "q": "Alpha"}, {"segment": "nope"}):
        response = client.get(LIST, params)
        assert response.status_code == 200
        assert {r.title for r in response.context["requirements"]} == {"Alpha", "Bravo"}
        assert not response.context["is_filtered"]
    response = client.get(LIST, {"status": "bogus", "format": "csv"})
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 3
    assert client.get(LIST, {"page": "99"}).status_code == 404
    assert client.get(LIST, {"page": "x"}).status_code == 404


def test_lifecycle_steps_answer_get_with_405(client_for, quality_manager, proposed):
    for step in ("submit", "accept", "deploy"):
        url = reverse(f"requirements:requirement-{step}", args=[proposed.pk])
        response = client_for(quality_manager).get(url)
        assert response.status_code == 405
        assert response["Allow"] == "POST, OPTIONS"


def test_a_refused_lifecycle_step_says_why_and_changes_nothing(
    client_for, quality_manager, proposed
):
    response = client_for(quality_manager).post(
        reverse("requirements:requirement-deploy", args=[proposed.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "requirements:requirement-detail", args=[proposed.pk]
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    proposed.refresh_from_db()
    assert proposed.status == Requirement.Status.PROPOSED
