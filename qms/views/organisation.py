"""The organisation: departments, their members, and people."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from qms.ui.columns import Column
from qms.ui.views import FilteredListView, ServiceActionView, ServiceFormView

from .. import selectors, services
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

# --- Departments -----------------------------------------------------------------------


class DepartmentListView(LoginRequiredMixin, FilteredListView):
    template_name = "qms/department_list.html"
    context_object_name = "departments"
    paginate_by = 25
    filter_form_class = DepartmentFilterForm
    csv_filename = "departments.csv"
    csv_columns = (
        Column(gettext_lazy("Code"), "code"),
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Parent"), "parent.code"),
        Column(gettext_lazy("Head"), "head"),
        Column(gettext_lazy("Staff"), "staff_count"),
    )

    def get_filters(self, data):
        return {"search": data["q"]}

    def get_list(self, search=""):
        return selectors.department_list(user=self.request.user, search=search)


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


class DepartmentCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "qms/department_form.html"
    form_class = DepartmentForm

    def perform(self, form):
        return services.department_create(**form.cleaned_data)

    def get_success_message(self, department):
        return _("Department %s created.") % department

    def get_success_url(self, department):
        return reverse("qms:department-detail", args=[department.pk])

    def get_cancel_url(self):
        return reverse("qms:department-list")


class DepartmentMixin:
    """A department the user may see (404 otherwise), loaded once signed in."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.department = selectors.department_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(department=self.department, **kwargs)


class DepartmentUpdateView(DepartmentMixin, QualityManagerRequiredMixin, ServiceFormView):
    template_name = "qms/department_form.html"
    form_class = DepartmentForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form validates a copy; the service applies the change to a fresh instance.
        kwargs["instance"] = selectors.department_get_for_user(
            user=self.request.user, pk=self.department.pk
        )
        return kwargs

    def perform(self, form):
        return services.department_update(department=self.department, **form.cleaned_data)

    def get_success_message(self, department):
        return _("Department %s saved.") % department

    def get_success_url(self, department):
        return reverse("qms:department-detail", args=[department.pk])

    def get_cancel_url(self):
        return reverse("qms:department-detail", args=[self.department.pk])


class DepartmentDeleteView(DepartmentMixin, QualityManagerRequiredMixin, ServiceActionView):
    template_name = "qms/department_confirm_delete.html"

    def perform(self, form):
        services.department_delete(department=self.department)

    def get_success_message(self, result):
        return _("Department %s deleted.") % self.department

    def get_success_url(self, result):
        return reverse("qms:department-list")

    def get_redirect_url(self):
        return reverse("qms:department-detail", args=[self.department.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=self.get_redirect_url(), **kwargs)


class MembershipCreateView(DepartmentMixin, QualityManagerRequiredMixin, ServiceFormView):
    form_class = MembershipForm
    template_name = "qms/membership_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "department": self.department}

    def perform(self, form):
        return services.membership_add(department=self.department, user=form.cleaned_data["user"])

    def get_success_message(self, membership):
        return _("%(person)s added to %(department)s.") % {
            "person": membership.user,
            "department": self.department.name,
        }

    def get_success_url(self, membership):
        return reverse("qms:department-detail", args=[self.department.pk])

    def get_cancel_url(self):
        return reverse("qms:department-detail", args=[self.department.pk])


class MembershipDeleteView(QualityManagerRequiredMixin, ServiceActionView):
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
        return super().get_context_data(
            membership=self.membership, cancel_url=self.get_redirect_url(), **kwargs
        )

    def perform(self, form):
        services.membership_remove(membership=self.membership)

    def get_success_message(self, result):
        return _("%(person)s removed from %(department)s.") % {
            "person": self.membership.user,
            "department": self.membership.department.name,
        }

    def get_redirect_url(self):
        return reverse("qms:department-detail", args=[self.membership.department_id])


# --- People ----------------------------------------------------------------------------


class PersonListView(ViewAllRequiredMixin, FilteredListView):
    template_name = "qms/person_list.html"
    context_object_name = "people"
    paginate_by = 25
    filter_form_class = PersonFilterForm
    csv_filename = "people.csv"
    csv_columns = (
        Column(gettext_lazy("Username"), "username"),
        Column(gettext_lazy("Name"), "get_full_name"),
        Column(gettext_lazy("E-mail"), "email"),
        Column(gettext_lazy("Role"), "get_role_display"),
        Column(gettext_lazy("Active"), "is_active"),
    )

    def get_filters(self, data):
        return {"search": data["q"], "role": data["role"]}

    def get_list(self, search="", role=""):
        return selectors.person_list(user=self.request.user, search=search, role=role)


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


class PersonCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "qms/person_form.html"
    form_class = PersonCreateForm

    def perform(self, form):
        return services.person_create(**form.cleaned_data)

    def get_success_message(self, person):
        return _("%s can now sign in.") % person

    def get_success_url(self, person):
        return reverse("qms:person-detail", args=[person.pk])

    def get_cancel_url(self):
        return reverse("qms:person-list")


class PersonUpdateView(QualityManagerRequiredMixin, ServiceFormView):
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

    def perform(self, form):
        return services.person_update(
            person=self.person, actor=self.request.user, **form.cleaned_data
        )

    def get_success_message(self, person):
        return _("%s saved.") % person

    def get_success_url(self, person):
        return reverse("qms:person-detail", args=[person.pk])

    def get_cancel_url(self):
        return reverse("qms:person-list")
