"""The system page: the portal's health as the quality manager sees it (the outbox
backlog, the scanners' last runs, e-mails given up on with their reason and a retry)."""

from django.db.models import Min
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from qms.ui.views import ServiceActionView

from .. import services
from ..models import Message, ScannerRun
from ..permissions import QualityManagerRequiredMixin
from .health import SCANNER_TASK, scanner_grace

FAILED_SHOWN = 50


class SystemView(QualityManagerRequiredMixin, TemplateView):
    template_name = "qms/system.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        due = Message.objects.filter(status=Message.Status.PENDING, next_action_at__lte=now)
        oldest = due.aggregate(oldest=Min("next_action_at"))["oldest"]
        runs = list(ScannerRun.objects.order_by("task"))
        grace = scanner_grace()
        outbox_run = next((r for r in runs if r.task == SCANNER_TASK), None)
        failed = Message.objects.filter(status=Message.Status.FAILED).order_by("-updated_at")
        return super().get_context_data(
            backlog=due.count(),
            oldest_due=oldest,
            runs=runs,
            outbox_run=outbox_run,
            scanner_late=outbox_run is None or now - outbox_run.finished_at > grace,
            failed=failed[:FAILED_SHOWN],
            failed_count=failed.count(),
            **kwargs,
        )


class MessageRetryView(QualityManagerRequiredMixin, ServiceActionView):
    """Confirm, then send a failed e-mail again (from the start of its attempts)."""

    template_name = "qms/message_confirm_retry.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.message = get_object_or_404(Message, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            message=self.message, cancel_url=self.get_redirect_url(), **kwargs
        )

    def perform(self, form):
        return services.message_retry(message=self.message)

    def get_redirect_url(self):
        return reverse("qms:system")

    def get_success_message(self, result):
        return _("The e-mail to %(recipient)s will be sent again.") % {
            "recipient": self.message.recipient
        }
