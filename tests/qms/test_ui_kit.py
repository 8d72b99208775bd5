"""The interface kit (qms.ui and qms.services_kit) on pages declared here for the test:
CSV columns and the formula guard, pagination, bad filters, a service's refusal shown on
the form with nothing saved, buttons that run a service, the form renderer's markup,
and model_update writing only what changed."""

import csv
import io

import pytest
from django import forms
from django.contrib.messages import constants, get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path
from pytest_django.asserts import assertInHTML

from qms import urls as project_urls
from qms.exceptions import ApplicationError
from qms.models import Department
from qms.services_kit import model_update
from qms.ui.columns import Column
from qms.ui.views import (
    FilteredListView,
    ServiceActionView,
    ServiceFormView,
    page_context,
)
from tests.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.qms.test_ui_kit")]


# --- Pages declared with the kit ---------------------------------------------------------


class DepartmentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False)
    level = forms.ChoiceField(
        label="Level", required=False, choices=[("", "Any"), ("top", "Top level")]
    )


class DepartmentListView(FilteredListView):
    template_name = "qms/kit/list_page.html"
    paginate_by = 2
    filter_form_class = DepartmentFilterForm
    csv_filename = "departments.csv"
    csv_columns = (
        Column("Code", "code"),
        Column("Name", "name"),
        Column("Parent", "parent.code"),
        Column("Label", lambda d: f"{d.code}: {d.name}"),
    )

    def get_filters(self, data):
        return {"search": data["q"], "top_only": data["level"] == "top"}

    def get_list(self, search="", top_only=False):
        qs = Department.objects.order_by("code")
        if search:
            qs = qs.filter(name__icontains=search)
        if top_only:
            qs = qs.filter(parent__isnull=True)
        return qs


class LenientDepartmentListView(DepartmentListView):
    lenient_pages = True


class StrictFilterDepartmentListView(DepartmentListView):
    def filters_invalid(self, form):
        raise Http404


class DepartmentForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120, help_text="What people call it.")
    code = forms.SlugField(label="Code", max_length=20)


def department_create_then_refuse(*, name, code):
    """A service that writes, then refuses: the write must not stay."""
    Department.objects.create(name=name, code=code)
    raise ApplicationError("The register is closed today.")


class DepartmentCreateView(ServiceFormView):
    template_name = "qms/kit/form_page.html"
    form_class = DepartmentForm
    success_message = "Department created."
    cancel_url = "/kit/departments/"

    def perform(self, form):
        data = form.cleaned_data
        if data["code"] == "refused":
            return department_create_then_refuse(**data)
        if data["code"] == "invalid":
            Department.objects.create(**data)
            raise ValidationError({"code": "This code is taken.", "budget": "No budget."})
        return Department.objects.create(**data)

    def get_success_url(self, department):
        return f"/kit/departments/{department.pk}/"


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField()


class DepartmentArchiveView(ServiceActionView):
    """A button: writes a department, or refuses after writing it."""

    form_class = ConfirmForm
    invalid_message = "Tick the confirmation."
    success_message = "Archived."

    def perform(self, form):
        Department.objects.create(name="Archive", code=self.kwargs["code"])
        if self.kwargs["code"] == "refused":
            raise ApplicationError("Nothing to archive.")
        if self.kwargs["code"] == "invalid":
            raise ValidationError(["First problem.", "Second problem."])
        return "done"

    def get_redirect_url(self):
        return "/kit/departments/"

    def get_success_url(self, result):
        return f"/kit/departments/?result={result}"


class DepartmentArchiveConfirmView(DepartmentArchiveView):
    template_name = "qms/kit/confirm_page.html"
    form_class = None
    success_level = constants.INFO


urlpatterns = [
    path("kit/departments/", DepartmentListView.as_view()),
    path("kit/lenient/", LenientDepartmentListView.as_view()),
    path("kit/strict/", StrictFilterDepartmentListView.as_view()),
    path("kit/new/", DepartmentCreateView.as_view()),
    path("kit/archive/<slug:code>/", DepartmentArchiveView.as_view()),
    path("kit/confirm/<slug:code>/", DepartmentArchiveConfirmView.as_view()),
    *project_urls.urlpatterns,  # the base template links to the portal's pages
]


