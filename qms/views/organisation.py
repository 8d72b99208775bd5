"""The organisation: departments, their members, and people."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from .. import selectors, services
from ..csv_export import csv_response
from ..exceptions import ApplicationError
from ..forms import (
    DepartmentFilterForm,
    DepartmentForm,
    MembershipForm,
    PersonCreateForm,
    PersonFilterForm,
    PersonForm,
)
from ..models import Membership, User
from ..permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from .base import ServiceFormMixin

# --- Departments -----------------------------------------------------------------------


class DepartmentListView(LoginRequiredMixin, ListView):
    template_name = "qms/department_list.html"
    context_object_name = "departments"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = DepartmentFilterForm(self.request.GET or None)
        search = ""
        if self.filter_form.is_valid():
            search = self.filter_form.cleaned_data["q"]
        return selectors.department_list(user=self.request.user, search=search)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            rows = (
                (d.code, d.name, d.parent.code if d.parent else "", d.head or "", d.staff_count)
                for d in self.get_queryset().iterator(chunk_size=500)
            )
            return csv_response(
                "departments.csv",
                [_("Code"), _("Name"), _("Parent"), _("Head"), _("Staff")],
                rows,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class DepartmentDetailView(LoginRequiredMixin, TemplateView):
    template_name = "qms/department_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        department = selectors.department_get_for_user(user=user, pk=kwargs["pk"])
        in_scope = selectors.department_ids_for_user(user)
        context.update(
            department=department,
            # The parent and sub-departments are named to everyone, linked only for those
            # who may open them (a link to a "not found" page helps nobody).
            parent_linked=bool(department.parent_id)
            and (user.can_view_all or department.parent_id in in_scope),
            children=[
                (child, user.can_view_all or child.pk in in_scope)
                for child in selectors.department_children(department=department)
            ],
            staff=selectors.department_staff(department=department),
            membership_form=MembershipForm(department=department)
            if self.request.user.is_quality_manager
            else None,
        )
        return context


class DepartmentCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/department_form.html"
    form_class = DepartmentForm

    def form_valid(self, form):
        department = self.run_service(form, lambda: services.department_create(**form.cleaned_data))
        if department is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Department %s created.") % department)
        return redirect("qms:department-detail", pk=department.pk)


class DepartmentUpdateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/department_form.html"
    form_class = DepartmentForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.department = selectors.department_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form validates a copy; the service applies the change to a fresh instance.
        kwargs["instance"] = selectors.department_get_for_user(
            user=self.request.user, pk=self.department.pk
        )
        return kwargs

    def form_valid(self, form):
        department = self.run_service(
            form,
            lambda: services.department_update(department=self.department, **form.cleaned_data),
        )
        if department is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Department %s saved.") % department)
        return redirect("qms:department-detail", pk=department.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(department=self.department, **kwargs)


class DepartmentDeleteView(QualityManagerRequiredMixin, TemplateView):
    template_name = "qms/department_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.department = selectors.department_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(department=self.department, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            services.department_delete(department=self.department)
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("qms:department-detail", pk=self.department.pk)
        messages.success(request, _("Department %s deleted.") % self.department)
        return redirect("qms:department-list")


class MembershipCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    form_class = MembershipForm
    template_name = "qms/membership_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.department = selectors.department_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "department": self.department}

    def get_context_data(self, **kwargs):
        return super().get_context_data(department=self.department, **kwargs)

    def form_valid(self, form):
        person = form.cleaned_data["user"]
        membership = self.run_service(
            form, lambda: services.membership_add(department=self.department, user=person)
        )
        if membership is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(person)s added to %(department)s.")
            % {"person": person, "department": self.department.name},
        )
        return redirect("qms:department-detail", pk=self.department.pk)


class MembershipDeleteView(QualityManagerRequiredMixin, TemplateView):
    template_name = "qms/membership_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.membership = get_object_or_404(
                Membership.objects.select_related("user", "department"),
                pk=kwargs["membership_pk"],
                department_id=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(membership=self.membership, **kwargs)

    def post(self, request, *args, **kwargs):
        department = self.membership.department
        services.membership_remove(membership=self.membership)
        messages.success(
            request,
            _("%(person)s removed from %(department)s.")
            % {"person": self.membership.user, "department": department.name},
        )
        return redirect("qms:department-detail", pk=department.pk)


# --- People ----------------------------------------------------------------------------


class PersonListView(ViewAllRequiredMixin, ListView):
    template_name = "qms/person_list.html"
    context_object_name = "people"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = PersonFilterForm(self.request.GET or None)
        search, role = "", ""
        if self.filter_form.is_valid():
            search = self.filter_form.cleaned_data["q"]
            role = self.filter_form.cleaned_data["role"]
        return selectors.person_list(user=self.request.user, search=search, role=role)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            rows = (
                (p.username, p.get_full_name(), p.email, p.get_role_display(), p.is_active)
                for p in self.get_queryset().iterator(chunk_size=500)
            )
            return csv_response(
                "people.csv",
                [_("Username"), _("Name"), _("E-mail"), _("Role"), _("Active")],
                rows,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class PersonDetailView(LoginRequiredMixin, TemplateView):
    template_name = "qms/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = selectors.person_get_for_user(user=self.request.user, pk=kwargs["pk"])
        context.update(
            person=person,
            headed=person.headed_departments.order_by("name"),
            memberships=person.memberships.select_related("department").order_by(
                "department__name"
            ),
        )
        return context


class PersonCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/person_form.html"
    form_class = PersonCreateForm

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        person = self.run_service(form, lambda: services.person_create(**data))
        if person is None:
            return self.form_invalid(form)
        messages.success(self.request, _("%s can now sign in.") % person)
        return redirect("qms:person-detail", pk=person.pk)


class PersonUpdateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/person_form.html"
    form_class = PersonForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.person = selectors.person_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = User.objects.get(pk=self.person.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def form_valid(self, form):
        person = self.run_service(
            form,
            lambda: services.person_update(
                person=self.person, actor=self.request.user, **form.cleaned_data
            ),
        )
        if person is None:
            return self.form_invalid(form)
        messages.success(self.request, _("%s saved.") % person)
        return redirect("qms:person-detail", pk=person.pk)
