"""The management review (ISO 9001 clause 9.3) and its decisions."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView, View

from .. import selectors, services
from ..exceptions import ApplicationError
from ..forms import DecisionCloseForm, DecisionForm, ReviewForm, ReviewNotesForm
from ..models import ManagementReview
from ..permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from ..review import review_pack
from ..review_pdf import review_pdf_render
from .base import ServiceFormMixin


class ReviewListView(ViewAllRequiredMixin, ListView):
    template_name = "qms/review_list.html"
    context_object_name = "reviews"
    paginate_by = 25

    def get_queryset(self):
        return selectors.review_list()


class ReviewCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    template_name = "qms/review_form.html"
    form_class = ReviewForm

    def get_initial(self):
        today = timezone.localdate()
        return {
            "title": _("Management review %(year)s") % {"year": today.year},
            "period_label": str(today.year),
            "meeting_date": today,
        }

    def form_valid(self, form):
        review = self.run_service(
            form,
            lambda: services.review_create(chair=self.request.user, **form.cleaned_data),
        )
        if review is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Review planned. Its inputs are compiled below."))
        return redirect("qms:review-detail", pk=review.pk)


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


class ReviewNotesView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    form_class = ReviewNotesForm
    template_name = "qms/review_notes_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.review = selectors.review_get(pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": selectors.review_get(pk=self.review.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=self.review, **kwargs)

    def form_valid(self, form):
        review = self.run_service(
            form, lambda: services.review_update(review=self.review, **form.cleaned_data)
        )
        if review is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Review saved."))
        return redirect("qms:review-detail", pk=review.pk)


class ReviewHoldView(QualityManagerRequiredMixin, TemplateView):
    template_name = "qms/review_confirm_hold.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.review = selectors.review_get(pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=self.review, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            services.review_hold(review=self.review, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Review recorded as held; its inputs are frozen."))
        return redirect("qms:review-detail", pk=self.review.pk)


class DecisionCreateView(QualityManagerRequiredMixin, FormView):
    form_class = DecisionForm

    def post(self, request, *args, **kwargs):
        review = selectors.review_get(pk=kwargs["pk"])
        form = self.get_form()
        if form.is_valid():
            try:
                services.decision_add(review=review, **form.cleaned_data)
            except (ApplicationError, ValidationError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("qms:review-detail", pk=review.pk)
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(
                    request, f"{label}: {' '.join(errors)}" if label else " ".join(errors)
                )
        return redirect(reverse("qms:review-detail", args=[review.pk]) + "#decisions")

    def get(self, request, *args, **kwargs):
        raise Http404


class DecisionCloseView(LoginRequiredMixin, ServiceFormMixin, FormView):
    form_class = DecisionCloseForm
    template_name = "qms/decision_close_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.decision = selectors.decision_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(decision=self.decision, **kwargs)

    def form_valid(self, form):
        decision = self.run_service(
            form,
            lambda: services.decision_close(
                decision=self.decision, actor=self.request.user, **form.cleaned_data
            ),
        )
        if decision is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Decision closed."))
        if self.request.user.can_view_all:
            return redirect("qms:review-detail", pk=decision.review_id)
        return redirect("qms:home")
