"""Audit trail, the metrics list and the outgoing message log."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from qms.ui.views import FilteredListView, FilterMixin, ServiceActionView

from .. import history, selectors, services
from ..exceptions import ApplicationError
from ..forms import PeriodForm, StatusFilterForm
from ..models import Message
from ..permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from ..registry import Period, registry


class HistoryView(LoginRequiredMixin, TemplateView):
    """Who changed what, and when, for any record registered in `qms.history`."""

    template_name = "qms/history.html"
    page_size = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = history.entry_for(kwargs["model"])
        obj = entry.get_for_user(self.request.user, kwargs["pk"])
        records_qs = obj.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        paginator = Paginator(records_qs, self.page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        start = (page.number - 1) * self.page_size
        # One record more than the page, to show what the oldest revision changed.
        records = list(records_qs[start : start + self.page_size + 1])
        revisions = history.revisions(records)[: self.page_size]
        context.update(
            object=obj,
            back_url=entry.back_url(obj),
            revisions=revisions,
            page_obj=page,
            is_paginated=paginator.num_pages > 1,
        )
        return context


class MetricListView(ViewAllRequiredMixin, FilterMixin, TemplateView):
    template_name = "qms/metric_list.html"
    filter_form_class = PeriodForm

    def filters_invalid(self, form):
        return {"period": Period.current_quarter()}

    def get_filters(self, data):
        period = Period.current_quarter()
        if data["period"]:
            try:
                period = Period.parse(data["period"])
            except ApplicationError as exc:
                self.filter_form.add_error("period", str(exc))
        return {"period": period}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.filters["period"]
        rows = []
        for metric in registry.all():
            rows.append((metric, registry.compute(metric.key, period=period)))
        context.update(form=self.filter_form, period=period, rows=rows)
        return context


class MessageListView(QualityManagerRequiredMixin, FilteredListView):
    """Every message the portal sent or will send, all or of one status (an unknown
    status is "not found")."""

    template_name = "qms/message_list.html"
    context_object_name = "message_log"
    paginate_by = 50
    filter_form_class = StatusFilterForm

    def get_filter_data(self):
        return self.request.GET

    def get_filter_form_kwargs(self):
        return {"statuses": Message.Status.choices}

    def filters_invalid(self, form):
        raise Http404

    def get_list(self, status=""):
        return selectors.message_list(status=status)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            status=self.filters["status"],
            statuses=Message.Status.choices,
            uncertain_count=Message.objects.filter(status=Message.Status.UNCERTAIN).count(),
            **kwargs,
        )


class MessageResolveView(QualityManagerRequiredMixin, ServiceActionView):
    """A person's decision on an uncertain message (the worker stopped while handing it
    to the mail server): send it again, or record it as sent. Confirmed first."""

    template_name = "qms/message_confirm_resolve.html"
    resend = True

    def dispatch(self, request, *args, **kwargs):
        self.message = get_object_or_404(Message, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        return services.message_resolve_uncertain(
            message=self.message, actor=self.request.user, resend=self.resend
        )

    def get_success_message(self, result):
        if self.resend:
            return gettext_lazy("The e-mail to %(to)s will be sent again.") % {
                "to": result.recipient
            }
        return gettext_lazy("The e-mail to %(to)s is recorded as sent.") % {"to": result.recipient}

    def get_redirect_url(self):
        return reverse("qms:message-list") + "?status=uncertain"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            message=self.message, resend=self.resend, cancel_url=self.get_redirect_url(), **kwargs
        )
