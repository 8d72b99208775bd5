"""CRM pages: Customer 360, interactions, preferences, bookings and checklists,
complaints, privacy (export, erasure) and the public reminders opt-out page. Views
validate with forms and call crm_services; rules live there and in selectors."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from customers import imports
from customers.views import CustomerObjectMixin, CustomerReadMixin, ImportView
from qms.permissions import QualityManagerRequiredMixin
from qms.views import ServiceFormMixin

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
        context.update(
            consents=consent_overview(customer=self.customer),
            timeline=selectors.timeline_page(
                customer=self.customer, cursor=self.request.GET.get("before", ""), kind=kind
            ),
            kind=kind,
            kinds=Interaction.Kind.choices,
            can_log=selectors.user_can_log(self.request.user),
            **selectors.customer_360(user=self.request.user, customer=self.customer),
        )
        return context


class InteractionCreateView(CrmWriteMixin, CustomerObjectMixin, ServiceFormMixin, FormView):
    template_name = "crm/form.html"
    form_class = InteractionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Log an interaction"), **kwargs)

    def form_valid(self, form):
        result = self.run_service(
            form,
            lambda: services.interaction_log(
                customer=self.customer, actor=self.request.user, **form.cleaned_data
            ),
        )
        if result is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Interaction logged."))
        return redirect("crm:customer-360", pk=self.customer.pk)


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


class PreferenceCreateView(CrmWriteMixin, CustomerObjectMixin, ServiceFormMixin, FormView):
    template_name = "crm/form.html"
    form_class = PreferenceForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Add a preference"), **kwargs)

    def form_valid(self, form):
        result = self.run_service(
            form,
            lambda: services.preference_create(
                customer=self.customer, actor=self.request.user, **form.cleaned_data
            ),
        )
        if result is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Preference saved."))
        return redirect("crm:customer-360", pk=self.customer.pk)


class PreferenceMixin(CrmWriteMixin, CustomerObjectMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.preference = selectors.preference_get_for_user(
                user=request.user, pk=kwargs["preference_pk"]
            )
            if self.preference.customer_id != kwargs["pk"]:
                raise Http404
        return super().dispatch(request, *args, **kwargs)


class PreferenceUpdateView(PreferenceMixin, ServiceFormMixin, FormView):
    template_name = "crm/form.html"
    form_class = PreferenceForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.preference}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit a preference"), **kwargs)

    def form_valid(self, form):
        result = self.run_service(
            form,
            lambda: services.preference_update(
                preference=self.preference, actor=self.request.user, **form.cleaned_data
            ),
        )
        if result is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Preference saved."))
        return redirect("crm:customer-360", pk=self.customer.pk)


class PreferenceDeleteView(PreferenceMixin, TemplateView):
    template_name = "crm/confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Delete the preference “%s”?") % self.preference, **kwargs
        )

    def post(self, request, *args, **kwargs):
        services.preference_delete(preference=self.preference, actor=request.user)
        messages.success(request, _("Preference deleted."))
        return redirect("crm:customer-360", pk=self.customer.pk)


# --- Bookings and checklists -----------------------------------------------------------


class BookingCreateView(CrmWriteMixin, CustomerObjectMixin, ServiceFormMixin, FormView):
    template_name = "crm/form.html"
    form_class = BookingForm

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

    def form_valid(self, form):
        booking = self.run_service(
            form,
            lambda: services.booking_create(
                customer=self.customer, actor=self.request.user, **form.cleaned_data
            ),
        )
        if booking is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Booking logged; the checklist is ready."))
        return redirect("crm:booking-detail", pk=booking.pk)


class BookingListView(CrmWriteMixin, ListView):
    template_name = "crm/booking_list.html"
    context_object_name = "bookings"
    paginate_by = PAGE_SIZE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.can_view_all:
            return LoginRequiredMixin.dispatch(self, request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
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


class ChecklistItemTickView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        item = selectors.checklist_item_get_for_user(user=request.user, pk=pk)
        prepared = request.POST.get("prepared", "1") == "1"
        services.checklist_item_set(item=item, actor=request.user, prepared=prepared)
        if prepared:
            messages.success(request, _("Marked as prepared: %s") % item.text)
        else:
            messages.info(request, _("Marked as not prepared: %s") % item.text)
        return redirect("crm:booking-detail", pk=item.booking_id)


# --- Complaints ------------------------------------------------------------------------


class ComplaintListView(LoginRequiredMixin, ListView):
    template_name = "crm/complaint_list.html"
    context_object_name = "complaints"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filter_form = ComplaintFilterForm(self.request.GET or None)
        return selectors.complaint_list(user=self.request.user, **self.filter_form.filters())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            filtered=any(self.filter_form.filters().values()),
            now=timezone.now(),
            **kwargs,
        )


class ComplaintCreateView(CrmWriteMixin, CustomerObjectMixin, ServiceFormMixin, FormView):
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

    def form_valid(self, form):
        complaint = self.run_service(
            form,
            lambda: services.complaint_intake(
                customer=self.customer, actor=self.request.user, **form.cleaned_data
            ),
        )
        if complaint is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Complaint %s registered.") % complaint.reference)
        if selectors.complaint_list(user=self.request.user).filter(pk=complaint.pk).exists():
            return redirect("crm:complaint-detail", pk=complaint.pk)
        return redirect("crm:customer-360", pk=self.customer.pk)


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


class ComplaintStepView(ComplaintMixin, ServiceFormMixin, FormView):
    template_name = "crm/complaint_step.html"
    form_class = ComplaintStepForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs["action"] not in services.TRANSITIONS:
            raise Http404
        response = super().dispatch(request, *args, **kwargs)
        return response

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

    def form_valid(self, form):
        result = self.run_service(
            form,
            lambda: services.complaint_transition(
                complaint=self.complaint,
                action=self.kwargs["action"],
                actor=self.request.user,
                note=form.cleaned_data.get("note", ""),
                decision=form.cleaned_data.get("decision", ""),
            ),
        )
        if result is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(ref)s is now “%(status)s”.")
            % {"ref": result.reference, "status": result.get_status_display()},
        )
        return redirect("crm:complaint-detail", pk=result.pk)


class ComplaintEscalateView(ComplaintMixin, ServiceFormMixin, FormView):
    template_name = "crm/form.html"
    form_class = ComplaintEscalateForm

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

    def form_valid(self, form):
        result = self.run_service(
            form,
            lambda: services.complaint_escalate(
                complaint=self.complaint, actor=self.request.user, note=form.cleaned_data["note"]
            ),
        )
        if result is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Escalated to a corrective action."))
        return redirect("crm:complaint-detail", pk=result.pk)


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


class CustomerEraseView(
    QualityManagerRequiredMixin, CustomerObjectMixin, ServiceFormMixin, FormView
):
    template_name = "crm/customer_erase.html"
    form_class = ErasureForm

    def form_valid(self, form):
        result = self.run_service(
            form,
            lambda: services.customer_erase(
                customer=self.customer, actor=self.request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if result is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The customer's personal data was erased."))
        return redirect("customers:customer-detail", pk=self.customer.pk)


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
