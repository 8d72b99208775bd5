"""Pages of the requirements register, deployment to departments, the staff brief
("our customers' needs") and coverage. Views validate with forms and call services."""

from operator import itemgetter

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from qms.permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from qms.selectors import department_ids_for_user, headed_department_ids
from qms.ui.columns import Column
from qms.ui.views import FilteredListView, ServiceActionView, ServiceFormView

from . import selectors, services
from .forms import (
    AcknowledgeForm,
    DecisionCiteForm,
    DeploymentForm,
    DeploymentUpdateForm,
    RequirementFilterForm,
    RequirementForm,
    RetireForm,
    ReviewForm,
)
from .models import Requirement

# --- Register --------------------------------------------------------------------------

# The export's rows are selectors.requirement_export_rows's tuples, one column each.
_EXPORT_HEADERS = (
    gettext_lazy("Id"),
    gettext_lazy("Title"),
    gettext_lazy("Kind"),
    gettext_lazy("Kano class"),
    gettext_lazy("Status"),
    gettext_lazy("Segment"),
    gettext_lazy("Importance"),
    gettext_lazy("Acceptance criterion"),
    gettext_lazy("Reference"),
    gettext_lazy("Owner"),
    gettext_lazy("Revision"),
    gettext_lazy("Topics"),
    gettext_lazy("Deployed to"),
    gettext_lazy("Acknowledged"),
    gettext_lazy("Deployments"),
)


class RequirementListView(ViewAllRequiredMixin, FilteredListView):
    template_name = "requirements/requirement_list.html"
    context_object_name = "requirements"
    paginate_by = 25
    filter_form_class = RequirementFilterForm
    csv_filename = "requirements.csv"
    csv_columns = tuple(
        Column(header, itemgetter(index)) for index, header in enumerate(_EXPORT_HEADERS)
    )

    def get_filters(self, data):
        return {
            "search": data["q"],
            "kind": data["kind"],
            "status": data["status"],
            "segment": data["segment"],
            "topic": data["topic"],
            "department": data["department"],
        }

    def get_list(self, **filters):
        return selectors.requirement_list(user=self.request.user, **filters)

    def get_csv_rows(self):
        return selectors.requirement_export_rows(self.get_queryset())


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
            coded_evidence=selectors.requirement_coded_evidence(requirement=requirement),
        )
        if user.can_view_all:
            context.update(
                reviews=selectors.requirement_reviews(requirement=requirement)[:20],
                transitions=selectors.requirement_transitions(requirement=requirement)[:50],
            )
        if user.is_quality_manager and requirement.status == Requirement.Status.UNDER_REVIEW:
            context["review_form"] = ReviewForm()
        return context


class RequirementCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "requirements/requirement_form.html"
    form_class = RequirementForm
    cancel_url = reverse_lazy("requirements:requirement-list")

    def perform(self, form):
        return services.requirement_create(actor=self.request.user, **form.cleaned_data)

    def get_success_message(self, requirement):
        return _("Requirement “%s” proposed.") % requirement

    def get_success_url(self, requirement):
        return reverse("requirements:requirement-detail", args=[requirement.pk])


