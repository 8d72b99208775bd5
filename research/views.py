"""Pages for the research sources (tickets, purchases, interviews) and the Pareto
analysis. Views validate with forms and call services; rules live in services, selectors
and the customers app's import engine."""

import datetime as dt

from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from coding import selectors as coding_selectors
from coding.models import Text
from customers.views import PAGE_SIZE, CustomerReadMixin, ImportView
from qms.permissions import QualityManagerRequiredMixin
from qms.ui.views import FilteredListView, ServiceActionView, ServiceFormView

from . import selectors, services
from .forms import FindingForm, InterviewForm, ParetoForm, ResearchFilterForm
from .models import InterviewFinding

# --- Imports ---------------------------------------------------------------------------


class TicketImportView(ImportView):
    kind = "tickets"
    schemas = services.SCHEMAS
    title = gettext_lazy("Import after-sales tickets")
    list_url_name = "research:ticket-list"
    list_label = gettext_lazy("After-sales tickets")
    example = (
        "external_id,customer,product,description,agent_notes,opened_at,closed_at,topic\n"
        "WO-10001,C-PH-001,Phone X2,Battery drains by noon,batt calib,2026-03-01 09:30,,\n"
        "WO-10002,C-PH-002,Phone X2,屏幕裂了,scr repl.,2026-03-02 10:00,2026-03-04,"
    )


class PurchaseImportView(ImportView):
    kind = "purchases"
    schemas = services.SCHEMAS
    title = gettext_lazy("Import purchases")
    list_url_name = "research:purchase-list"
    list_label = gettext_lazy("Purchases")
    example = (
        "external_id,customer,product,quantity,amount,purchased_at\n"
        "ORD-5001-1,C-PH-001,Eggs (12),2,5.80,2026-03-01"
    )


# --- Tickets and purchases -------------------------------------------------------------


class ResearchListMixin(CustomerReadMixin):
    """The research lists: a `ResearchFilterForm` with the page's `filter_names`; a bad
    value shows the unfiltered list."""

    paginate_by = PAGE_SIZE
    filter_form_class = ResearchFilterForm
    filter_names = ("search", "topic", "segment", "start", "end")

    def get_filter_form_kwargs(self):
        return {"names": self.filter_names}

    def get_filters(self, data):
        return self.filter_form.filters()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filtered"] = context["is_filtered"]
        return context


