"""Staff pages of places: the list, a place with its collectors (QR code, poster, short
URL), and the answers held as suspect. Quality managers create and change places and
collectors; heads and staff read their department's; the head (or a quality manager)
decides on held answers."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qms.exceptions import ApplicationError
from qms.permissions import QualityManagerRequiredMixin
from qms.ui.views import FilteredListView, ServiceActionView, ServiceFormView
from satisfaction.services import base_url

from . import codes, selectors, services
from .forms import CollectorForm, KioskForm, PlaceFilterForm, PlaceForm


class PlaceListView(LoginRequiredMixin, FilteredListView):
    template_name = "places/place_list.html"
    context_object_name = "places"
    paginate_by = 50
    filter_form_class = PlaceFilterForm

    def get_filters(self, data):
        return {"search": data.get("q") or ""}

    def get_list(self, **filters):
        return selectors.place_list(user=self.request.user, **filters)


class PlaceCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "places/place_form.html"
    form_class = PlaceForm
    success_message = gettext_lazy("Place created. Add a survey to print its QR code.")

    def get_cancel_url(self):
        return reverse("places:place-list")

    def perform(self, form):
        return services.place_create(**form.cleaned_data)

    def get_success_url(self, result=None):
        return reverse("places:place-detail", args=[result.pk])


class PlaceUpdateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "places/place_form.html"
    form_class = PlaceForm
    success_message = gettext_lazy("Place saved.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.place = selectors.place_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return PlaceForm.initial_for(self.place)

    def get_context_data(self, **kwargs):
        kwargs["place"] = self.place
        return super().get_context_data(**kwargs)

    def get_cancel_url(self):
        return reverse("places:place-detail", args=[self.place.pk])

    def perform(self, form):
        return services.place_update(place=self.place, **form.cleaned_data)

    def get_success_url(self, result=None):
        return reverse("places:place-detail", args=[self.place.pk])


class PlaceDetailView(LoginRequiredMixin, TemplateView):
    template_name = "places/place_detail.html"

    def get_context_data(self, **kwargs):
        place = selectors.place_get_for_user(user=self.request.user, pk=kwargs["pk"])
        collectors = selectors.place_collectors(place=place)
        for collector in collectors:
            collector.url = codes.collector_url(collector)
        kwargs.update(
            place=place,
            collectors=collectors,
            held=selectors.held_list(user=self.request.user, place=place)[:20],
            can_change=self.request.user.is_quality_manager,
        )
        return super().get_context_data(**kwargs)


class CollectorCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "places/collector_form.html"
    form_class = CollectorForm
    success_message = gettext_lazy("The survey now collects answers here: print its poster.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.place = selectors.place_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["place"] = self.place
        return super().get_context_data(**kwargs)

    def get_cancel_url(self):
        return reverse("places:place-detail", args=[self.place.pk])

    def perform(self, form):
        return services.collector_create(
            place=self.place,
            survey_version=form.cleaned_data["survey_version"],
            created_by=self.request.user,
        )

    def get_success_url(self, result=None):
        return reverse("places:place-detail", args=[self.place.pk])


class CollectorStopView(QualityManagerRequiredMixin, ServiceActionView):
    template_name = "places/collector_stop.html"
    success_message = gettext_lazy("Stopped: the QR code now says the survey is closed.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.collector = selectors.collector_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["collector"] = self.collector
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.collector_stop(collector=self.collector)

    def get_redirect_url(self):
        return reverse("places:place-detail", args=[self.collector.place_id])


class CollectorQrView(LoginRequiredMixin, View):
    """The QR code as an SVG file (for print shops and table tents)."""

    def get(self, request, pk):
        collector = selectors.collector_get_for_user(user=request.user, pk=pk)
        response = HttpResponse(codes.collector_qr_svg(collector), content_type="image/svg+xml")
        if request.GET.get("download"):
            response["Content-Disposition"] = f'attachment; filename="qr-{collector.code}.svg"'
        return response


class CollectorPosterView(LoginRequiredMixin, View):
    """The printable poster (A5 or A6 PDF)."""

    def get(self, request, pk):
        collector = selectors.collector_get_for_user(user=request.user, pk=pk)
        size = request.GET.get("size", "a5")
        if size not in codes.POSTER_SIZES:
            raise Http404
        try:
            pdf = codes.collector_poster_pdf(collector, size=size)
        except ApplicationError as exc:
            return HttpResponse(str(exc), status=500, content_type="text/plain; charset=utf-8")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="poster-{collector.code}-{size}.pdf"'
        )
        return response


class HeldListView(LoginRequiredMixin, FilteredListView):
    template_name = "places/held_list.html"
    context_object_name = "rows"
    paginate_by = 50

    def get_list(self, **filters):
        return selectors.held_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for row in context["rows"]:
            row.summary = selectors.draft_in_words(row)
        return context


class HeldDecideView(LoginRequiredMixin, ServiceActionView):
    accept = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.row = selectors.held_get_for_change(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        if self.accept:
            return services.place_response_accept(row=self.row, user=self.request.user)
        return services.place_response_reject(row=self.row, user=self.request.user)

    def get_success_message(self, result):
        if self.accept:
            return _("Accepted: these answers now count.")
        return _("Rejected: these answers were dropped.")

    def get_redirect_url(self):
        return reverse("places:held-list")


class HeldAcceptView(HeldDecideView):
    accept = True


class HeldRejectView(HeldDecideView):
    accept = False


class KioskIssueView(QualityManagerRequiredMixin, ServiceFormView):
    """Issue a kiosk device for a collector: the page shows its URL once (only the
    token's hash is kept), to open on the tablet."""

    template_name = "places/kiosk_form.html"
    form_class = KioskForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.collector = selectors.collector_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["collector"] = self.collector
        return super().get_context_data(**kwargs)

    def get_cancel_url(self):
        return reverse("places:place-detail", args=[self.collector.place_id])

    def form_valid(self, form):
        result = self.run_service(
            form,
            lambda: services.kiosk_issue(
                collector=self.collector,
                name=form.cleaned_data["name"],
                issued_by=self.request.user,
            ),
        )
        if result is None:
            return self.form_invalid(form)
        device, token = result
        url = base_url() + reverse("place:kiosk", args=[token])
        return self.render_to_response(
            self.get_context_data(form=form, issued=device, kiosk_url=url)
        )


class KioskRevokeView(QualityManagerRequiredMixin, ServiceActionView):
    template_name = "places/kiosk_revoke.html"
    success_message = gettext_lazy("Revoked: the tablet no longer takes answers.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.device = selectors.kiosk_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["device"] = self.device
        kwargs["cancel_url"] = reverse("places:place-detail", args=[self.device.collector.place_id])
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.kiosk_revoke(device=self.device)

    def get_redirect_url(self):
        return reverse("places:place-detail", args=[self.device.collector.place_id])
