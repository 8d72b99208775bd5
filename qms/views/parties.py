"""Interested parties and balance: the register, the power/interest grid, conflicts
between parties, and the expected impact of a plan on each party."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from .. import history, selectors, services
from ..csv_export import csv_response
from ..exceptions import ApplicationError
from ..forms import (
    ConflictDecisionForm,
    ConflictForm,
    ImpactApprovalForm,
    ImpactForm,
    PartyFilterForm,
    PartyForm,
)
from ..models import ImpactAssessment, PartyConflict
from ..permissions import QualityManagerRequiredMixin
from ..redirects import safe_next_url
from .base import ServiceFormMixin


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
