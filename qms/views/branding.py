"""The organisation's branding: the quality manager's settings page, and the logo and
colours that the customer's pages and e-mails load (public, no sign-in)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from qms.ui.views import ServiceFormView

from .. import branding
from ..forms import BrandingForm
from ..models import Branding
from ..permissions import QualityManagerRequiredMixin

LONG_CACHE = "public, max-age=31536000, immutable"  # URLs carry the branding's version


class BrandingUpdateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "qms/branding_form.html"
    form_class = BrandingForm
    success_message = _("Branding saved: customers see it on the survey pages and e-mails.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Branding.objects.filter(pk=1).first() or Branding(pk=1)
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        return branding.branding_update(
            name=data["name"],
            main_colour=data["main_colour"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
            logo_upload=data.get("logo_upload"),
            remove_logo=bool(data.get("remove_logo")),
        )

    def get_success_url(self, result):
        return reverse("qms:branding")

    def get_context_data(self, **kwargs):
        return super().get_context_data(brand_preview=branding.current(), **kwargs)


class LogoView(View):
    """The logo, as the image type it was checked to be; never sniffed, never a page."""

    def get(self, request, *args, **kwargs):
        found = branding.logo()
        if found is None:
            raise Http404
        data, content_type = found
        response = HttpResponse(data, content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = LONG_CACHE if request.GET.get("v") else "no-cache"
        return response


class BrandStylesView(View):
    """The colours of the branding as CSS custom properties (a stylesheet, not inline
    styles, which the content security policy refuses)."""

    def get(self, request, *args, **kwargs):
        css = render_to_string("qms/brand.css", {"brand": branding.current()})
        response = HttpResponse(css, content_type="text/css; charset=utf-8")
        response["Cache-Control"] = LONG_CACHE if request.GET.get("v") else "no-cache"
        return response
