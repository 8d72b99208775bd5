"""Pages of text coding: the coding queue, the texts, the model's versions and
accuracy, candidate new topics and the topic keywords. Views validate and call
services; who may do what is in selectors (user_can_*)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from customers.models import Topic
from customers.selectors import topic_get_for_user
from qms.permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from qms.ui.views import FilteredListView, ServiceActionView, page_context

from . import selectors, services
from .forms import CandidateTopicForm, KeywordFormSet, QueueCodeForm, TextFilterForm
from .models import CandidateTopic, Coding

PAGE_SIZE = 25


class CodingMixin(LoginRequiredMixin):
    """Quality managers, viewers and department heads (their department's texts)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.user_can_use_queue(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _safe_next(request) -> str:
    """The page to go back to (a path on this site), or ""."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _topic_names(ids) -> dict[int, Topic]:
    return Topic.objects.in_bulk(list(ids))


def _decorate(texts, user):
    """Attach codings, numbered suggestions and whether the user may code, for the
    templates (no queries in templates)."""
    codings = selectors.text_codings(texts=texts)
    topic_ids = {k for t in texts for k, _c in (t.suggestions or [])}
    topics = _topic_names(topic_ids)
    for text in texts:
        text.coding_list = codings.get(text.pk, [])
        text.suggestion_list = [
            (topics[k], round(100 * c)) for k, c in (text.suggestions or []) if k in topics
        ][:5]
        text.can_code = selectors.user_can_code_text(user, text)
    return texts


class QueueView(CodingMixin, TemplateView):
    template_name = "coding/queue.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        groups = selectors.queue_groups(user=user)
        wanted = self.request.GET.get("group", "")
        current = None
        if wanted == "none":
            current = next((g for g in groups if g.topic is None), None)
        elif wanted.isdigit():
            current = next((g for g in groups if g.topic and g.topic.pk == int(wanted)), None)
        if current is None and groups:
            current = groups[0]
        texts_qs = selectors.queue_texts(
            user=user,
            suggested=current.topic if current else None,
            unsuggested=bool(current and current.topic is None),
        )
        paging = page_context(self.request, texts_qs, PAGE_SIZE)
        texts = _decorate(list(paging["page_obj"].object_list), user)
        state = services.model_status()
        return super().get_context_data(
            groups=groups,
            current=current,
            group_key=(
                "" if current is None else ("none" if current.topic is None else current.topic.pk)
            ),
            texts=texts,
            topics=selectors.coding_topics(),
            model_error=state.error,
            has_model=state.version is not None and not state.error,
            total=sum(g.count for g in groups),
            can_manage=selectors.user_can_manage_topics(user),
            **paging,
            **kwargs,
        )


class QueueCodeView(CodingMixin, ServiceActionView):
    """Code one text in one click, or the ticked texts of a group to one topic."""

    form_class = QueueCodeForm

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "texts": selectors.text_list(user=user),
            "topics": selectors.coding_topics(),
        }

    def get_redirect_url(self):
        return _safe_next(self.request) or reverse("coding:queue")

    def get_invalid_message(self, form):
        return " ".join(form.non_field_errors()) or _("Choose texts and a topic.")

    def perform(self, form):
        if form.cleaned_data.get("none") and not form.cleaned_data.get("one"):
            return services.texts_no_topic(texts=form.cleaned_data["texts"], user=self.request.user)
        return services.texts_code(
            texts=form.cleaned_data["texts"],
            topics=[form.cleaned_data["topic"]],
            user=self.request.user,
            replace=form.cleaned_data.get("mode") != "add",
        )

    def get_success_message(self, result):
        return ngettext("%(n)d text coded.", "%(n)d texts coded.", result) % {"n": result}


class TextListView(CodingMixin, FilteredListView):
    template_name = "coding/text_list.html"
    context_object_name = "texts"
    paginate_by = PAGE_SIZE
    filter_form_class = TextFilterForm

    def get_list(self, **filters):
        return selectors.text_list(user=self.request.user, **filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _decorate(context["texts"], self.request.user)
        return context


class TextDetailView(CodingMixin, TemplateView):
    template_name = "coding/text_detail.html"

    def get_context_data(self, **kwargs):
        text = selectors.text_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        _decorate([text], self.request.user)
        return super().get_context_data(text=text, topics=selectors.coding_topics(), **kwargs)


class CodingRemoveView(CodingMixin, ServiceActionView):
    template_name = "coding/coding_confirm_remove.html"
    success_message = ""

    def get_coding(self) -> Coding:
        from django.http import Http404

        coding = (
            Coding.objects.select_related("text", "topic")
            .filter(pk=self.kwargs["pk"], text__in=selectors.text_list(user=self.request.user))
            .first()
        )
        if coding is None:
            raise Http404
        if not selectors.user_can_code_text(self.request.user, coding.text):
            # Readers who may not code (the viewer, staff) are refused before anything.
            raise PermissionDenied
        return coding

    def get_context_data(self, **kwargs):
        return super().get_context_data(coding=self.get_coding(), **kwargs)

    def get_redirect_url(self):
        return reverse("coding:text-detail", args=[self.get_coding().text_id])

    def perform(self, form):
        coding = self.get_coding()
        self.text_id = coding.text_id
        services.coding_remove(coding=coding, user=self.request.user)
        return coding

    def get_success_url(self, result):
        return reverse("coding:text-detail", args=[self.text_id])

    def get_success_message(self, result):
        return _("Topic “%s” removed from the text.") % result.topic


# --- The model ---------------------------------------------------------------------------


class ModelView(ViewAllRequiredMixin, TemplateView):
    template_name = "coding/model.html"

    def get_context_data(self, **kwargs):
        versions = list(selectors.model_versions(user=self.request.user)[:20])
        state = services.model_status()
        active = state.version
        per_topic = []
        coverage = None
        if active is not None:
            metrics = active.metrics or {}
            raw = metrics.get("per_topic") or {}
            topics = _topic_names(int(k) for k in raw if str(k).isdigit())
            for key, values in raw.items():
                topic = topics.get(int(key)) if str(key).isdigit() else None
                if topic is None or not isinstance(values, dict):
                    continue
                per_topic.append(
                    {
                        "topic": topic,
                        "precision": values.get("precision"),
                        "recall": values.get("recall"),
                        "support": values.get("support"),
                    }
                )
            per_topic.sort(key=lambda r: r["topic"].name.lower())
            at_threshold = (metrics.get("thresholds") or {}).get(
                f"{services._threshold():.1f}"
            ) or {}
            if at_threshold.get("coverage") is not None:
                coverage = {
                    "coverage": round(100 * at_threshold["coverage"]),
                    "precision": (
                        round(100 * at_threshold["precision"])
                        if at_threshold.get("precision") is not None
                        else None
                    ),
                }
        return super().get_context_data(
            versions=versions,
            active=active,
            model_error=state.error,
            accuracy_percent=(
                round(100 * active.accuracy) if active and active.accuracy is not None else None
            ),
            per_topic=per_topic,
            coverage=coverage,
            overview=selectors.coding_overview(),
            threshold=services._threshold(),
            queue_total=selectors.queue_count(user=self.request.user),
            **kwargs,
        )


class ModelTrainView(QualityManagerRequiredMixin, ServiceActionView):
    def get_redirect_url(self):
        return reverse("coding:model")

    def perform(self, form):
        version = services.model_train()
        if version is None:
            from qms.exceptions import ApplicationError

            raise ApplicationError(
                _("Too few confirmed codings to learn from: code texts to two topics or more.")
            )
        services.recode_queue()
        return version

    def get_success_message(self, result):
        return _("A new model was trained on %(n)d examples.") % {"n": result.n_examples}


# --- Candidate new topics ----------------------------------------------------------------


class CandidateListView(ViewAllRequiredMixin, TemplateView):
    template_name = "coding/candidate_list.html"

    def get_context_data(self, **kwargs):
        candidates = list(selectors.candidate_list(user=self.request.user)[:30])
        examples = selectors.candidate_examples(candidates=candidates)
        for candidate in candidates:
            candidate.examples = examples.get(candidate.pk, [])
            candidate.form = CandidateTopicForm(
                terms=candidate.top_terms[:6],
                initial={"name": " ".join(candidate.top_terms[:2]).capitalize()},
                prefix=f"c{candidate.pk}",
            )
        return super().get_context_data(
            candidates=candidates,
            can_manage=selectors.user_can_manage_topics(self.request.user),
            **kwargs,
        )


class CandidateObjectMixin:
    def get_candidate(self) -> CandidateTopic:
        if not hasattr(self, "_candidate"):
            self._candidate = selectors.candidate_get_for_user(
                user=self.request.user, pk=self.kwargs["pk"]
            )
        return self._candidate


class CandidateTopicCreateView(
    QualityManagerRequiredMixin, CandidateObjectMixin, ServiceActionView
):
    form_class = CandidateTopicForm

    def get_form_kwargs(self):
        candidate = self.get_candidate()
        return {
            **super().get_form_kwargs(),
            "terms": candidate.top_terms[:6],
            "prefix": f"c{candidate.pk}",
        }

    def get_redirect_url(self):
        return reverse("coding:candidate-list")

    def get_invalid_message(self, form):
        return _("Give the topic a name.")

    def perform(self, form):
        return services.candidate_make_topic(
            candidate=self.get_candidate(),
            name=form.cleaned_data["name"],
            keywords=form.chosen_keywords(),
            user=self.request.user,
        )

    def get_success_url(self, result):
        return reverse("coding:keywords", args=[result.pk])

    def get_success_message(self, result):
        return _("Topic “%s” created with its keywords; the queue is being coded again.") % result


class CandidateDismissView(QualityManagerRequiredMixin, CandidateObjectMixin, ServiceActionView):
    template_name = "coding/candidate_confirm_dismiss.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(candidate=self.get_candidate(), **kwargs)

    def get_redirect_url(self):
        return reverse("coding:candidate-list")

    def perform(self, form):
        return services.candidate_dismiss(candidate=self.get_candidate(), user=self.request.user)

    def get_success_message(self, result):
        return _("The group was dismissed.")


# --- Keywords of a topic -----------------------------------------------------------------


class KeywordEditView(QualityManagerRequiredMixin, TemplateView):
    """The topic's keywords and phrases, in rows (English, Chinese or any language)."""

    template_name = "coding/keywords.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_quality_manager:
            self.topic = topic_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if "formset" not in kwargs:
            kwargs["formset"] = KeywordFormSet(
                initial=[
                    {"phrase": k.phrase, "language": k.language}
                    for k in selectors.topic_keywords(topic=self.topic)
                ]
            )
        return super().get_context_data(topic=self.topic, **kwargs)

    def post(self, request, *args, **kwargs):
        formset = KeywordFormSet(request.POST)
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(formset=formset))
        rows = [
            (form.cleaned_data.get("phrase", ""), form.cleaned_data.get("language", ""))
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        count = services.keywords_set(topic=self.topic, keywords=rows)
        services.recode_queue()
        messages.success(
            request,
            ngettext(
                "%(topic)s has %(n)d keyword; the queue is being coded again.",
                "%(topic)s has %(n)d keywords; the queue is being coded again.",
                count,
            )
            % {"topic": self.topic, "n": count},
        )
        return redirect(_safe_next(request) or reverse("coding:keywords", args=[self.topic.pk]))
