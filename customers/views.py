"""Pages for customers and the research sources. Views validate with forms and call
services; rules live in services, selectors and the import engine."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, ListView, TemplateView

from qms.csv_export import csv_response
from qms.permissions import QualityManagerRequiredMixin
from qms.views import ServiceFormMixin

from . import imports, selectors, services
from .forms import (
    ConsentForm,
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
    FindingForm,
    ImportForm,
    InterviewForm,
    ParetoForm,
    ResearchFilterForm,
    SearchForm,
    SegmentForm,
    TopicForm,
)
from .models import Contact, Customer, InterviewFinding, Topic

PAGE_SIZE = 25


class CustomerReadMixin(LoginRequiredMixin):
    """Customers and research are organisation-wide: quality managers, viewers,
    department heads and staff read them; someone in no department does not."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.user_can_read_customers(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CustomerObjectMixin:
    """Loads `self.customer` from the URL's pk (404 when out of reach)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.customer = selectors.customer_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(customer=self.customer, **kwargs)


# --- Customers -------------------------------------------------------------------------


class CustomerListView(CustomerReadMixin, ListView):
    template_name = "customers/customer_list.html"
    context_object_name = "customers"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filter_form = CustomerFilterForm(self.request.GET or None)
        return selectors.customer_list(user=self.request.user, **self.filter_form.filters())

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            rows = (
                (
                    c.external_ref,
                    c.name,
                    c.kind,
                    c.segment.code if c.segment else "",
                    c.language,
                    c.email,
                    c.phone,
                    c.address,
                    "yes" if c.is_active else "no",
                )
                for c in self.get_queryset().iterator(chunk_size=1000)
            )
            # The header matches the import's columns, so an export can be re-imported.
            return csv_response(
                "customers.csv",
                [
                    "external_ref",
                    "name",
                    "kind",
                    "segment",
                    "language",
                    "email",
                    "phone",
                    "address",
                    "active",
                ],
                rows,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, filtered=bool(self.filter_form.filters()), **kwargs
        )


class CustomerDetailView(CustomerReadMixin, CustomerObjectMixin, TemplateView):
    template_name = "customers/customer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.customer
        context.update(
            consents=selectors.consent_overview(customer=customer),
            contacts=customer.contacts.all()
            if customer.kind == Customer.Kind.ORGANISATION
            else None,
            **selectors.customer_research_summary(customer=customer),
        )
        return context


class CustomerCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "customers/customer_form.html"
    form_class = CustomerForm

    def form_valid(self, form):
        customer = self.run_service(form, lambda: services.customer_create(**form.cleaned_data))
        if customer is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Customer %s created.") % customer)
        return redirect("customers:customer-detail", pk=customer.pk)


class CustomerUpdateView(
    QualityManagerRequiredMixin, CustomerObjectMixin, ServiceFormMixin, FormView
):
    template_name = "customers/customer_form.html"
    form_class = CustomerForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Customer.objects.get(pk=self.customer.pk)}

    def form_valid(self, form):
        customer = self.run_service(
            form, lambda: services.customer_update(customer=self.customer, **form.cleaned_data)
        )
        if customer is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Customer %s saved.") % customer)
        return redirect("customers:customer-detail", pk=customer.pk)


class ConsentRecordView(
    QualityManagerRequiredMixin, CustomerObjectMixin, ServiceFormMixin, FormView
):
    template_name = "customers/consent_form.html"
    form_class = ConsentForm

    def get_initial(self):
        channel = self.request.GET.get("channel", "")
        return {"channel": channel, "recorded_at": timezone.localtime().replace(second=0)}

    def form_valid(self, form):
        consent = self.run_service(
            form, lambda: services.consent_record(customer=self.customer, **form.cleaned_data)
        )
        if consent is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Consent recorded: %s.") % consent)
        return redirect("customers:customer-detail", pk=self.customer.pk)


class ContactMixin(QualityManagerRequiredMixin, CustomerObjectMixin):
    def dispatch(self, request, *args, **kwargs):
        self.contact = None
        if request.user.is_authenticated and "contact_pk" in kwargs:
            try:
                self.contact = Contact.objects.get(
                    pk=kwargs["contact_pk"], customer_id=kwargs["pk"]
                )
            except Contact.DoesNotExist:
                raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(contact=self.contact, **kwargs)


class ContactCreateView(ContactMixin, ServiceFormMixin, FormView):
    template_name = "customers/contact_form.html"
    form_class = ContactForm

    def form_valid(self, form):
        contact = self.run_service(
            form, lambda: services.contact_create(customer=self.customer, **form.cleaned_data)
        )
        if contact is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Contact %s added.") % contact.name)
        return redirect("customers:customer-detail", pk=self.customer.pk)


class ContactUpdateView(ContactMixin, ServiceFormMixin, FormView):
    template_name = "customers/contact_form.html"
    form_class = ContactForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Contact.objects.get(pk=self.contact.pk)}

    def form_valid(self, form):
        contact = self.run_service(
            form, lambda: services.contact_update(contact=self.contact, **form.cleaned_data)
        )
        if contact is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Contact %s saved.") % contact.name)
        return redirect("customers:customer-detail", pk=self.customer.pk)


class ContactDeleteView(ContactMixin, TemplateView):
    template_name = "customers/contact_confirm_delete.html"

    def post(self, request, *args, **kwargs):
        services.contact_delete(contact=self.contact)
        messages.success(request, _("Contact %s removed.") % self.contact.name)
        return redirect("customers:customer-detail", pk=self.customer.pk)


# --- Imports ---------------------------------------------------------------------------


class ImportView(QualityManagerRequiredMixin, FormView):
    """Upload a CSV file; the page shows the import's report. All-or-nothing: see
    customers/imports.py."""

    template_name = "customers/import.html"
    form_class = ImportForm
    kind = ""
    title = ""
    list_url_name = ""
    list_label = ""
    example = ""

    def get_schema(self):
        return services.SCHEMAS[self.kind]()

    def run_import(self, upload) -> imports.ImportReport:
        return services.import_csv(kind=self.kind, upload=upload)

    def get_context_data(self, **kwargs):
        schema = self.get_schema()
        return super().get_context_data(
            title=self.title,
            kind=self.kind,
            columns=schema.columns,
            optional_columns=schema.optional_columns,
            example=self.example,
            list_url=reverse(self.list_url_name),
            list_label=self.list_label,
            chunk_size=imports.CHUNK_SIZE,
            **kwargs,
        )

    def form_valid(self, form):
        report = self.run_import(form.cleaned_data["file"])
        if report.ok:
            messages.success(
                self.request,
                _(
                    "Imported %(rows)d rows: %(created)d new, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % {
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
        return self.render_to_response(
            self.get_context_data(form=ImportForm(), report=report, filename=form.files["file"])
        )


class TicketImportView(ImportView):
    kind = "tickets"
    title = gettext_lazy("Import after-sales tickets")
    list_url_name = "customers:ticket-list"
    list_label = gettext_lazy("After-sales tickets")
    example = (
        "external_id,customer,topic,product,opened_at,closed_at,resolution\n"
        "WO-10001,C-PH-001,battery-life,Phone X2,2026-03-01 09:30,2026-03-03,Battery replaced"
    )


class PurchaseImportView(ImportView):
    kind = "purchases"
    title = gettext_lazy("Import purchases")
    list_url_name = "customers:purchase-list"
    list_label = gettext_lazy("Purchases")
    example = (
        "external_id,customer,product,quantity,amount,purchased_at\n"
        "ORD-5001-1,C-PH-001,Eggs (12),2,5.80,2026-03-01"
    )


class CustomerImportView(ImportView):
    kind = "customers"
    title = gettext_lazy("Import customers")
    list_url_name = "customers:customer-list"
    list_label = gettext_lazy("Customers")
    example = (
        "external_ref,name,kind,segment,language,email,phone,address,active\n"
        "C-YF-900,Mei Chen,person,young-families,zh-hans,mei@example.com,,,yes"
    )


# --- Segments and topics ---------------------------------------------------------------


class SegmentListView(CustomerReadMixin, ListView):
    template_name = "customers/segment_list.html"
    context_object_name = "segments"
    paginate_by = 50

    def get_queryset(self):
        return selectors.segment_list(user=self.request.user)


class SegmentCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "customers/segment_form.html"
    form_class = SegmentForm

    def form_valid(self, form):
        segment = self.run_service(form, lambda: services.segment_create(**form.cleaned_data))
        if segment is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Segment %s created.") % segment)
        return redirect("customers:segment-list")


class TopicListView(CustomerReadMixin, ListView):
    template_name = "customers/topic_list.html"
    context_object_name = "topics"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = SearchForm(self.request.GET or None)
        search = self.filter_form.cleaned_data["q"] if self.filter_form.is_valid() else ""
        return selectors.topic_list(user=self.request.user, search=search)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class TopicCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "customers/topic_form.html"
    form_class = TopicForm

    def form_valid(self, form):
        topic = self.run_service(form, lambda: services.topic_create(**form.cleaned_data))
        if topic is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Topic %s created.") % topic)
        return redirect("customers:topic-list")


class TopicUpdateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "customers/topic_form.html"
    form_class = TopicForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.topic = selectors.topic_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Topic.objects.get(pk=self.topic.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)

    def form_valid(self, form):
        topic = self.run_service(
            form, lambda: services.topic_update(topic=self.topic, **form.cleaned_data)
        )
        if topic is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Topic %s saved.") % topic)
        return redirect("customers:topic-list")


# --- Tickets and purchases -------------------------------------------------------------


class ResearchListMixin(CustomerReadMixin):
    paginate_by = PAGE_SIZE
    filter_names = ("search", "topic", "segment", "start", "end")

    def get_filters(self):
        self.filter_form = ResearchFilterForm(self.request.GET or None, names=self.filter_names)
        return self.filter_form.filters()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            filtered=any(v not in (None, "") for v in self.filter_form.filters().values()),
            **kwargs,
        )


class TicketListView(ResearchListMixin, ListView):
    template_name = "customers/ticket_list.html"
    context_object_name = "tickets"
    filter_names = ("search", "topic", "segment", "start", "end", "customer")

    def get_queryset(self):
        return selectors.ticket_list(user=self.request.user, **self.get_filters())


class PurchaseListView(ResearchListMixin, ListView):
    template_name = "customers/purchase_list.html"
    context_object_name = "purchases"
    filter_names = ("search", "segment", "start", "end", "customer")

    def get_queryset(self):
        return selectors.purchase_list(user=self.request.user, **self.get_filters())


# --- Interviews ------------------------------------------------------------------------


class InterviewListView(ResearchListMixin, ListView):
    template_name = "customers/interview_list.html"
    context_object_name = "interviews"

    def get_queryset(self):
        return selectors.interview_list(user=self.request.user, **self.get_filters())


class FindingListView(ResearchListMixin, ListView):
    """Interview findings, e.g. the evidence behind a Pareto bar."""

    template_name = "customers/finding_list.html"
    context_object_name = "findings"
    filter_names = ("topic", "segment", "start", "end")

    def get_queryset(self):
        return selectors.finding_list(user=self.request.user, **self.get_filters())


class InterviewObjectMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.interview = selectors.interview_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(interview=self.interview, **kwargs)


class InterviewDetailView(CustomerReadMixin, InterviewObjectMixin, TemplateView):
    template_name = "customers/interview_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["findings"] = selectors.interview_findings(interview=self.interview)
        if self.request.user.is_quality_manager:
            context["finding_form"] = FindingForm()
        return context


class InterviewCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "customers/interview_form.html"
    form_class = InterviewForm

    def get_initial(self):
        initial = {"interviewer": self.request.user, "held_on": timezone.localdate()}
        customer_pk = self.request.GET.get("customer", "")
        if customer_pk.isdigit():
            initial["customer"] = int(customer_pk)
        return initial

    def form_valid(self, form):
        interview = self.run_service(form, lambda: services.interview_create(**form.cleaned_data))
        if interview is None:
            return self.form_invalid(form)
        messages.success(
            self.request, _("Interview recorded. Now code what you learned to topics.")
        )
        return redirect("customers:interview-detail", pk=interview.pk)


class InterviewUpdateView(
    QualityManagerRequiredMixin, InterviewObjectMixin, ServiceFormMixin, FormView
):
    template_name = "customers/interview_form.html"
    form_class = InterviewForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = selectors.interview_get_for_user(
            user=self.request.user, pk=self.interview.pk
        )
        return kwargs

    def form_valid(self, form):
        interview = self.run_service(
            form, lambda: services.interview_update(interview=self.interview, **form.cleaned_data)
        )
        if interview is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Interview saved."))
        return redirect("customers:interview-detail", pk=interview.pk)


class FindingCreateView(
    QualityManagerRequiredMixin, InterviewObjectMixin, ServiceFormMixin, FormView
):
    template_name = "customers/finding_form.html"
    form_class = FindingForm

    def form_valid(self, form):
        finding = self.run_service(
            form, lambda: services.finding_add(interview=self.interview, **form.cleaned_data)
        )
        if finding is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Finding added under “%s”.") % finding.topic)
        return redirect("customers:interview-detail", pk=self.interview.pk)


class FindingDeleteView(QualityManagerRequiredMixin, InterviewObjectMixin, TemplateView):
    template_name = "customers/finding_confirm_delete.html"

    def get_finding(self):
        try:
            return InterviewFinding.objects.select_related("topic").get(
                pk=self.kwargs["finding_pk"], interview_id=self.kwargs["pk"]
            )
        except InterviewFinding.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        return super().get_context_data(finding=self.get_finding(), **kwargs)

    def post(self, request, *args, **kwargs):
        services.finding_delete(finding=self.get_finding())
        messages.success(request, _("Finding removed."))
        return redirect("customers:interview-detail", pk=self.interview.pk)


# --- Pareto ----------------------------------------------------------------------------


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, today included."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=365), today


class ParetoView(CustomerReadMixin, TemplateView):
    """Topics ranked by how often customers raise them, across sources; each bar and row
    drills down to its evidence."""

    template_name = "customers/pareto.html"

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
