"""CRM pages: Customer 360, interactions, preferences, bookings and checklists,
complaints, privacy (export, erasure) and the public reminders opt-out page. Views
validate with forms and call crm_services; rules live there and in selectors."""

import json
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from customers import imports
from customers.views import CustomerObjectMixin, CustomerReadMixin, ImportView
from qms.permissions import QualityManagerRequiredMixin
from qms.ui.views import FilteredListView, ServiceActionView, ServiceFormView

from . import selectors, services
from .forms import (
    BookingForm,
    ComplaintEscalateForm,
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintStepForm,
    ErasureForm,
    InteractionForm,
    PreferenceForm,
)
from .models import Interaction

PAGE_SIZE = 25


class CrmWriteMixin(LoginRequiredMixin):
    """Quality managers and department members write; viewers and outsiders do not."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.user_can_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class Customer360FormMixin(CustomerObjectMixin):
    """A form about the customer of the URL (crm/form.html): Cancel and, by default,
    success go back to the Customer 360."""

    def get_360_url(self):
        return reverse("crm:customer-360", args=[self.customer.pk])

    def get_cancel_url(self):
        return self.get_360_url()

    def get_success_url(self, result):
        return self.get_360_url()


# --- Customer 360 ----------------------------------------------------------------------


class Customer360View(CustomerReadMixin, CustomerObjectMixin, TemplateView):
    template_name = "crm/customer_360.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        from customers.selectors import consent_overview

        # Read-repair: purchases, tickets and interviews imported since the last mirror
        # scan get their timeline rows now (idempotent; the scanner does the rest).
        services.interactions_mirror_sources(customer=self.customer)
        kind = self.request.GET.get("kind", "")
        if kind not in Interaction.Kind.values:
            kind = ""
        timeline = selectors.timeline_page(
            customer=self.customer, cursor=self.request.GET.get("before", ""), kind=kind
        )
        selectors.timeline_mark_openable(user=self.request.user, items=timeline.items)
        context.update(
            consents=consent_overview(customer=self.customer),
            timeline=timeline,
            kind=kind,
            kinds=Interaction.Kind.choices,
            can_log=selectors.user_can_log(self.request.user),
            **selectors.customer_360(user=self.request.user, customer=self.customer),
        )
        return context


class InteractionCreateView(CrmWriteMixin, Customer360FormMixin, ServiceFormView):
    template_name = "crm/form.html"
    form_class = InteractionForm
    success_message = gettext_lazy("Interaction logged.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Log an interaction"), **kwargs)

    def perform(self, form):
        return services.interaction_log(
            customer=self.customer, actor=self.request.user, **form.cleaned_data
        )


class InteractionImportView(ImportView):
    kind = "interactions"
    title = gettext_lazy("Import interactions")
    list_url_name = "customers:customer-list"
    example = (
        "external_id,customer,kind,occurred_at,channel,department,summary\n"
        "CALL-9001,C-0001,call,2026-03-01 10:15,phone,FD,Asked about late check-out"
    )

    def get_schema(self):
        return services.InteractionSchema()

    def run_import(self, upload):
        return services.interactions_import(open_rows=imports.csv_rows(upload, self.get_schema()))


# --- Preferences -----------------------------------------------------------------------


class PreferenceCreateView(CrmWriteMixin, Customer360FormMixin, ServiceFormView):
    template_name = "crm/form.html"
    form_class = PreferenceForm
    success_message = gettext_lazy("Preference saved.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Add a preference"), **kwargs)

    def perform(self, form):
        return services.preference_create(
            customer=self.customer, actor=self.request.user, **form.cleaned_data
        )


class PreferenceMixin(CrmWriteMixin, Customer360FormMixin):
    """Edit and delete pages: only a preference the user may change (404 otherwise,
    docs/architecture.md section 7.5)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.preference = selectors.preference_get_for_change(
                user=request.user, pk=kwargs["preference_pk"]
            )
            if self.preference.customer_id != kwargs["pk"]:
                raise Http404
        return super().dispatch(request, *args, **kwargs)


class PreferenceUpdateView(PreferenceMixin, ServiceFormView):
    template_name = "crm/form.html"
    form_class = PreferenceForm
    success_message = gettext_lazy("Preference saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.preference}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit a preference"), **kwargs)

    def perform(self, form):
        return services.preference_update(
            preference=self.preference, actor=self.request.user, **form.cleaned_data
        )


