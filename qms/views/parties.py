"""Interested parties and balance: the register, the power/interest grid, conflicts
between parties, and the expected impact of a plan on each party."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from qms.ui.columns import Column
from qms.ui.views import FilteredListView, ServiceActionView, ServiceFormView

from .. import history, selectors, services
from ..forms import (
    ConflictDecisionForm,
    ConflictForm,
    ImpactApprovalForm,
    ImpactForm,
    PartyFilterForm,
    PartyForm,
    StatusFilterForm,
)
from ..models import ImpactAssessment, PartyConflict
from ..permissions import QualityManagerRequiredMixin
from ..redirects import safe_next_url


class PartyListView(LoginRequiredMixin, FilteredListView):
    template_name = "qms/party_list.html"
    context_object_name = "parties"
    paginate_by = 25
    filter_form_class = PartyFilterForm
    csv_filename = "interested-parties.csv"
    csv_columns = (
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Category"), "get_category_display"),
        Column(gettext_lazy("Needs and expectations"), "needs"),
        Column(gettext_lazy("Influence"), "influence"),
        Column(gettext_lazy("Interest"), "interest"),
        Column(gettext_lazy("Approach"), "quadrant"),
        Column(gettext_lazy("Next review"), "review_date"),
        Column(gettext_lazy("Owner"), "owner"),
    )

    def get_filters(self, data):
        return {"search": data["q"], "category": data["category"]}

    def get_list(self, search="", category=""):
        return selectors.party_list(search=search, category=category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=timezone.localdate(), **kwargs)


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


class PartyCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "qms/party_form.html"
    form_class = PartyForm

    def perform(self, form):
        return services.party_create(**form.cleaned_data)

    def get_success_message(self, party):
        return _("%s added to the register.") % party

    def get_success_url(self, party):
        return reverse("qms:party-detail", args=[party.pk])

    def get_cancel_url(self):
        return reverse("qms:party-list")


class PartyUpdateView(QualityManagerRequiredMixin, ServiceFormView):
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

    def perform(self, form):
        return services.party_update(party=self.party, **form.cleaned_data)

    def get_success_message(self, party):
        return _("%s saved.") % party

    def get_success_url(self, party):
        return reverse("qms:party-detail", args=[party.pk])

    def get_cancel_url(self):
        return reverse("qms:party-list")


class ConflictListView(LoginRequiredMixin, FilteredListView):
    """Conflicts, all or of one status (an unknown status is "not found")."""

    template_name = "qms/conflict_list.html"
    context_object_name = "conflicts"
    paginate_by = 25
    filter_form_class = StatusFilterForm

    def get_filter_data(self):
        return self.request.GET

    def get_filter_form_kwargs(self):
        return {"statuses": PartyConflict.Status.choices}

    def filters_invalid(self, form):
        raise Http404

    def get_list(self, status=""):
        return selectors.conflict_list(status=status)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            status=self.filters["status"], statuses=PartyConflict.Status.choices, **kwargs
        )


class ConflictDetailView(LoginRequiredMixin, TemplateView):
    template_name = "qms/conflict_detail.html"

    def get_context_data(self, **kwargs):
        conflict = selectors.conflict_get(pk=kwargs["pk"])
        form = None
        if self.request.user.is_quality_manager and conflict.status == PartyConflict.Status.OPEN:
            form = ConflictDecisionForm()
        return super().get_context_data(conflict=conflict, decision_form=form, **kwargs)


class ConflictCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "qms/conflict_form.html"
    form_class = ConflictForm
    success_message = gettext_lazy("Conflict recorded. Record the decision when it is taken.")

    def perform(self, form):
        data = form.cleaned_data
        return services.conflict_create(
            title=data["title"], description=data["description"], parties=list(data["parties"])
        )

    def get_success_url(self, conflict):
        return reverse("qms:conflict-detail", args=[conflict.pk])

    def get_cancel_url(self):
        return reverse("qms:conflict-list")


class ConflictDecideView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "qms/conflict_detail.html"
    form_class = ConflictDecisionForm
    success_message = gettext_lazy("Decision recorded.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.conflict = selectors.conflict_get(pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(conflict=self.conflict, **kwargs)
        context["decision_form"] = context.pop("form")
        return context

    def perform(self, form):
        return services.conflict_decide(
            conflict=self.conflict, actor=self.request.user, **form.cleaned_data
        )

    def get_success_url(self, conflict):
        return reverse("qms:conflict-detail", args=[conflict.pk])


class ImpactListView(LoginRequiredMixin, ServiceFormView):
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

    def perform(self, form):
        return services.impact_record(target=self.target, **form.cleaned_data)

    def get_success_message(self, assessment):
        return _("Impact on %s recorded.") % assessment.party

    def get_success_url(self, assessment):
        return self.request.path


class ImpactApproveView(QualityManagerRequiredMixin, ServiceActionView):
    """Accept a negative impact with a reason, then back to `next` (the plan's impacts)
    or the party. There is no page to GET."""

    form_class = ImpactApprovalForm
    invalid_message = gettext_lazy("Write why the negative impact is accepted.")

    def get(self, request, *args, **kwargs):
        raise Http404

    def post(self, request, *args, **kwargs):
        self.assessment = get_object_or_404(ImpactAssessment, pk=kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        services.impact_approve(
            assessment=self.assessment, actor=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self, result):
        return _("Negative impact on %s approved.") % self.assessment.party

    def get_redirect_url(self):
        return safe_next_url(
            self.request, reverse("qms:party-detail", args=[self.assessment.party_id])
        )
