"""Webhooks out: a quality manager registers an address, picks its events (in words) and
reads the delivery log. The secret is shown once, right after it is made."""

from django import forms
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from qms.ui.views import FilteredListView, ServiceActionView, ServiceFormView

from .. import webhooks
from ..models import WebhookEndpoint
from ..permissions import QualityManagerRequiredMixin

SESSION_KEY = "webhook_secret_once"


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the portal posts the events (http or https)."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"),
        widget=forms.CheckboxSelectMultiple,
        choices=(),
        error_messages={"required": _("Pick at least one event.")},
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = webhooks.webhook_events.choices()
        if self.instance.pk is None:
            del self.fields["is_active"]
        else:
            self.fields["is_active"].help_text = _(
                "Switched off, its events wait; switched on again, they go out."
            )


def _reveal(request, endpoint) -> None:
    request.session[SESSION_KEY] = {"id": endpoint.pk, "secret": endpoint.secret}


class WebhookListView(QualityManagerRequiredMixin, FilteredListView):
    template_name = "qms/webhook_list.html"
    context_object_name = "endpoints"
    paginate_by = 25

    def get_list(self, **filters):
        return WebhookEndpoint.objects.order_by("url", "id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(event_label=webhooks.webhook_events.label, **kwargs)


class WebhookCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "qms/webhook_form.html"
    form_class = WebhookForm
    success_message = _("Webhook registered. Copy its secret now: it is shown only once.")

    def get_cancel_url(self):
        return reverse("qms:webhook-list")

    def perform(self, form):
        endpoint = webhooks.endpoint_create(
            url=form.cleaned_data["url"],
            description=form.cleaned_data["description"],
            events=form.cleaned_data["events"],
            created_by=self.request.user,
        )
        _reveal(self.request, endpoint)
        return endpoint

    def get_success_url(self, endpoint=None):
        return reverse("qms:webhook-detail", args=[endpoint.pk])


class EndpointMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_quality_manager:
            self.endpoint = get_object_or_404(WebhookEndpoint, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class WebhookUpdateView(QualityManagerRequiredMixin, EndpointMixin, ServiceFormView):
    template_name = "qms/webhook_form.html"
    form_class = WebhookForm
    success_message = _("Webhook saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.endpoint}

    def get_cancel_url(self):
        return reverse("qms:webhook-detail", args=[self.endpoint.pk])

    def perform(self, form):
        fields = {k: form.cleaned_data[k] for k in ("url", "description", "events", "is_active")}
        return webhooks.endpoint_update(endpoint=self.endpoint, **fields)

    def get_success_url(self, endpoint=None):
        return reverse("qms:webhook-detail", args=[self.endpoint.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(endpoint=self.endpoint, **kwargs)


class WebhookSecretView(QualityManagerRequiredMixin, EndpointMixin, ServiceActionView):
    """Make a new secret (the old one stops working at once) and show it once."""

    def perform(self, form):
        endpoint = webhooks.endpoint_new_secret(endpoint=self.endpoint)
        _reveal(self.request, endpoint)
        return endpoint

    def get_success_message(self, result):
        return str(_("New secret made. Copy it now: it is shown only once."))

    def get_redirect_url(self):
        return reverse("qms:webhook-detail", args=[self.endpoint.pk])


class WebhookDetailView(QualityManagerRequiredMixin, EndpointMixin, TemplateView):
    """The endpoint, its last answer and its delivery log (newest first)."""

    template_name = "qms/webhook_detail.html"

    def get_context_data(self, **kwargs):
        reveal = self.request.session.pop(SESSION_KEY, None)
        secret = reveal["secret"] if reveal and reveal.get("id") == self.endpoint.pk else ""
        return super().get_context_data(
            endpoint=self.endpoint,
            secret=secret,
            events=[webhooks.webhook_events.label(e) for e in self.endpoint.events],
            deliveries=self.endpoint.deliveries.order_by("-created_at", "-id")[:50],
            event_label=webhooks.webhook_events.label,
            **kwargs,
        )