class PreferenceDeleteView(PreferenceMixin, ServiceActionView):
    """GET asks for confirmation; POST deletes."""

    template_name = "crm/confirm_delete.html"
    success_message = gettext_lazy("Preference deleted.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Delete the preference “%s”?") % self.preference,
            cancel_url=self.get_redirect_url(),
            **kwargs,
        )

    def perform(self, form):
        services.preference_delete(preference=self.preference, actor=self.request.user)

    def get_redirect_url(self):
        return self.get_360_url()

    def get_success_url(self, result):
        return self.get_360_url()


# --- Bookings and checklists -----------------------------------------------------------


class BookingCreateView(CrmWriteMixin, Customer360FormMixin, ServiceFormView):
    template_name = "crm/form.html"
    form_class = BookingForm
    success_message = gettext_lazy("Booking logged; the checklist is ready.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Log an upcoming booking, visit or order"),
            intro=_(
                "The customer's preferences become a preparation checklist for the "
                "departments concerned."
            ),
            **kwargs,
        )

    def perform(self, form):
        return services.booking_create(
            customer=self.customer, actor=self.request.user, **form.cleaned_data
        )

    def get_success_url(self, booking):
        return reverse("crm:booking-detail", args=[booking.pk])


class BookingListView(CrmWriteMixin, FilteredListView):
    template_name = "crm/booking_list.html"
    context_object_name = "bookings"
    paginate_by = PAGE_SIZE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.can_view_all:
            return LoginRequiredMixin.dispatch(self, request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_list(self, **filters):
        return selectors.booking_list(user=self.request.user)


class BookingDetailView(LoginRequiredMixin, TemplateView):
    template_name = "crm/booking_detail.html"

    def get_context_data(self, **kwargs):
        booking = selectors.booking_get_for_user(user=self.request.user, pk=kwargs["pk"])
        items = selectors.booking_checklist(booking=booking)
        user = self.request.user
        own = selectors.department_ids_for_user(user)
        for item in items:
            item.can_tick = user.is_quality_manager or item.department_id in own
        return super().get_context_data(booking=booking, items=items, **kwargs)


class ChecklistItemTickView(LoginRequiredMixin, ServiceActionView):
    http_method_names = ["post"]

    @cached_property
    def item(self):
        return selectors.checklist_item_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @cached_property
    def prepared(self) -> bool:
        return self.request.POST.get("prepared", "1") == "1"

    def perform(self, form):
        return services.checklist_item_set(
            item=self.item, actor=self.request.user, prepared=self.prepared
        )

    def get_success_message(self, result):
        if self.prepared:
            return _("Marked as prepared: %s") % self.item.text
        self.success_level = messages.INFO
        return _("Marked as not prepared: %s") % self.item.text

    def get_redirect_url(self):
        return reverse("crm:booking-detail", args=[self.item.booking_id])


# --- Complaints ------------------------------------------------------------------------


class ComplaintListView(LoginRequiredMixin, FilteredListView):
    template_name = "crm/complaint_list.html"
    context_object_name = "complaints"
    paginate_by = PAGE_SIZE
    filter_form_class = ComplaintFilterForm

    def get_filters(self, data):
        return self.filter_form.filters()

    def get_list(self, **filters):
        return selectors.complaint_list(user=self.request.user, **filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(now=timezone.now(), **kwargs)
        context["filtered"] = context["is_filtered"]
        return context


class ComplaintCreateView(CrmWriteMixin, Customer360FormMixin, ServiceFormView):
    template_name = "crm/form.html"
    form_class = ComplaintForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Register a complaint"),
            intro=_(
                "The customer gets an acknowledgement e-mail with the reference at once, in "
                "their language."
            ),
            **kwargs,
        )

    def perform(self, form):
        return services.complaint_intake(
            customer=self.customer, actor=self.request.user, **form.cleaned_data
        )

    def get_success_message(self, complaint):
        return _("Complaint %s registered.") % complaint.reference

    def get_success_url(self, complaint):
        if selectors.complaint_list(user=self.request.user).filter(pk=complaint.pk).exists():
            return reverse("crm:complaint-detail", args=[complaint.pk])
        return self.get_360_url()


class ComplaintMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.complaint = selectors.complaint_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def can_handle(self) -> bool:
        user = self.request.user
        return user.is_quality_manager or (
            self.complaint.department_id in selectors.department_ids_for_user(user)
        )


class ComplaintDetailView(ComplaintMixin, TemplateView):
    template_name = "crm/complaint_detail.html"

    def get_context_data(self, **kwargs):
        complaint = self.complaint
        actions = (
            [(name, services.ACTION_LABELS[name]) for name in services.complaint_actions(complaint)]
            if self.can_handle()
            else []
        )
        return super().get_context_data(
            complaint=complaint,
            events=complaint.events.select_related("actor"),
            actions=actions,
            can_handle=self.can_handle(),
            now=timezone.now(),
            **kwargs,
        )


class ComplaintStepView(ComplaintMixin, ServiceFormView):
    template_name = "crm/complaint_step.html"
    form_class = ComplaintStepForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs["action"] not in services.TRANSITIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.can_handle():
            raise Http404
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.can_handle():
            raise Http404
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "action": self.kwargs["action"]}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            complaint=self.complaint,
            action=self.kwargs["action"],
            label=services.ACTION_LABELS[self.kwargs["action"]],
            **kwargs,
        )

    def get_cancel_url(self):
        return reverse("crm:complaint-detail", args=[self.complaint.pk])

    def perform(self, form):
        return services.complaint_transition(
            complaint=self.complaint,
            action=self.kwargs["action"],
            actor=self.request.user,
            note=form.cleaned_data.get("note", ""),
            decision=form.cleaned_data.get("decision", ""),
        )

    def get_success_message(self, complaint):
        return _("%(ref)s is now “%(status)s”.") % {
            "ref": complaint.reference,
            "status": complaint.get_status_display(),
        }

    def get_success_url(self, complaint):
        return reverse("crm:complaint-detail", args=[complaint.pk])


