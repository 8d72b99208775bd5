"""Pages for customers, consent, contacts, segments and topics, and the import page every
importer uses. Views validate with forms and call services; rules live in services,
selectors and the import engine."""

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
    ImportForm,
    SearchForm,
    SegmentForm,
    TopicForm,
)
from .models import Contact, Customer, Topic

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
