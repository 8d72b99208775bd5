"""Pages of the organisation core. Views validate with forms and call services; the
rules live in services and selectors."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from . import dashboard, history, selectors, services
from .csv_export import csv_response
from .exceptions import ApplicationError
from .forms import (
    ConflictDecisionForm,
    ConflictForm,
    DashboardFilterForm,
    DecisionCloseForm,
    DecisionForm,
    DepartmentFilterForm,
    DepartmentForm,
    ImpactApprovalForm,
    ImpactForm,
    MembershipForm,
    PartyFilterForm,
    PartyForm,
    PeriodForm,
    PersonCreateForm,
    PersonFilterForm,
    PersonForm,
    ReviewForm,
    ReviewNotesForm,
)
from .models import (
    Department,
    ImpactAssessment,
    ManagementReview,
    Membership,
    Message,
    PartyConflict,
    User,
)
from .permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from .redirects import safe_next_url
from .registry import Period, registry
from .review import compile_inputs


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
    """A home page per role. Quality managers and viewers get the quality dashboard (every
    tile from the metrics registry, with period and segment filters); everyone gets the
    panels the apps contribute for them (their objectives, needs, actions, ...)."""

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
            panels=dashboard.panel_registry.for_user(user),
        )
        if user.can_view_all:
            context.update(self.dashboard_context())
        if user.is_quality_manager:
            context["pending_messages"] = Message.objects.filter(
                status=Message.Status.PENDING
            ).count()
            context["failed_messages"] = Message.objects.filter(
                status=Message.Status.FAILED
            ).count()
        return context

    def dashboard_context(self):
        segments = dashboard.dimensions.choices("segment")
        form = DashboardFilterForm(self.request.GET or None, segments=segments)
        label = str(timezone.localdate().year)
        period = Period.parse(label)
        segment = ""
        if form.is_valid():
            segment = form.cleaned_data["segment"]
            if form.cleaned_data["period"]:
                try:
                    period = Period.parse(form.cleaned_data["period"])
                    label = form.cleaned_data["period"]
                except ApplicationError as exc:
                    form.add_error("period", str(exc))
        tiles = dashboard.tiles_for(period=period, segment=segment)
        trends = {t.tile.key: t.trend for t in tiles if t.trend}
        return {
            "dashboard_form": form,
            "period": period,
            "period_label": label,
            "tiles": tiles,
            "trends": trends,
            "department_count": Department.objects.count(),
            "person_count": User.objects.filter(is_active=True).count(),
        }


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


# --- Interested parties and balance ----------------------------------------------------


class PartyListView(LoginRequiredMixin, ListView):
    template_name = "qms/party_list.html"
    context_object_name = "parties"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = PartyFilterForm(self.request.GET or None)
        search, category = "", ""
        if self.filter_form.is_valid():
            search = self.filter_form.cleaned_data["q"]
            category = self.filter_form.cleaned_data["category"]
        return selectors.party_list(search=search, category=category)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            rows = (
                (
                    p.name,
                    p.get_category_display(),
                    p.needs,
                    p.influence,
                    p.interest,
                    p.quadrant,
                    p.review_date,
                    p.owner or "",
                )
                for p in self.get_queryset().iterator(chunk_size=500)
            )
            header = [
                _("Name"),
                _("Category"),
                _("Needs and expectations"),
                _("Influence"),
                _("Interest"),
                _("Approach"),
                _("Next review"),
                _("Owner"),
            ]
            return csv_response("interested-parties.csv", header, rows)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, today=timezone.localdate(), **kwargs
        )


class PartyGridView(LoginRequiredMixin, TemplateView):
    """The power/interest grid, drawn with Chart.js; the table beside it is the same data
    for people who do not see the chart."""

    template_name = "qms/party_grid.html"

    def get_context_data(self, **kwargs):
        parties = list(selectors.party_list())
        points = [
            {
                "name": p.name,
                "x": p.interest,
                "y": p.influence,
                "url": reverse("qms:party-detail", args=[p.pk]),
            }
            for p in parties
        ]
        return super().get_context_data(parties=parties, points=points, **kwargs)


class PartyDetailView(LoginRequiredMixin, TemplateView):
    template_name = "qms/party_detail.html"

    def get_context_data(self, **kwargs):
        party = selectors.party_get(pk=kwargs["pk"])
        return super().get_context_data(
            party=party,
            impacts=selectors.party_impacts(party=party),
            conflicts=party.conflicts.order_by("status", "-created_at"),
            **kwargs,
        )


class PartyCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/party_form.html"
    form_class = PartyForm

    def form_valid(self, form):
        party = self.run_service(form, lambda: services.party_create(**form.cleaned_data))
        if party is None:
            return self.form_invalid(form)
        messages.success(self.request, _("%s added to the register.") % party)
        return redirect("qms:party-detail", pk=party.pk)


class PartyUpdateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/party_form.html"
    form_class = PartyForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.party = selectors.party_get(pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": selectors.party_get(pk=self.party.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(party=self.party, **kwargs)

    def form_valid(self, form):
        party = self.run_service(
            form, lambda: services.party_update(party=self.party, **form.cleaned_data)
        )
        if party is None:
            return self.form_invalid(form)
        messages.success(self.request, _("%s saved.") % party)
        return redirect("qms:party-detail", pk=party.pk)


class ConflictListView(LoginRequiredMixin, ListView):
    template_name = "qms/conflict_list.html"
    context_object_name = "conflicts"
    paginate_by = 25

    def get_queryset(self):
        self.status = self.request.GET.get("status", "")
        if self.status not in ("", *PartyConflict.Status.values):
            raise Http404
        return selectors.conflict_list(status=self.status)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            status=self.status, statuses=PartyConflict.Status.choices, **kwargs
        )


class ConflictDetailView(LoginRequiredMixin, TemplateView):
    template_name = "qms/conflict_detail.html"

    def get_context_data(self, **kwargs):
        conflict = selectors.conflict_get(pk=kwargs["pk"])
        form = None
        if self.request.user.is_quality_manager and conflict.status == PartyConflict.Status.OPEN:
            form = ConflictDecisionForm()
        return super().get_context_data(conflict=conflict, decision_form=form, **kwargs)


class ConflictCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/conflict_form.html"
    form_class = ConflictForm

    def form_valid(self, form):
        data = form.cleaned_data
        conflict = self.run_service(
            form,
            lambda: services.conflict_create(
                title=data["title"], description=data["description"], parties=list(data["parties"])
            ),
        )
        if conflict is None:
            return self.form_invalid(form)
        messages.success(
            self.request, _("Conflict recorded. Record the decision when it is taken.")
        )
        return redirect("qms:conflict-detail", pk=conflict.pk)


class ConflictDecideView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/conflict_detail.html"
    form_class = ConflictDecisionForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.conflict = selectors.conflict_get(pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(conflict=self.conflict, **kwargs)
        context["decision_form"] = context.pop("form")
        return context

    def form_valid(self, form):
        conflict = self.run_service(
            form,
            lambda: services.conflict_decide(
                conflict=self.conflict, actor=self.request.user, **form.cleaned_data
            ),
        )
        if conflict is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Decision recorded."))
        return redirect("qms:conflict-detail", pk=conflict.pk)


class ImpactListView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """A plan's expected impact on every interested party (objectives, corrective-action
    plans, ...: any record registered in `qms.history`)."""

    template_name = "qms/impact_list.html"
    form_class = ImpactForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.entry = history.entry_for(kwargs["model"])
        self.target = self.entry.get_for_user(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.is_quality_manager:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        impacts = list(selectors.impacts_for(target=self.target))
        return super().get_context_data(
            target=self.target,
            back_url=self.entry.back_url(self.target),
            impacts=impacts,
            blocking=[a for a in impacts if a.is_blocking],
            approval_form=ImpactApprovalForm(),
            **kwargs,
        )

    def form_valid(self, form):
        assessment = self.run_service(
            form, lambda: services.impact_record(target=self.target, **form.cleaned_data)
        )
        if assessment is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Impact on %s recorded.") % assessment.party)
        return redirect(self.request.path)


class ImpactApproveView(QualityManagerRequiredMixin, FormView):
    form_class = ImpactApprovalForm

    def post(self, request, *args, **kwargs):
        assessment = get_object_or_404(ImpactAssessment, pk=kwargs["pk"])
        form = self.get_form()
        next_url = safe_next_url(request, reverse("qms:party-detail", args=[assessment.party_id]))
        if not form.is_valid():
            messages.error(request, _("Write why the negative impact is accepted."))
            return redirect(next_url)
        try:
            services.impact_approve(
                assessment=assessment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Negative impact on %s approved.") % assessment.party)
        return redirect(next_url)

    def get(self, request, *args, **kwargs):
        raise Http404


# --- Management review -----------------------------------------------------------------


class ReviewListView(ViewAllRequiredMixin, ListView):
    template_name = "qms/review_list.html"
    context_object_name = "reviews"
    paginate_by = 25

    def get_queryset(self):
        return selectors.review_list()


class ReviewCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/review_form.html"
    form_class = ReviewForm

    def get_initial(self):
        today = timezone.localdate()
        return {
            "title": _("Management review %(year)s") % {"year": today.year},
            "period_label": str(today.year),
            "meeting_date": today,
        }

    def form_valid(self, form):
        review = self.run_service(
            form,
            lambda: services.review_create(chair=self.request.user, **form.cleaned_data),
        )
        if review is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Review planned. Its inputs are compiled below."))
        return redirect("qms:review-detail", pk=review.pk)


class ReviewDetailMixin:
    def review_context(self, review):
        inputs = review.inputs_snapshot or compile_inputs(review=review)
        return {
            "review": review,
            "inputs": inputs,
            "decisions": selectors.review_decisions(review=review),
        }


class ReviewDetailView(ViewAllRequiredMixin, ReviewDetailMixin, TemplateView):
    """The review pack: inputs compiled by the portal (live until the review is held,
    then frozen), the outputs recorded as decisions, and open decisions from before."""

    template_name = "qms/review_detail.html"

    def get_context_data(self, **kwargs):
        review = selectors.review_get(pk=kwargs["pk"])
        context = super().get_context_data(**kwargs)
        context.update(self.review_context(review))
        if self.request.user.is_quality_manager:
            context["decision_form"] = DecisionForm()
            if review.status == ManagementReview.Status.PLANNED:
                context["notes_form"] = ReviewNotesForm(instance=review)
        return context


# TrueType fonts with Chinese glyphs, where Debian's packages put them
# (fonts-wqy-microhei, fonts-wqy-zenhei, fonts-droid-fallback).
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def pdf_font_path() -> str:
    """The font for PDF text: QMS_PDF_FONT if set, else the first CJK font found, else ""
    (Helvetica, which has no Chinese glyphs)."""
    import os

    configured = getattr(settings, "QMS_PDF_FONT", "")
    if configured:
        return configured if os.path.isfile(configured) else ""
    return next((path for path in CJK_FONT_CANDIDATES if os.path.isfile(path)), "")


class ReviewPdfView(ViewAllRequiredMixin, ReviewDetailMixin, TemplateView):
    """The same pack as a PDF file (xhtml2pdf renders a print template)."""

    template_name = "qms/review_pdf.html"

    def get(self, request, *args, **kwargs):
        from io import BytesIO

        from django.http import HttpResponse
        from django.template.loader import render_to_string
        from xhtml2pdf import pisa
        from xhtml2pdf.config.resources import ResourceAccessPolicy

        review = selectors.review_get(pk=kwargs["pk"])
        context = self.review_context(review)
        context["pdf_font"] = font = pdf_font_path()
        html = render_to_string(self.template_name, context, request=request)
        buffer = BytesIO()
        # Nothing remote, and local reads only from the font's own folder.
        policy = ResourceAccessPolicy(
            allow_remote=False, base_dir=Path(font).parent if font else settings.BASE_DIR
        )
        result = pisa.CreatePDF(html, dest=buffer, encoding="utf-8", resource_policy=policy)
        if result.err:
            raise ApplicationError(_("The PDF could not be produced."))
        response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="management-review-{review.pk}.pdf"'
        )
        return response


class ReviewNotesView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    form_class = ReviewNotesForm
    template_name = "qms/review_notes_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.review = selectors.review_get(pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": selectors.review_get(pk=self.review.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=self.review, **kwargs)

    def form_valid(self, form):
        review = self.run_service(
            form, lambda: services.review_update(review=self.review, **form.cleaned_data)
        )
        if review is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Review saved."))
        return redirect("qms:review-detail", pk=review.pk)


class ReviewHoldView(QualityManagerRequiredMixin, TemplateView):
    template_name = "qms/review_confirm_hold.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.review = selectors.review_get(pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=self.review, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            services.review_hold(review=self.review, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Review recorded as held; its inputs are frozen."))
        return redirect("qms:review-detail", pk=self.review.pk)


class DecisionCreateView(QualityManagerRequiredMixin, FormView):
    form_class = DecisionForm

    def post(self, request, *args, **kwargs):
        review = selectors.review_get(pk=kwargs["pk"])
        form = self.get_form()
        if form.is_valid():
            try:
                services.decision_add(review=review, **form.cleaned_data)
            except (ApplicationError, ValidationError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("qms:review-detail", pk=review.pk)
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(
                    request, f"{label}: {' '.join(errors)}" if label else " ".join(errors)
                )
        return redirect(reverse("qms:review-detail", args=[review.pk]) + "#decisions")

    def get(self, request, *args, **kwargs):
        raise Http404


class DecisionCloseView(LoginRequiredMixin, ServiceFormMixin, FormView):
    form_class = DecisionCloseForm
    template_name = "qms/decision_close_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.decision = selectors.decision_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(decision=self.decision, **kwargs)

    def form_valid(self, form):
        decision = self.run_service(
            form,
            lambda: services.decision_close(
                decision=self.decision, actor=self.request.user, **form.cleaned_data
            ),
        )
        if decision is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Decision closed."))
        if self.request.user.can_view_all:
            return redirect("qms:review-detail", pk=decision.review_id)
        return redirect("qms:home")
