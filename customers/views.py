"""Pages for customers, consent, contacts, segments and topics, and the import page every
importer uses. Views validate with forms and call services; rules live in services,
selectors and the import engine."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from qms import csv_export
from qms.exceptions import ApplicationError
from qms.permissions import QualityManagerRequiredMixin
from qms.ui.columns import Column
from qms.ui.views import FilteredListView, ServiceActionView, ServiceFormView

from . import import_jobs, imports, selectors, services
from .forms import (
    ConsentForm,
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
    ImportForm,
    SearchForm,
    SegmentForm,
    TopicForm,
)
from .models import Contact, Customer, ImportJob, Topic

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

    def get_customer_url(self):
        return reverse("customers:customer-detail", args=[self.customer.pk])


# --- Customers -------------------------------------------------------------------------


class CustomerListView(CustomerReadMixin, FilteredListView):
    template_name = "customers/customer_list.html"
    context_object_name = "customers"
    paginate_by = PAGE_SIZE
    filter_form_class = CustomerFilterForm
    csv_filename = "customers.csv"
    # The header matches the import's columns, so an export can be re-imported.
    csv_columns = (
        Column("external_ref", "external_ref"),
        Column("name", "name"),
        Column("kind", "kind"),
        Column("segment", "segment.code"),
        Column("language", "language"),
        Column("email", "email"),
        Column("phone", "phone"),
        Column("address", "address"),
        Column("active", lambda c: "yes" if c.is_active else "no"),
    )

    def get_filters(self, data):
        return self.filter_form.filters()

    def get_list(self, **filters):
        return selectors.customer_list(user=self.request.user, **filters)

    def get_context_data(self, **kwargs):
        # "Filtered" (the empty message and "Clear filters") is any valid query string,
        # as before the kit: `is_filtered` would miss "inactive only" (active=False).
        return super().get_context_data(filtered=bool(self.filters), **kwargs)


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
        )
        return context


class CustomerCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "customers/customer_form.html"
    form_class = CustomerForm
    cancel_url = reverse_lazy("customers:customer-list")

    def perform(self, form):
        return services.customer_create(**form.cleaned_data)

    def get_success_message(self, customer):
        return _("Customer %s created.") % customer

    def get_success_url(self, customer):
        return reverse("customers:customer-detail", args=[customer.pk])


class CustomerUpdateView(QualityManagerRequiredMixin, CustomerObjectMixin, ServiceFormView):
    template_name = "customers/customer_form.html"
    form_class = CustomerForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Customer.objects.get(pk=self.customer.pk)}

    def get_cancel_url(self):
        return self.get_customer_url()

    def perform(self, form):
        return services.customer_update(customer=self.customer, **form.cleaned_data)

    def get_success_message(self, customer):
        return _("Customer %s saved.") % customer

    def get_success_url(self, customer):
        return reverse("customers:customer-detail", args=[customer.pk])


class ConsentRecordView(QualityManagerRequiredMixin, CustomerObjectMixin, ServiceFormView):
    template_name = "customers/consent_form.html"
    form_class = ConsentForm

    def get_initial(self):
        channel = self.request.GET.get("channel", "")
        return {"channel": channel, "recorded_at": timezone.localtime().replace(second=0)}

    def get_cancel_url(self):
        return self.get_customer_url()

    def perform(self, form):
        return services.consent_record(customer=self.customer, **form.cleaned_data)

    def get_success_message(self, consent):
        return _("Consent recorded: %s.") % consent

    def get_success_url(self, consent):
        return self.get_customer_url()


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


class ContactCreateView(ContactMixin, ServiceFormView):
    template_name = "customers/contact_form.html"
    form_class = ContactForm

    def get_cancel_url(self):
        return self.get_customer_url()

    def perform(self, form):
        return services.contact_create(customer=self.customer, **form.cleaned_data)

    def get_success_message(self, contact):
        return _("Contact %s added.") % contact.name

    def get_success_url(self, contact):
        return self.get_customer_url()


class ContactUpdateView(ContactMixin, ServiceFormView):
    template_name = "customers/contact_form.html"
    form_class = ContactForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Contact.objects.get(pk=self.contact.pk)}

    def get_cancel_url(self):
        return self.get_customer_url()

    def perform(self, form):
        return services.contact_update(contact=self.contact, **form.cleaned_data)

    def get_success_message(self, contact):
        return _("Contact %s saved.") % contact.name

    def get_success_url(self, contact):
        return self.get_customer_url()


class ContactDeleteView(ContactMixin, ServiceActionView):
    """GET asks for confirmation; POST deletes."""

    template_name = "customers/contact_confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=self.get_redirect_url(), **kwargs)

    def perform(self, form):
        services.contact_delete(contact=self.contact)

    def get_success_message(self, result):
        return _("Contact %s removed.") % self.contact.name

    def get_redirect_url(self):
        return self.get_customer_url()


# --- Imports ---------------------------------------------------------------------------


class ImportView(QualityManagerRequiredMixin, FormView):
    """Upload a CSV file; the page shows the import's report. All-or-nothing: see
    customers/imports.py. Other apps' import pages subclass it with their own `schemas`
    (kind -> row schema)."""

    template_name = "customers/import.html"
    form_class = ImportForm
    kind = ""
    schemas = services.SCHEMAS
    title = ""
    list_url_name = ""
    list_label = ""
    example = ""

    def get_schema(self):
        return self.schemas[self.kind]()

    def run_import(self, upload) -> imports.ImportReport:
        return services.import_file(schema=self.get_schema(), upload=upload)

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
            jobs=import_jobs_for(user=self.request.user, kind=self.kind),
            upload_limit_mb=settings.IMPORT_MAX_UPLOAD_MB,
            inline_max_rows=settings.IMPORT_INLINE_MAX_ROWS,
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = import_jobs.import_upload(
                schema=self.get_schema(),
                upload=upload,
                user=self.request.user,
                kind=self.kind,
                list_url=reverse(self.list_url_name),
                run_inline=self.run_import,
            )
        except ApplicationError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        if isinstance(result, ImportJob):
            messages.info(
                self.request,
                _(
                    "The file is large, so it is imported in the background. Follow it on "
                    "this page; you also get an e-mail when it is finished."
                ),
            )
            return HttpResponseRedirect(import_jobs.job_url(result))
        report = result
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


def import_jobs_for(*, user, kind: str):
    return selectors.import_job_list(user=user, kind=kind)[:5]


class ImportJobDetailView(QualityManagerRequiredMixin, TemplateView):
    """One background import: state, rows read, a progress bar that refreshes itself
    while the job runs (htmx; a plain reload without JavaScript), the result and the
    bad-row report."""

    template_name = "customers/import_job.html"
    partial_template_name = "customers/partials/import_job_status.html"

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return [self.partial_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        job = selectors.import_job_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        report = job.report or {}
        return super().get_context_data(
            job=job,
            report=report,
            errors=report.get("errors", [])[:200],
            **kwargs,
        )


class ImportJobReportView(QualityManagerRequiredMixin, View):
    """The bad-row report of a rejected import as CSV (line, what is wrong)."""

    def get(self, request, pk):
        job = selectors.import_job_get_for_user(user=request.user, pk=pk)
        rows = [(e["line"], e["reason"]) for e in (job.report or {}).get("errors", [])]
        return csv_export.csv_response(
            f"import-{job.pk}-bad-rows.csv", [_("Line"), _("What is wrong")], rows
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


class SegmentListView(CustomerReadMixin, FilteredListView):
    template_name = "customers/segment_list.html"
    context_object_name = "segments"
    paginate_by = 50

    def get_list(self, **filters):
        return selectors.segment_list(user=self.request.user)


class SegmentCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "customers/segment_form.html"
    form_class = SegmentForm
    cancel_url = reverse_lazy("customers:segment-list")

    def perform(self, form):
        return services.segment_create(**form.cleaned_data)

    def get_success_message(self, segment):
        return _("Segment %s created.") % segment

    def get_success_url(self, segment):
        return reverse("customers:segment-list")


class TopicListView(CustomerReadMixin, FilteredListView):
    template_name = "customers/topic_list.html"
    context_object_name = "topics"
    paginate_by = 50
    filter_form_class = SearchForm

    def get_filters(self, data):
        return {"search": data["q"]}

    def get_list(self, **filters):
        return selectors.topic_list(user=self.request.user, **filters)


class TopicCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "customers/topic_form.html"
    form_class = TopicForm
    cancel_url = reverse_lazy("customers:topic-list")

    def perform(self, form):
        return services.topic_create(**form.cleaned_data)

    def get_success_message(self, topic):
        return _("Topic %s created.") % topic

    def get_success_url(self, topic):
        return reverse("customers:topic-list")


class TopicUpdateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "customers/topic_form.html"
    form_class = TopicForm
    cancel_url = reverse_lazy("customers:topic-list")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.topic = selectors.topic_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Topic.objects.get(pk=self.topic.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)

    def perform(self, form):
        return services.topic_update(topic=self.topic, **form.cleaned_data)

    def get_success_message(self, topic):
        return _("Topic %s saved.") % topic

    def get_success_url(self, topic):
        return reverse("customers:topic-list")