class _RequirementMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.requirement = selectors.requirement_get_for_user(
                user=request.user, pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(requirement=self.requirement, **kwargs)

    def get_requirement_url(self):
        return reverse("requirements:requirement-detail", args=[self.requirement.pk])

    def get_cancel_url(self):
        return self.get_requirement_url()


class RequirementUpdateView(QualityManagerRequiredMixin, _RequirementMixin, ServiceFormView):
    template_name = "requirements/requirement_form.html"
    form_class = RequirementForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form validates a copy; the service changes a fresh, locked instance.
        kwargs["instance"] = Requirement.objects.get(pk=self.requirement.pk)
        return kwargs

    def perform(self, form):
        return services.requirement_update(
            requirement=self.requirement, actor=self.request.user, **form.cleaned_data
        )

    def get_success_message(self, requirement):
        if requirement.revision != self.requirement.revision:
            messages.info(
                self.request,
                _("Revision %(revision)s: departments acknowledge the changed requirement again.")
                % {"revision": requirement.revision},
            )
        return _("Requirement “%s” saved.") % requirement

    def get_success_url(self, requirement):
        return reverse("requirements:requirement-detail", args=[requirement.pk])


class RequirementActionView(QualityManagerRequiredMixin, _RequirementMixin, ServiceActionView):
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

    def perform(self, form):
        service, _done = self.actions[self.action]
        return service(requirement=self.requirement, actor=self.request.user)

    def get_success_message(self, result):
        return str(self.actions[self.action][1])

    def get_redirect_url(self):
        return self.get_requirement_url()


class RequirementReviewView(QualityManagerRequiredMixin, _RequirementMixin, ServiceFormView):
    template_name = "requirements/requirement_review.html"
    form_class = ReviewForm

    def perform(self, form):
        return services.requirement_review(
            requirement=self.requirement,
            actor=self.request.user,
            can_meet=form.cleaned_data["can_meet"],
            note=form.cleaned_data["note"],
        )

    def get_success_message(self, review):
        if review.can_meet:
            return _("Review recorded: you can now accept it.")
        # Sent back: a warning, not a success.
        messages.warning(self.request, _("Review recorded: sent back to proposed."))
        return ""

    def get_success_url(self, review):
        return self.get_requirement_url()


class RequirementRetireView(QualityManagerRequiredMixin, _RequirementMixin, ServiceFormView):
    template_name = "requirements/requirement_confirm_retire.html"
    form_class = RetireForm

    def perform(self, form):
        return services.requirement_retire(
            requirement=self.requirement,
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, requirement):
        return _("Requirement “%s” retired.") % requirement

    def get_success_url(self, requirement):
        return reverse("requirements:requirement-detail", args=[requirement.pk])


# --- Deployments -----------------------------------------------------------------------


class DeploymentCreateView(QualityManagerRequiredMixin, _RequirementMixin, ServiceFormView):
    template_name = "requirements/deployment_form.html"
    form_class = DeploymentForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "requirement": self.requirement}

    def perform(self, form):
        data = form.cleaned_data
        return services.deployment_create(
            requirement=self.requirement,
            department=data["department"],
            commitment=data["commitment"],
            ack_days=data["ack_days"],
            actor=self.request.user,
        )

    def get_success_message(self, deployment):
        return _("Commitment of %(department)s added.") % {"department": deployment.department.name}

    def get_success_url(self, deployment):
        return self.get_requirement_url()