class ComplaintEscalateView(ComplaintMixin, ServiceFormView):
    template_name = "crm/form.html"
    form_class = ComplaintEscalateForm
    success_message = gettext_lazy("Escalated to a corrective action.")

    def post(self, request, *args, **kwargs):
        if not self.can_handle():
            raise Http404
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Escalate %s to a corrective action") % self.complaint.reference,
            customer=self.complaint.customer,
            **kwargs,
        )

    def get_cancel_url(self):
        return reverse("crm:customer-360", args=[self.complaint.customer_id])

    def perform(self, form):
        return services.complaint_escalate(
            complaint=self.complaint, actor=self.request.user, note=form.cleaned_data["note"]
        )

    def get_success_url(self, complaint):
        return reverse("crm:complaint-detail", args=[complaint.pk])


# --- Privacy ---------------------------------------------------------------------------


class CustomerExportView(QualityManagerRequiredMixin, CustomerObjectMixin, View):
    def get(self, request, pk):
        data = services.customer_export(customer=self.customer)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="customer-{pk}.json"'
        return response


class CustomerEraseView(QualityManagerRequiredMixin, Customer360FormMixin, ServiceFormView):
    template_name = "crm/customer_erase.html"
    form_class = ErasureForm
    success_message = gettext_lazy("The customer's personal data was erased.")

    def perform(self, form):
        return services.customer_erase(
            customer=self.customer, actor=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_success_url(self, result):
        return reverse("customers:customer-detail", args=[self.customer.pk])


# --- Public: reminders opt-out ---------------------------------------------------------


class ReplenishmentOptOutView(View):
    """The link in every reminder: no sign-in; a tampered token is a friendly 404."""

    template_name = "crm/opt_out.html"

    def _customer(self, token):
        customer = services.opt_out_customer(token)
        if customer is None:
            return None
        return customer

    def get(self, request, token):
        customer = self._customer(token)
        if customer is None:
            return render(request, "crm/opt_out_invalid.html", status=404)
        with translation.override(customer.language):
            return render(request, self.template_name, {"customer": customer, "done": False})

    def post(self, request, token):
        customer = self._customer(token)
        if customer is None:
            return render(request, "crm/opt_out_invalid.html", status=404)
        services.replenishment_opt_out(customer=customer)
        with translation.override(customer.language):
            return render(request, self.template_name, {"customer": customer, "done": True})
