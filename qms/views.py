"""Pages of the organisation core. Views validate with forms and call services; the
rules live in services and selectors."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from . import history, selectors, services
from .csv_export import csv_response
from .exceptions import ApplicationError
from .forms import (
    DepartmentFilterForm,
    DepartmentForm,
    MembershipForm,
    PeriodForm,
    PersonCreateForm,
    PersonFilterForm,
    PersonForm,
)
from .models import Membership, Message, User
from .permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from .registry import Period, registry


class ServiceFormMixin:
    """Run a service from `form_valid`; an ApplicationError becomes a form error, so the
    user sees what is wrong and loses nothing they typed."""

    def run_service(self, form, call):
        try:
            return call()
        except ApplicationError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        return None


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "qms/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        headed = selectors.headed_department_ids(user)
        departments = selectors.department_list(user=user).filter(
            id__in=selectors.department_ids_for_user(user)
        )
        context.update(
            my_departments=departments,
            headed_ids=headed,
            is_head=bool(headed),
        )
        if user.can_view_all:
            context["department_count"] = selectors.department_list(user=user).count()
            context["person_count"] = User.objects.filter(is_active=True).count()
        if user.is_quality_manager:
            context["pending_messages"] = Message.objects.filter(
                status=Message.Status.PENDING
            ).count()
            context["failed_messages"] = Message.objects.filter(
                status=Message.Status.FAILED
            ).count()
        return context


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
        department = selectors.department_get_for_user(user=self.request.user, pk=kwargs["pk"])
        context.update(
            department=department,
            staff=selectors.department_staff(department=department),
            children=selectors.department_children(department=department),
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


# --- Audit trail, metrics, messages ----------------------------------------------------


class HistoryView(LoginRequiredMixin, TemplateView):
    """Who changed what, and when, for any record registered in `qms.history`."""

    template_name = "qms/history.html"
    page_size = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = history.entry_for(kwargs["model"])
        obj = entry.get_for_user(self.request.user, kwargs["pk"])
        records_qs = obj.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        paginator = Paginator(records_qs, self.page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        start = (page.number - 1) * self.page_size
        # One record more than the page, to show what the oldest revision changed.
        records = list(records_qs[start : start + self.page_size + 1])
        revisions = history.revisions(records)[: self.page_size]
        context.update(
            object=obj,
            back_url=entry.back_url(obj),
            revisions=revisions,
            page_obj=page,
            is_paginated=paginator.num_pages > 1,
        )
        return context


class MetricListView(ViewAllRequiredMixin, TemplateView):
    template_name = "qms/metric_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PeriodForm(self.request.GET or None)
        period = Period.current_quarter()
        if form.is_valid() and form.cleaned_data["period"]:
            try:
                period = Period.parse(form.cleaned_data["period"])
            except ApplicationError as exc:
                form.add_error("period", str(exc))
        rows = []
        for metric in registry.all():
            rows.append((metric, registry.compute(metric.key, period=period)))
        context.update(form=form, period=period, rows=rows)
        return context


class MessageListView(QualityManagerRequiredMixin, ListView):
    template_name = "qms/message_list.html"
    context_object_name = "message_log"
    paginate_by = 50

    def get_queryset(self):
        status = self.request.GET.get("status", "")
        if status and status not in Message.Status.values:
            raise Http404
        self.status = status
        return selectors.message_list(status=status)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            status=self.status, statuses=Message.Status.choices, **kwargs
        )