class _DeploymentMixin:
    def get_deployment(self, user, pk):
        return selectors.deployment_get_for_user(user=user, pk=pk)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.deployment = self.get_deployment(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(deployment=self.deployment, **kwargs)

    def get_redirect_url(self):
        return reverse("requirements:deployment-detail", args=[self.deployment.pk])


class DeploymentUpdateView(QualityManagerRequiredMixin, _DeploymentMixin, ServiceFormView):
    template_name = "requirements/deployment_form.html"
    form_class = DeploymentUpdateForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = type(self.deployment).objects.get(pk=self.deployment.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(requirement=self.deployment.requirement, **kwargs)

    def get_cancel_url(self):
        return reverse("requirements:requirement-detail", args=[self.deployment.requirement_id])

    def perform(self, form):
        return services.deployment_update(
            deployment=self.deployment, actor=self.request.user, **form.cleaned_data
        )

    def get_success_message(self, deployment):
        return _("Commitment saved.")

    def get_success_url(self, deployment):
        return reverse("requirements:deployment-detail", args=[deployment.pk])


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


class _DeploymentChangeMixin(_DeploymentMixin):
    """Acting on a deployment: only one of the user's own departments (404 otherwise)."""

    def get_deployment(self, user, pk):
        return selectors.deployment_get_for_change(user=user, pk=pk)


class DeploymentAcknowledgeView(LoginRequiredMixin, _DeploymentChangeMixin, ServiceActionView):
    success_message = gettext_lazy("Acknowledged. Thank you.")

    def perform(self, form):
        # The comment is optional: one that does not validate is left out, the
        # acknowledgement still counts.
        form = AcknowledgeForm(self.request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        return services.deployment_acknowledge(
            deployment=self.deployment, actor=self.request.user, comment=comment
        )


class BriefReadView(LoginRequiredMixin, _DeploymentChangeMixin, ServiceActionView):
    success_message = gettext_lazy("Marked as read.")

    def perform(self, form):
        return services.brief_mark_read(deployment=self.deployment, actor=self.request.user)

    def get_redirect_url(self):
        if self.request.POST.get("next") == "briefs":
            return reverse("requirements:brief-list")
        return super().get_redirect_url()


class BriefListView(LoginRequiredMixin, FilteredListView):
    """ "Our customers' needs": the deployed needs of the user's own departments."""

    template_name = "requirements/brief_list.html"
    context_object_name = "briefs"
    paginate_by = 25

    def get_list(self, **filters):
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


class CoverageListView(CoverageAccessMixin, FilteredListView):
    template_name = "requirements/coverage_list.html"
    context_object_name = "departments"
    paginate_by = 50

    def get_list(self, **filters):
        return selectors.department_coverage_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selectors.department_attach_read_counts(context["departments"])
        return context


class DepartmentCoverageView(CoverageAccessMixin, FilteredListView):
    template_name = "requirements/coverage_department.html"
    context_object_name = "deployments"
    paginate_by = 50

    def get_list(self, **filters):
        self.department = selectors.department_coverage_get(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        return selectors.deployment_list(user=self.request.user, department=self.department)

    def get_context_data(self, **kwargs):
        return super().get_context_data(department=self.department, **kwargs)


# --- Traceability (issue 21) ----------------------------------------------------------


class RequirementTraceView(LoginRequiredMixin, TemplateView):
    """The chain of one need, as one printable document: need → commitment → departments
    → objectives → measurements → findings → actions → verified effect → review decision.
    The blocks after the departments are the apps' record panels (`{% record_panels %}`),
    in the order they register, so this app imports none of them."""

    template_name = "requirements/requirement_trace.html"

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        context = super().get_context_data(**kwargs)
        user = self.request.user
        requirement = selectors.requirement_get_for_user(user=user, pk=kwargs["pk"])
        context.update(
            requirement=requirement,
            deployments=list(selectors.requirement_coverage(requirement=requirement, user=user)),
            latest_review=selectors.requirement_latest_review(requirement=requirement),
            printed_at=timezone.now(),
            trace=True,
        )
        return context


class _DecisionMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            from qms.selectors import decision_get_for_user

            self.decision = decision_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_redirect_url(self):
        return reverse("qms:review-detail", args=[self.decision.review_id])


class DecisionCiteView(QualityManagerRequiredMixin, _DecisionMixin, ServiceActionView):
    """POST: the review decision cites a customer need (from the review page)."""

    form_class = DecisionCiteForm
    invalid_message = gettext_lazy("Choose the customer need the decision concerns.")

    def perform(self, form):
        return services.decision_cite(
            actor=self.request.user,
            decision=self.decision,
            requirement=form.cleaned_data["requirement"],
        )

    def get_success_message(self, citation):
        return _("The decision now cites “%s”.") % citation.requirement


class CitationRemoveView(QualityManagerRequiredMixin, ServiceActionView):
    """POST: remove a decision's citation of a need."""

    success_message = gettext_lazy("The decision no longer cites that need.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            from django.shortcuts import get_object_or_404

            from .models import DecisionCitation

            self.citation = get_object_or_404(
                DecisionCitation.objects.select_related("decision"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        return services.decision_uncite(actor=self.request.user, citation=self.citation)

    def get_redirect_url(self):
        return reverse("qms:review-detail", args=[self.citation.decision.review_id])
