"""The management review (ISO 9001 clause 9.3) and its decisions."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from qms.ui.forms import service_error_messages
from qms.ui.views import FilteredListView, ServiceActionView, ServiceFormView

from .. import selectors, services
from ..forms import DecisionCloseForm, DecisionForm, ReviewForm, ReviewNotesForm
from ..models import ManagementReview
from ..permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from ..review import review_pack
from ..review_pdf import review_pdf_render


class ReviewListView(ViewAllRequiredMixin, FilteredListView):
    template_name = "qms/review_list.html"
    context_object_name = "reviews"
    paginate_by = 25

    def get_list(self):
        return selectors.review_list()


class ReviewCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "qms/review_form.html"
    form_class = ReviewForm
    success_message = gettext_lazy("Review planned. Its inputs are compiled below.")

    def get_initial(self):
        today = timezone.localdate()
        return {
            "title": _("Management review %(year)s") % {"year": today.year},
            "period_label": str(today.year),
            "meeting_date": today,
        }

    def perform(self, form):
        return services.review_create(chair=self.request.user, **form.cleaned_data)

    def get_success_url(self, review):
        return reverse("qms:review-detail", args=[review.pk])

    def get_cancel_url(self):
        return reverse("qms:review-list")


class ReviewDetailView(ViewAllRequiredMixin, TemplateView):
    """The review pack: inputs compiled by the portal (live until the review is held,
    then frozen), the outputs recorded as decisions, and open decisions from before."""

    template_name = "qms/review_detail.html"

    def get_context_data(self, **kwargs):
        review = selectors.review_get(pk=kwargs["pk"])
        context = super().get_context_data(**kwargs)
        context.update(review_pack(review=review))
        if self.request.user.is_quality_manager:
            context["decision_form"] = DecisionForm()
            if review.status == ManagementReview.Status.PLANNED:
                context["notes_form"] = ReviewNotesForm(instance=review)
        return context


class ReviewPdfView(ViewAllRequiredMixin, View):
    """The same pack as a PDF file (rendered by `qms.review_pdf`)."""

    def get(self, request, *args, **kwargs):
        review = selectors.review_get(pk=kwargs["pk"])
        pdf = review_pdf_render(review=review, language=translation.get_language())
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="management-review-{review.pk}.pdf"'
        )
        return response


class ReviewMixin:
    """The review of the URL, loaded once signed in."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.review = selectors.review_get(pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=self.review, **kwargs)


class ReviewNotesView(ReviewMixin, QualityManagerRequiredMixin, ServiceFormView):
    form_class = ReviewNotesForm
    template_name = "qms/review_notes_form.html"
    success_message = gettext_lazy("Review saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": selectors.review_get(pk=self.review.pk)}

    def perform(self, form):
        return services.review_update(review=self.review, **form.cleaned_data)

    def get_success_url(self, review):
        return reverse("qms:review-detail", args=[review.pk])

    def get_cancel_url(self):
        return reverse("qms:review-detail", args=[self.review.pk])


class ReviewHoldView(ReviewMixin, QualityManagerRequiredMixin, ServiceActionView):
    template_name = "qms/review_confirm_hold.html"
    success_message = gettext_lazy("Review recorded as held; its inputs are frozen.")

    def perform(self, form):
        services.review_hold(review=self.review, actor=self.request.user)

    def get_redirect_url(self):
        return reverse("qms:review-detail", args=[self.review.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=self.get_redirect_url(), **kwargs)


class DecisionCreateView(QualityManagerRequiredMixin, ServiceActionView):
    """The decision form of the review page; errors come back as messages above its
    decisions. There is no page to GET."""

    form_class = DecisionForm
    success_message = gettext_lazy("Decision recorded.")

    def get(self, request, *args, **kwargs):
        raise Http404

    def post(self, request, *args, **kwargs):
        self.review = selectors.review_get(pk=kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(
                self.request, f"{label}: {' '.join(errors)}" if label else " ".join(errors)
            )
        return super().form_invalid(form)

    def service_failed(self, exc):
        messages.error(self.request, " ".join(service_error_messages(exc)))
        return redirect(self.get_redirect_url())

    def perform(self, form):
        return services.decision_add(review=self.review, **form.cleaned_data)

    def get_success_url(self, decision):
        return reverse("qms:review-detail", args=[self.review.pk])

    def get_redirect_url(self):
        return reverse("qms:review-detail", args=[self.review.pk]) + "#decisions"


class DecisionCloseView(LoginRequiredMixin, ServiceFormView):
    form_class = DecisionCloseForm
    template_name = "qms/decision_close_form.html"
    success_message = gettext_lazy("Decision closed.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.decision = selectors.decision_get_for_user(user=request.user, pk=kwargs["pk"])
            user = request.user
            if not (user.is_quality_manager or self.decision.owner_id == user.pk):
                raise PermissionDenied  # viewers read decisions; their owners close them
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(decision=self.decision, **kwargs)

    def perform(self, form):
        return services.decision_close(
            decision=self.decision, actor=self.request.user, **form.cleaned_data
        )

    def get_success_url(self, decision):
        if self.request.user.can_view_all:
            return reverse("qms:review-detail", args=[decision.review_id])
        return reverse("qms:home")