def _messages(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


# --- CSV columns -----------------------------------------------------------------------


def _csv(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_is_written_from_the_declared_columns(client):
    parent = DepartmentFactory(code="ops", name="Operations")
    DepartmentFactory(code="fd", name="Front desk", parent=parent)
    response = client.get("/kit/departments/", {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="departments.csv"'
    assert _csv(response) == [
        ["Code", "Name", "Parent", "Label"],
        ["fd", "Front desk", "ops", "fd: Front desk"],
        ["ops", "Operations", "", "ops: Operations"],
    ]


def test_csv_quotes_text_a_spreadsheet_would_run_as_a_formula(client):
    DepartmentFactory(code="a", name='=HYPERLINK("http://evil.example","click")')
    DepartmentFactory(code="b", name="+cmd")
    DepartmentFactory(code="c", name="@SUM(A1)")
    DepartmentFactory(code="d", name="-12.5")  # a number stays a number
    rows = _csv(client.get("/kit/departments/", {"format": "csv"}))
    names = [row[1] for row in rows[1:]]
    assert names == ['\'=HYPERLINK("http://evil.example","click")', "'+cmd", "'@SUM(A1)", "-12.5"]
    assert rows[1][3] == 'a: =HYPERLINK("http://evil.example","click")'  # not at the start


def test_csv_has_every_filtered_row_not_one_page(client):
    for n in range(5):
        DepartmentFactory(code=f"d{n}", name=f"Kitchen {n}")
    DepartmentFactory(code="x", name="Laundry")
    rows = _csv(client.get("/kit/departments/", {"format": "csv", "q": "kitchen", "page": "2"}))
    assert [row[0] for row in rows[1:]] == ["d0", "d1", "d2", "d3", "d4"]


def test_column_accessor_calls_a_method_at_the_end_of_the_path():
    department = DepartmentFactory(code="fd", name="Front desk")
    assert Column("Text", "__str__").value(department) == "Front desk (fd)"
    assert Column("Parent name", "parent.name").value(department) is None


# --- Pagination ------------------------------------------------------------------------


@pytest.fixture
def five_departments():
    return [DepartmentFactory(code=f"d{n}", name=f"Department {n}") for n in range(5)]


def test_list_is_paginated(client, five_departments):
    first = client.get("/kit/departments/")
    assert first.status_code == 200
    assert [d.code for d in first.context["object_list"]] == ["d0", "d1"]
    assert first.context["is_paginated"] is True
    last = client.get("/kit/departments/", {"page": "3"})
    assert [d.code for d in last.context["object_list"]] == ["d4"]
    assert "Page 3 of 3" in last.content.decode()


def test_a_page_past_the_end_or_not_a_number_is_404(client, five_departments):
    assert client.get("/kit/departments/", {"page": "4"}).status_code == 404
    assert client.get("/kit/departments/", {"page": "abc"}).status_code == 404


def test_lenient_pages_show_the_last_or_first_page(client, five_departments):
    past_end = client.get("/kit/lenient/", {"page": "99"})
    assert past_end.status_code == 200
    assert past_end.context["page_obj"].number == 3
    not_a_number = client.get("/kit/lenient/", {"page": "abc"})
    assert not_a_number.context["page_obj"].number == 1


def test_page_context_pages_a_python_list(rf):
    context = page_context(rf.get("/", {"page": "7"}), list(range(5)), 2)
    assert context["page_obj"].number == 3
    assert list(context["page_obj"].object_list) == [4]
    assert context["is_paginated"] is True
    assert page_context(rf.get("/"), [1], 2)["is_paginated"] is False


def test_empty_list_shows_the_empty_block_not_the_pagination(client):
    response = client.get("/kit/departments/")
    assert response.status_code == 200
    assert not response.context["object_list"]
    assert 'aria-label="Pages"' not in response.content.decode()


# --- Filters ---------------------------------------------------------------------------


def test_filters_narrow_the_list(client):
    top = DepartmentFactory(code="top", name="Top")
    DepartmentFactory(code="sub", name="Sub", parent=top)
    response = client.get("/kit/departments/", {"level": "top"})
    assert [d.code for d in response.context["object_list"]] == ["top"]
    assert response.context["is_filtered"] is True
    assert response.context["filter_form"].cleaned_data["level"] == "top"


def test_a_bad_filter_value_shows_the_whole_list(client):
    top = DepartmentFactory(code="top", name="Top")
    DepartmentFactory(code="sub", name="Sub", parent=top)
    response = client.get("/kit/departments/", {"level": "bogus"})
    assert response.status_code == 200
    assert [d.code for d in response.context["object_list"]] == ["sub", "top"]
    assert response.context["is_filtered"] is False
    assert "level" in response.context["filter_form"].errors
    html = response.content.decode()
    # The ignored filter is marked for assistive technology, not drawn as an error.
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_level_error"' in html
    assert '<span class="visually-hidden" id="id_level_error">' in html
    assert "is-invalid" not in html


def test_a_page_can_answer_404_to_a_bad_filter(client):
    assert client.get("/kit/strict/", {"level": "bogus"}).status_code == 404
    assert client.get("/kit/strict/", {"level": "top"}).status_code == 200


def test_filter_form_renders_labels_and_keeps_the_values(client):
    html = client.get("/kit/departments/", {"q": "desk", "level": "top"}).content.decode()
    assert 'role="search"' in html
    assertInHTML('<label class="form-label small mb-0" for="id_q">Search</label>', html)
    assertInHTML('<input type="text" name="q" value="desk" class="form-control" id="id_q">', html)
    assertInHTML('<option value="top" selected>Top level</option>', html)


# --- Service form view -----------------------------------------------------------------


def test_valid_form_calls_the_service_and_redirects_with_a_message(client):
    response = client.post("/kit/new/", {"name": "Front desk", "code": "fd"})
    department = Department.objects.get(code="fd")
    assert response.status_code == 302
    assert response["Location"] == f"/kit/departments/{department.pk}/"
    assert _messages(response) == [(constants.SUCCESS, "Department created.")]


def test_service_refusal_is_shown_on_the_form_and_nothing_is_saved(client):
    response = client.post("/kit/new/", {"name": "Front desk", "code": "refused"})
    assert response.status_code == 200
    assert not Department.objects.exists()  # the service wrote, then refused: rolled back
    html = response.content.decode()
    assert '<div class="alert alert-danger" role="alert">' in html
    assert "The register is closed today." in html
    assert 'value="Front desk"' in html and 'value="refused"' in html  # nothing lost
    assert _messages(response) == []


def test_service_validation_error_lands_on_its_field(client):
    response = client.post("/kit/new/", {"name": "Front desk", "code": "invalid"})
    assert response.status_code == 200
    assert not Department.objects.exists()
    form = response.context["form"]
    assert form.errors["code"] == ["This code is taken."]
    assert form.non_field_errors() == ["No budget."]  # a field the form does not have
    html = response.content.decode()
    assert 'aria-describedby="id_code_errors"' in html
    assert 'id="id_code_errors"' in html


def test_invalid_form_does_not_call_the_service(client):
    response = client.post("/kit/new/", {"name": "", "code": "not a slug"})
    assert response.status_code == 200
    assert not Department.objects.exists()
    assert set(response.context["form"].errors) == {"name", "code"}


def test_form_page_shows_the_cancel_link(client):
    html = client.get("/kit/new/").content.decode()
    assert '<a class="btn btn-link" href="/kit/departments/">Cancel</a>' in html
    assert 'method="post"' in html and "novalidate" in html


# --- Service action view ---------------------------------------------------------------


def test_action_runs_the_service_and_redirects_with_a_message(client):
    response = client.post("/kit/archive/ok/", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/kit/departments/?result=done"
    assert _messages(response) == [(constants.SUCCESS, "Archived.")]
    assert Department.objects.filter(code="ok").exists()


def test_action_with_an_invalid_form_goes_back_without_calling_the_service(client):
    response = client.post("/kit/archive/ok/", {})
    assert response["Location"] == "/kit/departments/"
    assert _messages(response) == [(constants.ERROR, "Tick the confirmation.")]
    assert not Department.objects.exists()


def test_action_refused_by_the_service_shows_why_and_saves_nothing(client):
    response = client.post("/kit/archive/refused/", {"confirm": "on"})
    assert response["Location"] == "/kit/departments/"
    assert _messages(response) == [(constants.ERROR, "Nothing to archive.")]
    assert not Department.objects.exists()


def test_action_refused_with_a_validation_error_shows_each_message(client):
    response = client.post("/kit/archive/invalid/", {"confirm": "on"})
    assert _messages(response) == [
        (constants.ERROR, "First problem."),
        (constants.ERROR, "Second problem."),
    ]
    assert not Department.objects.exists()


def test_action_without_a_confirmation_page_refuses_get(client):
    response = client.get("/kit/archive/ok/")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert not Department.objects.exists()


def test_action_with_a_confirmation_page_asks_first(client):
    page = client.get("/kit/confirm/ok/")
    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "qms/kit/confirm_page.html"
    assert not Department.objects.exists()
    response = client.post("/kit/confirm/ok/")
    assert _messages(response) == [(constants.INFO, "Archived.")]
    assert Department.objects.filter(code="ok").exists()


# --- Form renderer ---------------------------------------------------------------------


def test_form_renders_the_portal_markup_with_accessible_help_and_errors():
    form = DepartmentForm(data={"name": "Front desk", "code": "not a slug"})
    html = str(form)
    assert '<label class="form-label" for="id_name">' in html
    assert '<span class="text-danger" aria-hidden="true">*</span>' in html
    # Help text: the widget points to it, and the element exists.
    assert 'aria-describedby="id_name_helptext"' in html
    assert '<div class="form-text" id="id_name_helptext">What people call it.</div>' in html
    # Error: the widget is marked invalid and points to its message.
    assert 'class="form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_code_errors"' in html
    assert '<div class="invalid-feedback d-block" id="id_code_errors">' in html


def test_form_non_field_errors_and_checkboxes():
    form = ConfirmForm(data={})
    form.add_error(None, "Something is wrong.")
    html = str(form)
    assert '<div class="alert alert-danger" role="alert">' in html
    assert '<p class="mb-0">Something is wrong.</p>' in html
    assert '<div class="mb-3 form-check">' in html
    assert 'class="form-check-input is-invalid"' in html
    assert '<label class="form-check-label" for="id_confirm">' in html


# --- model_update ----------------------------------------------------------------------


def _updates(queries):
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_model_update_saves_only_the_changed_fields():
    department = DepartmentFactory(code="fd", name="Front desk", description="Old")
    before = department.updated_at
    with CaptureQueriesContext(connection) as queries:
        department, changed = model_update(
            instance=department,
            fields=["name", "code", "description"],
            data={"name": "Reception", "code": "fd"},
        )
    assert changed is True
    [update] = _updates(queries)
    assert '"name"' in update and '"updated_at"' in update
    assert '"code"' not in update and '"description"' not in update
    stored = Department.objects.get(pk=department.pk)
    assert (stored.name, stored.code, stored.description) == ("Reception", "fd", "Old")
    assert stored.updated_at > before
    assert stored.history.first().name == "Reception"


def test_model_update_writes_nothing_when_nothing_changed():
    parent = DepartmentFactory(code="ops")
    department = DepartmentFactory(code="fd", name="Front desk", parent=parent)
    department = Department.objects.get(pk=department.pk)  # parent not loaded
    history = department.history.count()
    with CaptureQueriesContext(connection) as queries:
        department, changed = model_update(
            instance=department,
            fields=["name", "parent"],
            data={"name": "Front desk", "parent": parent},
        )
    assert changed is False
    assert _updates(queries) == []
    assert department.history.count() == history


def test_model_update_validates_before_saving():
    department = DepartmentFactory(code="fd", name="Front desk")
    with pytest.raises(ValidationError) as error:
        model_update(instance=department, fields=["code"], data={"code": "not a slug!"})
    assert "code" in error.value.message_dict
    assert Department.objects.get(pk=department.pk).code == "fd"


def test_model_update_refuses_a_field_it_was_not_allowed_to_change():
    department = DepartmentFactory(code="fd")
    with pytest.raises(ValueError, match="code"):
        model_update(instance=department, fields=["name"], data={"code": "x"})


def test_model_update_prepare_may_derive_fields_and_refuse():
    department = DepartmentFactory(code="fd", name="Front desk", description="")

    def describe(d):
        d.description = f"{d.name} ({d.code})"

    department, changed = model_update(
        instance=department,
        fields=["name", "description"],
        data={"name": "Reception"},
        prepare=describe,
    )
    assert changed is True
    assert Department.objects.get(pk=department.pk).description == "Reception (fd)"

    def refuse(d):
        raise ApplicationError("Not today.")

    with pytest.raises(ApplicationError):
        model_update(instance=department, fields=["name"], data={"name": "X"}, prepare=refuse)
    assert Department.objects.get(pk=department.pk).name == "Reception"
