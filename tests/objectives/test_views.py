"""Pages: the cascade, my objectives, detail, forms, alignment; scoping and query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from objectives.models import CheckIn, KeyResult, Objective
from requirements.models import Requirement
from tests.objectives.factories import (
    CheckInFactory,
    DepartmentObjectiveFactory,
    KeyResultFactory,
    ObjectiveFactory,
    RequirementFactory,
    this_year,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    client.get(url)  # warm the per-process caches (branding, settings) first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_cascade(front_desk, housekeeping, roots=1, children=1):
    for _ in range(roots):
        root = ObjectiveFactory(requirements=[RequirementFactory()])
        KeyResultFactory(objective=root, current_value=Decimal("50"))
        for i in range(children):
            child = DepartmentObjectiveFactory(
                parent=root, department=front_desk if i % 2 else housekeeping
            )
            KeyResultFactory(objective=child, current_value=Decimal("20"))
            KeyResultFactory(objective=child)


@pytest.fixture
def fd_objective(front_desk, front_desk_head):
    objective = DepartmentObjectiveFactory(
        department=front_desk, owner=front_desk_head, title="Checkout within 5 minutes"
    )
    KeyResultFactory(
        objective=objective,
        title="Waiting time",
        direction=KeyResult.Direction.DECREASE,
        baseline=Decimal("9"),
        target=Decimal("5"),
    )
    return objective


@pytest.fixture
def hk_objective(housekeeping, housekeeping_head):
    return DepartmentObjectiveFactory(
        department=housekeeping, owner=housekeeping_head, title="Rooms ready early"
    )


class TestCascade:
    def test_shows_organisation_objectives_with_department_objectives_beneath(
        self, client_for, quality_manager, fd_objective, hk_objective
    ):
        KeyResultFactory(objective=hk_objective, current_value=Decimal("40"))
        response = client_for(quality_manager).get(f"/objectives/?period={this_year()}")
        html = response.content.decode()
        assert "<details" in html and "<summary>" in html
        assert "Checkout within 5 minutes" in html
        assert "Rooms ready early" in html
        assert 'class="objective-progress"' in html and 'value="40.0"' in html
        assert "no data yet" in html  # the front desk has not checked in yet

    def test_filter_by_department(self, client_for, quality_manager, fd_objective, hk_objective):
        fd = fd_objective.department
        html = client_for(quality_manager).get(f"/objectives/?department={fd.pk}").content
        assert b"Checkout within 5 minutes" in html
        assert b"Rooms ready early" not in html

    def test_a_department_head_sees_only_their_department_beneath(
        self, client_for, front_desk_head, fd_objective, hk_objective
    ):
        html = client_for(front_desk_head).get("/objectives/").content
        assert b"Checkout within 5 minutes" in html
        assert b"Rooms ready early" not in html

    def test_a_person_without_scope_is_refused(self, client_for, outsider):
        assert client_for(outsider).get("/objectives/").status_code == 403

    def test_an_empty_period_says_what_to_do(self, client_for, quality_manager):
        html = client_for(quality_manager).get("/objectives/").content.decode()
        assert "Start from a customer requirement" in html

    def test_query_count_does_not_grow(self, client_for, quality_manager, front_desk, housekeeping):
        client = client_for(quality_manager)
        add_cascade(front_desk, housekeeping, roots=1, children=1)
        few = count_queries(client, "/objectives/")
        add_cascade(front_desk, housekeeping, roots=6, children=8)
        many = count_queries(client, "/objectives/")
        assert many == few


class TestMyObjectives:
    def test_lists_key_results_check_in_forms_and_the_customer_needs(
        self, client_for, front_desk_head, fd_objective
    ):
        need = fd_objective.parent.requirements.get()
        html = client_for(front_desk_head).get("/objectives/mine/").content.decode()
        assert "Checkout within 5 minutes" in html
        assert "Waiting time" in html
        assert need.title in html  # via the parent objective
        assert 'name="csrfmiddlewaretoken"' in html
        assert 'inputmode="decimal"' in html

    def test_staff_read_without_check_in_forms(self, client_for, front_desk_staff, fd_objective):
        html = client_for(front_desk_staff).get("/objectives/mine/").content.decode()
        assert "Checkout within 5 minutes" in html
        assert "checkin-form" not in html

    def test_nothing_to_show_says_what_to_do(self, client_for, front_desk_head):
        html = client_for(front_desk_head).get("/objectives/mine/").content.decode()
        assert "You have no active objective" in html

    def test_check_in_from_the_page(self, client_for, front_desk_head, fd_objective):
        kr = fd_objective.key_results.get()
        response = client_for(front_desk_head).post(
            f"/objectives/key-results/{kr.pk}/check-in/",
            {f"kr{kr.pk}-value": "7", f"kr{kr.pk}-confidence": "6", "next": "/objectives/mine/"},
            follow=True,
        )
        assert response.redirect_chain[-1][0] == "/objectives/mine/"
        assert "Check-in recorded" in response.content.decode()
        assert CheckIn.objects.get().value == Decimal("7")

    def test_a_wrong_value_says_what_is_wrong(self, client_for, front_desk_head, fd_objective):
        kr = fd_objective.key_results.get()
        response = client_for(front_desk_head).post(
            f"/objectives/key-results/{kr.pk}/check-in/", {f"kr{kr.pk}-value": "soon"}, follow=True
        )
        assert "was not saved" in response.content.decode()
        assert not CheckIn.objects.exists()

    def test_another_departments_key_result_is_not_found(
        self, client_for, housekeeping_head, fd_objective
    ):
        kr = fd_objective.key_results.get()
        response = client_for(housekeeping_head).post(
            f"/objectives/key-results/{kr.pk}/check-in/", {f"kr{kr.pk}-value": "7"}
        )
        assert response.status_code == 404

    def test_query_count_does_not_grow(self, client_for, front_desk, front_desk_head):
        client = client_for(front_desk_head)
        objective = DepartmentObjectiveFactory(department=front_desk)
        KeyResultFactory(objective=objective)
        few = count_queries(client, "/objectives/mine/")
        for _ in range(8):
            objective = DepartmentObjectiveFactory(department=front_desk)
            KeyResultFactory(objective=objective)
            KeyResultFactory(objective=objective)
        many = count_queries(client, "/objectives/mine/")
        assert many == few


class TestDetail:
    def test_shows_key_results_history_rollup_beside_and_links(
        self, client_for, quality_manager, fd_objective
    ):
        parent = fd_objective.parent
        KeyResultFactory(objective=parent, current_value=Decimal("100"))
        kr = fd_objective.key_results.get()
        CheckInFactory(key_result=kr, value=Decimal("7"), by=quality_manager)
        KeyResult.objects.filter(pk=kr.pk).update(current_value=Decimal("7"))
        response = client_for(quality_manager).get(f"/objectives/{parent.pk}/")
        context = response.context
        assert context["objective"].progress == 100  # its own key result only
        assert context["objective"].rollup == 50  # the department's 9 → 7 of 9 → 5
        assert f"/history/objective/{parent.pk}/" in response.content.decode()
        child_page = client_for(quality_manager).get(f"/objectives/{fd_objective.pk}/")
        assert b"checkin-history" in child_page.content
        assert f"/history/key-result/{kr.pk}/".encode() in child_page.content

    def test_flags_a_weaker_department_target(self, client_for, quality_manager, fake_metric):
        parent = ObjectiveFactory()
        KeyResultFactory(
            objective=parent,
            mode=KeyResult.Mode.COMPUTED,
            metric_key="fake_csat",
            metric_params={"segment": "retail"},
            baseline=Decimal("80"),
            target=Decimal("95"),
        )
        child = DepartmentObjectiveFactory(parent=parent)
        KeyResultFactory(
            objective=child,
            mode=KeyResult.Mode.COMPUTED,
            metric_key="fake_csat",
            metric_params={"segment": "retail"},
            baseline=Decimal("80"),
            target=Decimal("90"),
        )
        response = client_for(quality_manager).get(f"/objectives/{child.pk}/")
        assert b'data-testid="weaker-target"' in response.content
        assert len(response.context["weaker"]) == 1

    def test_another_departments_objective_is_not_found(
        self, client_for, front_desk_head, hk_objective
    ):
        client = client_for(front_desk_head)
        assert client.get(f"/objectives/{hk_objective.pk}/").status_code == 404
        assert client.get(f"/objectives/{hk_objective.pk}/edit/").status_code == 404
        assert client.get(f"/history/objective/{hk_objective.pk}/").status_code == 404

    def test_history_pages_work(self, client_for, quality_manager, fd_objective):
        client = client_for(quality_manager)
        kr = fd_objective.key_results.get()
        assert client.get(f"/history/objective/{fd_objective.pk}/").status_code == 200
        assert client.get(f"/history/key-result/{kr.pk}/").status_code == 200

    def test_staff_read_their_department_but_cannot_edit(
        self, client_for, front_desk_staff, fd_objective
    ):
        client = client_for(front_desk_staff)
        assert client.get(f"/objectives/{fd_objective.pk}/").status_code == 200
        assert client.get(f"/objectives/{fd_objective.pk}/edit/").status_code == 403


class TestForms:
    def test_quality_manager_creates_an_organisation_objective(self, client_for, quality_manager):
        need = RequirementFactory(title="Friendly service")
        response = client_for(quality_manager).post(
            "/objectives/new/?level=organisation",
            {
                "level": "organisation",
                "title": "Satisfaction to 95%",
                "period_label": this_year(),
                "requirements": [need.pk],
                "owner": quality_manager.pk,
                "weight": 1,
                "checkin_interval": "monthly",
            },
        )
        objective = Objective.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/objectives/{objective.pk}/key-results/new/"

    def test_an_organisation_objective_without_requirement_says_why(
        self, client_for, quality_manager
    ):
        RequirementFactory()
        response = client_for(quality_manager).post(
            "/objectives/new/?level=organisation",
            {
                "level": "organisation",
                "title": "Profit +10%",
                "period_label": this_year(),
                "owner": quality_manager.pk,
                "weight": 1,
                "checkin_interval": "monthly",
            },
        )
        assert response.status_code == 200
        assert "Name at least one customer requirement" in str(
            response.context["form"].errors["requirements"]
        )
        assert not Objective.objects.exists()

    def test_department_head_creates_for_own_department_only(
        self, client_for, front_desk, front_desk_head, housekeeping
    ):
        parent = ObjectiveFactory()
        client = client_for(front_desk_head)
        assert client.get("/objectives/new/?level=organisation").status_code == 403
        form = client.get(f"/objectives/new/?level=department&parent={parent.pk}").context["form"]
        assert list(form.fields["department"].queryset) == [front_desk]
        response = client.post(
            "/objectives/new/",
            {
                "level": "department",
                "title": "Checkout within 5 minutes",
                "period_label": parent.period_label,
                "department": front_desk.pk,
                "parent": parent.pk,
                "owner": front_desk_head.pk,
                "weight": 1,
                "checkin_interval": "weekly",
            },
        )
        assert response.status_code == 302
        assert Objective.objects.get(department=front_desk).owner == front_desk_head

    def test_add_a_computed_key_result_with_a_bad_parameter(
        self, client_for, quality_manager, fake_metric
    ):
        objective = ObjectiveFactory()
        response = client_for(quality_manager).post(
            f"/objectives/{objective.pk}/key-results/new/",
            {
                "title": "CSAT",
                "mode": "computed",
                "metric_key": "fake_csat",
                # Parameters are picked from lists: one the metric does not take.
                "param_per": "orders",
                "direction": "increase",
                "baseline": "80",
                "target": "95",
                "weight": 1,
            },
        )
        assert response.status_code == 200
        assert "does not count by Counted per" in response.content.decode()

    def test_a_computed_key_result_picks_its_parameters_from_lists(
        self, client_for, quality_manager, fake_metric
    ):
        from tests.customers.factories import SegmentFactory

        SegmentFactory(code="retail", name="Retail shoppers")
        objective = ObjectiveFactory()
        client = client_for(quality_manager)
        page = client.get(f"/objectives/{objective.pk}/key-results/new/")
        assert "JSON" not in page.content.decode()
        assert ("retail", "Retail shoppers") in page.context["form"].fields["param_segment"].choices
        response = client.post(
            f"/objectives/{objective.pk}/key-results/new/",
            {
                "title": "CSAT of retail shoppers",
                "mode": "computed",
                "metric_key": "fake_csat",
                "param_segment": "retail",
                "direction": "increase",
                "baseline": "80",
                "target": "95",
                "weight": 1,
            },
        )
        assert response.status_code == 302
        kr = objective.key_results.get(title="CSAT of retail shoppers")
        assert kr.metric_params == {"segment": "retail"}
        assert kr.metric_words == "Fake CSAT, Retail shoppers"

    def test_edit_a_key_result(self, client_for, front_desk_head, fd_objective):
        kr = fd_objective.key_results.get()
        response = client_for(front_desk_head).post(
            f"/objectives/key-results/{kr.pk}/edit/",
            {
                "title": "Waiting time at peak",
                "mode": "manual",
                "direction": "decrease",
                "baseline": "9",
                "target": "4",
                "weight": 2,
            },
        )
        assert response.status_code == 302
        kr.refresh_from_db()
        assert (kr.title, kr.target, kr.weight) == ("Waiting time at peak", Decimal("4"), 2)
        assert kr.history.count() == 2

    def test_forms_need_a_csrf_token(self, quality_manager, fd_objective):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(quality_manager, backend="django.contrib.auth.backends.ModelBackend")
        kr = fd_objective.key_results.get()
        response = client.post(
            f"/objectives/key-results/{kr.pk}/check-in/", {f"kr{kr.pk}-value": "7"}
        )
        assert response.status_code == 403


class TestAlignment:
    def test_highlights_unserved_needs_and_retired_links(self, client_for, viewer):
        served = RequirementFactory(title="Fast checkout")
        RequirementFactory(title="Eco-friendly packaging")  # accepted, served by nothing
        retired = RequirementFactory(title="Fax orders", status=Requirement.Status.RETIRED)
        ObjectiveFactory(title="Satisfaction 95%", requirements=[served])
        ObjectiveFactory(title="Old habit", requirements=[retired])
        response = client_for(viewer).get("/objectives/alignment/")
        alignment = response.context["alignment"]
        assert [r.title for r in alignment.unserved] == ["Eco-friendly packaging"]
        assert [(o.title, [r.title for r in rs]) for o, rs in alignment.retired_links] == [
            ("Old habit", ["Fax orders"])
        ]
        assert b'data-testid="matrix"' in response.content

    def test_department_heads_cannot_open_it(self, client_for, front_desk_head):
        assert client_for(front_desk_head).get("/objectives/alignment/").status_code == 403


def test_navigation_by_role(client_for, quality_manager, front_desk_head, outsider):
    from qms.navigation import nav_registry

    keys = {key for _label, _url, key in nav_registry.for_user(quality_manager)}
    assert {"objectives", "alignment"} <= keys
    head_keys = {key for _label, _url, key in nav_registry.for_user(front_desk_head)}
    assert {"objectives", "my-objectives"} <= head_keys
    assert "alignment" not in head_keys
    outsider_keys = {key for _label, _url, key in nav_registry.for_user(outsider)}
    assert not outsider_keys & {"objectives", "my-objectives", "alignment"}


def test_alignment_query_count_does_not_grow(client_for, viewer):
    client = client_for(viewer)
    ObjectiveFactory(requirements=[RequirementFactory()])
    few = count_queries(client, "/objectives/alignment/")
    for _ in range(6):
        ObjectiveFactory(requirements=[RequirementFactory(), RequirementFactory()])
        RequirementFactory(status=Requirement.Status.DEPLOYED)
    assert count_queries(client, "/objectives/alignment/") == few


def test_review_query_count_does_not_grow(client_for, quality_manager, front_desk, housekeeping):
    client = client_for(quality_manager)
    add_cascade(front_desk, housekeeping, roots=1, children=1)
    few = count_queries(client, "/objectives/review/")
    add_cascade(front_desk, housekeeping, roots=4, children=5)
    assert count_queries(client, "/objectives/review/") == few