class TicketListView(ResearchListMixin, FilteredListView):
    template_name = "research/ticket_list.html"
    context_object_name = "tickets"
    filter_names = ("search", "topic", "segment", "start", "end", "customer")

    def get_list(self, **filters):
        return selectors.ticket_list(user=self.request.user, **filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        coded = coding_selectors.topics_for_sources(
            kind=Text.Kind.TICKET, object_ids=[t.pk for t in context["tickets"]]
        )
        for ticket in context["tickets"]:
            ticket.coded_topics = coded.get(ticket.pk, [])
        return context


class PurchaseListView(ResearchListMixin, FilteredListView):
    template_name = "research/purchase_list.html"
    context_object_name = "purchases"
    filter_names = ("search", "segment", "start", "end", "customer")

    def get_list(self, **filters):
        return selectors.purchase_list(user=self.request.user, **filters)


# --- Interviews ------------------------------------------------------------------------


class InterviewListView(ResearchListMixin, FilteredListView):
    template_name = "research/interview_list.html"
    context_object_name = "interviews"

    def get_list(self, **filters):
        return selectors.interview_list(user=self.request.user, **filters)


class FindingListView(ResearchListMixin, FilteredListView):
    """Interview findings, e.g. the evidence behind a Pareto bar."""

    template_name = "research/finding_list.html"
    context_object_name = "findings"
    filter_names = ("topic", "segment", "start", "end")

    def get_list(self, **filters):
        return selectors.finding_list(user=self.request.user, **filters)


class InterviewObjectMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.interview = selectors.interview_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(interview=self.interview, **kwargs)

    def get_interview_url(self):
        return reverse("research:interview-detail", args=[self.interview.pk])


class InterviewDetailView(CustomerReadMixin, InterviewObjectMixin, TemplateView):
    template_name = "research/interview_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["findings"] = selectors.interview_findings(interview=self.interview)
        if self.request.user.is_quality_manager:
            context["finding_form"] = FindingForm()
        return context


class InterviewCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "research/interview_form.html"
    form_class = InterviewForm
    cancel_url = reverse_lazy("research:interview-list")
    success_message = gettext_lazy("Interview recorded. Now code what you learned to topics.")

    def get_initial(self):
        initial = {"interviewer": self.request.user, "held_on": timezone.localdate()}
        customer_pk = self.request.GET.get("customer", "")
        if customer_pk.isdigit():
            initial["customer"] = int(customer_pk)
        return initial

    def perform(self, form):
        return services.interview_create(**form.cleaned_data)

    def get_success_url(self, interview):
        return reverse("research:interview-detail", args=[interview.pk])


class InterviewUpdateView(QualityManagerRequiredMixin, InterviewObjectMixin, ServiceFormView):
    template_name = "research/interview_form.html"
    form_class = InterviewForm
    success_message = gettext_lazy("Interview saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = selectors.interview_get_for_user(
            user=self.request.user, pk=self.interview.pk
        )
        return kwargs

    def get_cancel_url(self):
        return self.get_interview_url()

    def perform(self, form):
        return services.interview_update(interview=self.interview, **form.cleaned_data)

    def get_success_url(self, interview):
        return reverse("research:interview-detail", args=[interview.pk])


class FindingCreateView(QualityManagerRequiredMixin, InterviewObjectMixin, ServiceFormView):
    template_name = "research/finding_form.html"
    form_class = FindingForm

    def get_cancel_url(self):
        return self.get_interview_url()

    def perform(self, form):
        return services.finding_add(interview=self.interview, **form.cleaned_data)

    def get_success_message(self, finding):
        return _("Finding added under “%s”.") % finding.topic

    def get_success_url(self, finding):
        return self.get_interview_url()


class FindingDeleteView(QualityManagerRequiredMixin, InterviewObjectMixin, ServiceActionView):
    """GET asks for confirmation; POST removes the finding."""

    template_name = "research/finding_confirm_delete.html"
    success_message = gettext_lazy("Finding removed.")

    def get_finding(self):
        try:
            return InterviewFinding.objects.select_related("topic").get(
                pk=self.kwargs["finding_pk"], interview_id=self.kwargs["pk"]
            )
        except InterviewFinding.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            finding=self.get_finding(), cancel_url=self.get_redirect_url(), **kwargs
        )

    def perform(self, form):
        services.finding_delete(finding=self.get_finding())

    def get_redirect_url(self):
        return self.get_interview_url()


# --- Pareto ----------------------------------------------------------------------------


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, today included."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=365), today


class ParetoView(CustomerReadMixin, TemplateView):
    """Topics ranked by how often customers raise them, across sources; each bar and row
    drills down to its evidence."""

    template_name = "research/pareto.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        start, end = default_period()
        data = self.request.GET.copy()
        data.setdefault("start", start.isoformat())
        data.setdefault("end", end.isoformat())
        form = ParetoForm(data)
        rows = []
        sources = selectors.pareto_sources.all()
        if form.is_valid():
            filters = form.cleaned_data
            source = filters["source"]
            rows = selectors.pareto(
                user=self.request.user,
                start=filters["start"],
                end=filters["end"],
                segment=filters["segment"],
                source=source,
            )
            if source:
                sources = [s for s in sources if s.key == source]
            query = {
                "start": filters["start"].isoformat() if filters["start"] else "",
                "end": filters["end"].isoformat() if filters["end"] else "",
                "segment": filters["segment"].pk if filters["segment"] else "",
            }
            by_key = {s.key: s for s in selectors.pareto_sources.all()}
            for row in rows:
                row.url = self._evidence_url(by_key[source or row.top_source], row.topic, query)
                row.source_counts = [
                    (s, row.counts.get(s.key, 0), self._evidence_url(s, row.topic, query))
                    for s in sources
                ]
        context.update(
            form=form,
            rows=rows,
            sources=sources,
            total=sum(r.total for r in rows),
            chart={
                "labels": [r.topic.name for r in rows],
                "counts": [r.total for r in rows],
                "cumulative": [r.cumulative for r in rows],
                "urls": [r.url for r in rows],
                "countLabel": _("Mentions"),
                "cumulativeLabel": _("Cumulative %"),
            },
        )
        return context

    @staticmethod
    def _evidence_url(source, topic, query):
        from urllib.parse import urlencode

        params = {k: v for k, v in query.items() if v != ""}
        params["topic"] = topic.slug
        return f"{reverse(source.evidence_url_name)}?{urlencode(params)}"
