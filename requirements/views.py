"""Pages of the requirements register, deployment to departments, the staff brief
("our customers' needs") and coverage. Views validate with forms and call services."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from qms.csv_export import csv_response
from qms.exceptions import ApplicationError
from qms.permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from qms.selectors import department_ids_for_user, headed_department_ids
from qms.views import ServiceFormMixin

from . import selectors, services
from .forms import (
    AcknowledgeForm,
    DeploymentForm,
    DeploymentUpdateForm,
    RequirementFilterForm,
    RequirementForm,
    RetireForm,
    ReviewForm,
)
from .models import Requirement

# --- Register --------------------------------------------------------------------------


class RequirementListView(ViewAllRequiredMixin, ListView):
    template_name = "requirements/requirement_list.html"
    context_object_name = "requirements"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = RequirementFilterForm(self.request.GET or None)
        filters = {}
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            filters = {
                "search": data["q"],
                "kind": data["kind"],
                "status": data["status"],
                "segment": data["segment"],
                "topic": data["topic"],
                "department": data["department"],
            }
        self.is_filtered = any(filters.values())
        return selectors.requirement_list(user=self.request.user, **filters)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return csv_response(
                "requirements.csv",
                [
                    _("Id"),
                    _("Title"),
                    _("Kind"),
                    _("Kano class"),
                    _("Status"),
                    _("Segment"),
                    _("Importance"),
                    _("Acceptance criterion"),
                    _("Reference"),
                    _("Owner"),
                    _("Revision"),
                    _("Topics"),
                    _("Deployed to"),
                    _("Acknowledged"),
                    _("Deployments"),
                ],
                selectors.requirement_export_rows(self.get_queryset()),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, is_filtered=self.is_filtered, **kwargs
        )


class RequirementDetailView(LoginRequiredMixin, TemplateView):
    template_name = "requirements/requirement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        requirement = selectors.requirement_get_for_user(user=user, pk=kwargs["pk"])
        context.update(
            requirement=requirement,
            deployments=list(selectors.requirement_coverage(requirement=requirement, user=user)),
            latest_review=selectors.requirement_latest_review(requirement=requirement),
            findings=selectors.requirement_findings(requirement=requirement),
        )
        if user.can_view_all:
            context.update(
                reviews=selectors.requirement_reviews(requirement=requirement)[:20],
                transitions=selectors.requirement_transitions(requirement=requirement)[:50],
            )
        if user.is_quality_manager and requirement.status == Requirement.Status.UNDER_REVIEW:
            context["review_form"] = ReviewForm()
        return context


class RequirementCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "requirements/requirement_form.html"
    form_class = RequirementForm

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        requirement = self.run_service(
            form, lambda: services.requirement_create(actor=self.request.user, **data)
        )
        if requirement is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Requirement “%s” proposed.") % requirement)
        return redirect("requirements:requirement-detail", pk=requirement.pk)


class _RequirementMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.requirement = selectors.requirement_get_for_user(
                user=request.user, pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(requirement=self.requirement, **kwargs)


class RequirementUpdateView(
    QualityManagerRequiredMixin, _RequirementMixin, ServiceFormMixin, FormView
):
    template_name = "requirements/requirement_form.html"
    form_class = RequirementForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form validates a copy; the service changes a fresh, locked instance.
        kwargs["instance"] = Requirement.objects.get(pk=self.requirement.pk)
        return kwargs

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        requirement = self.run_service(
            form,
            lambda: services.requirement_update(
                requirement=self.requirement, actor=self.request.user, **data
            ),
        )
        if requirement is None:
            return self.form_invalid(form)
        if requirement.revision != self.requirement.revision:
            messages.info(
                self.request,
                _("Revision %(revision)s: departments acknowledge the changed requirement again.")
                % {"revision": requirement.revision},
            )
        messages.success(self.request, _("Requirement “%s” saved.") % requirement)
        return redirect("requirements:requirement-detail", pk=requirement.pk)


class RequirementActionView(QualityManagerRequiredMixin, _RequirementMixin, View):
    """POST-only lifecycle steps: submit for review, accept, deploy."""

    action = ""
    actions = {
        "submit": (services.requirement_submit_for_review, gettext_lazy("Submitted for review.")),
        "accept": (services.requirement_accept, gettext_lazy("Accepted.")),
        "deploy": (
            services.requirement_deploy,
            gettext_lazy("Deployed: the departments have been told and asked to acknowledge."),
        ),
    }

    def post(self, request, *args, **kwargs):
        service, done = self.actions[self.action]
        try:
            service(requirement=self.requirement, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, str(done))
        return redirect("requirements:requirement-detail", pk=self.requirement.pk)


class RequirementReviewView(
    QualityManagerRequiredMixin, _RequirementMixin, ServiceFormMixin, FormView
):
    template_name = "requirements/requirement_review.html"
    form_class = ReviewForm

    def form_valid(self, form):
        review = self.run_service(
            form,
            lambda: services.requirement_review(
                requirement=self.requirement,
                actor=self.request.user,
                can_meet=form.cleaned_data["can_meet"],
                note=form.cleaned_data["note"],
            ),
        )
        if review is None:
            return self.form_invalid(form)
        if review.can_meet:
            messages.success(self.request, _("Review recorded: you can now accept it."))
        else:
            messages.warning(self.request, _("Review recorded: sent back to proposed."))
        return redirect("requirements:requirement-detail", pk=self.requirement.pk)


class RequirementRetireView(
    QualityManagerRequiredMixin, _RequirementMixin, ServiceFormMixin, FormView
):
    template_name = "requirements/requirement_confirm_retire.html"
    form_class = RetireForm

    def form_valid(self, form):
        requirement = self.run_service(
            form,
            lambda: services.requirement_retire(
                requirement=self.requirement,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            ),
        )
        if requirement is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Requirement “%s” retired.") % requirement)
        return redirect("requirements:requirement-detail", pk=requirement.pk)


# --- Deployments -----------------------------------------------------------------------


class DeploymentCreateView(
    QualityManagerRequiredMixin, _RequirementMixin, ServiceFormMixin, FormView
):
    template_name = "requirements/deployment_form.html"
    form_class = DeploymentForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "requirement": self.requirement}

    def form_valid(self, form):
        data = form.cleaned_data
        deployment = self.run_service(
            form,
            lambda: services.deployment_create(
                requirement=self.requirement,
                department=data["department"],
                commitment=data["commitment"],
                ack_days=data["ack_days"],
                actor=self.request.user,
            ),
        )
        if deployment is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Commitment of %(department)s added.") % {"department": deployment.department.name},
        )
        return redirect("requirements:requirement-detail", pk=self.requirement.pk)


class _DeploymentMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.deployment = selectors.deployment_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(deployment=self.deployment, **kwargs)


class DeploymentUpdateView(
    QualityManagerRequiredMixin, _DeploymentMixin, ServiceFormMixin, FormView
):
    template_name = "requirements/deployment_form.html"
    form_class = DeploymentUpdateForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = type(self.deployment).objects.get(pk=self.deployment.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(requirement=self.deployment.requirement, **kwargs)

    def form_valid(self, form):
        deployment = self.run_service(
            form,
            lambda: services.deployment_update(
                deployment=self.deployment, actor=self.request.user, **form.cleaned_data
            ),
        )
        if deployment is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Commitment saved."))
        return redirect("requirements:deployment-detail", pk=deployment.pk)


class DeploymentDetailView(LoginRequiredMixin, TemplateView):
    """One need as its department sees it: the brief, the commitment, the head's
    acknowledgement and who of the staff has read it."""

    template_name = "requirements/deployment_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        deployment = selectors.deployment_with_counts(user=user, pk=kwargs["pk"])
        requirement = deployment.requirement
        is_head = deployment.department_id in headed_department_ids(user)
        is_live = requirement.status == Requirement.Status.DEPLOYED
        context.update(
            deployment=deployment,
            requirement=requirement,
            is_head=is_head,
            can_acknowledge=is_head and is_live and not deployment.is_acknowledged,
            can_mark_read=is_live
            and not deployment.read_by_me
            and selectors.is_department_member(user=user, department_id=deployment.department_id),
            ack_form=AcknowledgeForm(),
            staff_reads=selectors.deployment_staff_reads(deployment=deployment)
            if (is_head or user.can_view_all)
            else None,
            acknowledgements=deployment.acknowledgements.select_related("user")[:10],
        )
        return context


class DeploymentAcknowledgeView(LoginRequiredMixin, _DeploymentMixin, View):
    def post(self, request, *args, **kwargs):
        form = AcknowledgeForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        try:
            services.deployment_acknowledge(
                deployment=self.deployment, actor=request.user, comment=comment
            )
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Acknowledged. Thank you."))
        return redirect("requirements:deployment-detail", pk=self.deployment.pk)


class BriefReadView(LoginRequiredMixin, _DeploymentMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            services.brief_mark_read(deployment=self.deployment, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Marked as read."))
        if request.POST.get("next") == "briefs":
            return redirect("requirements:brief-list")
        return redirect("requirements:deployment-detail", pk=self.deployment.pk)


class BriefListView(LoginRequiredMixin, ListView):
    """ "Our customers' needs": the deployed needs of the user's own departments."""

    template_name = "requirements/brief_list.html"
    context_object_name = "briefs"
    paginate_by = 25

    def get_queryset(self):
        return selectors.brief_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            headed_ids=headed_department_ids(user),
            member_ids=selectors.member_department_ids(user=user),
            in_department=bool(department_ids_for_user(user)),
            **kwargs,
        )


# --- Coverage --------------------------------------------------------------------------


class CoverageAccessMixin(LoginRequiredMixin):
    """Quality managers, viewers and department heads (their own departments)."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if (
            user.is_authenticated
            and not user.can_view_all
            and not headed_department_ids(user)
            and not department_ids_for_user(user)
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class CoverageListView(CoverageAccessMixin, ListView):
    template_name = "requirements/coverage_list.html"
    context_object_name = "departments"
    paginate_by = 50

    def get_queryset(self):
        return selectors.department_coverage_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selectors.department_attach_read_counts(context["departments"])
        return context


class DepartmentCoverageView(CoverageAccessMixin, ListView):
    template_name = "requirements/coverage_department.html"
    context_object_name = "deployments"
    paginate_by = 50

    def get_queryset(self):
        self.department = selectors.department_coverage_get(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        return selectors.deployment_list(user=self.request.user, department=self.department)

    def get_context_data(self, **kwargs):
        return super().get_context_data(department=self.department, **kwargs)
