"""Survey authoring pages: surveys, versions and their questions, alert rules. The
survey's page (waves, exports, analysis) is the satisfaction app's hub; these pages go
back to it by its URL name."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView

from qms.permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from qms.ui.forms import service_error_messages
from qms.ui.views import SERVICE_ERRORS, FilteredListView, ServiceActionView, ServiceFormView

from . import library, selectors, services
from .forms import (
    AlertRuleForm,
    IntroForm,
    QuestionForm,
    SurveyForm,
    SurveyUpdateForm,
    VersionTextsForm,
    answer_options,
)
from .models import AlertRule, SurveyVersion

# --- Surveys ---------------------------------------------------------------------------


class SurveyCreateView(QualityManagerRequiredMixin, ServiceFormView):
    template_name = "surveys/survey_form.html"
    form_class = SurveyForm
    success_message = _lazy("Survey created. Add its questions, then publish.")

    def perform(self, form):
        return services.survey_create(created_by=self.request.user, **form.cleaned_data)

    def get_success_url(self, survey):
        return reverse("surveys:version-detail", args=[survey.versions.get().pk])


class SurveyMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.can_view_all:
            self.survey = selectors.survey_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class SurveyUpdateView(QualityManagerRequiredMixin, SurveyMixin, ServiceFormView):
    template_name = "surveys/survey_form.html"
    form_class = SurveyUpdateForm
    success_message = _lazy("Survey saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = selectors.survey_get_for_user(
            user=self.request.user, pk=self.survey.pk
        )
        return kwargs

    def perform(self, form):
        return services.survey_update(survey=self.survey, **form.cleaned_data)

    def get_success_url(self, survey):
        return reverse("satisfaction:survey-detail", args=[survey.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(survey=self.survey, **kwargs)


# --- Alert rules -----------------------------------------------------------------------


class AlertRuleFormMixin(QualityManagerRequiredMixin, SurveyMixin):
    template_name = "surveys/alert_rule_form.html"
    form_class = AlertRuleForm

    def get_form_kwargs(self):
        version = selectors.latest_version(survey=self.survey)
        questions = selectors.version_questions(version=version) if version else []
        return {**super().get_form_kwargs(), "questions": questions}

    def get_success_url(self, rule=None):
        return reverse("satisfaction:survey-detail", args=[self.survey.pk]) + "#alert-rules"

    def get_cancel_url(self):
        return self.get_success_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            survey=self.survey, rule=getattr(self, "rule", None), **kwargs
        )


class AlertRuleMixin:
    """The rule of the URL; goes after SurveyMixin (a rule of another survey is a 404)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.can_view_all:
            self.rule = selectors.alert_rule_get_for_user(
                user=request.user, pk=kwargs["rule_pk"], survey=self.survey
            )
        return super().dispatch(request, *args, **kwargs)


class AlertRuleCreateView(AlertRuleFormMixin, ServiceFormView):
    success_message = _lazy("Alert rule added.")

    def get_initial(self):
        return {"deadline_hours": services.default_follow_up_hours()}

    def perform(self, form):
        return services.alert_rule_create(survey=self.survey, **form.cleaned_data)


class AlertRuleUpdateView(AlertRuleFormMixin, AlertRuleMixin, ServiceFormView):
    success_message = _lazy("Alert rule saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A copy: the form writes its input into the instance while validating.
        kwargs["instance"] = AlertRule.objects.get(pk=self.rule.pk)
        return kwargs

    def perform(self, form):
        return services.alert_rule_update(rule=self.rule, **form.cleaned_data)


class AlertRuleDeleteView(
    QualityManagerRequiredMixin, SurveyMixin, AlertRuleMixin, ServiceActionView
):
    """GET asks for confirmation; POST deletes. The rule's history keeps who did it."""

    template_name = "surveys/alert_rule_delete.html"
    success_message = _lazy("Alert rule deleted.")

    def get_context_data(self, **kwargs):
        version = selectors.latest_version(survey=self.survey)
        row = next(
            r
            for r in selectors.alert_rule_rows(survey=self.survey, version=version)
            if r["rule"].pk == self.rule.pk
        )
        return super().get_context_data(
            survey=self.survey, row=row, cancel_url=self.get_redirect_url(), **kwargs
        )

    def perform(self, form):
        services.alert_rule_delete(rule=self.rule)

    def get_redirect_url(self):
        return reverse("satisfaction:survey-detail", args=[self.survey.pk]) + "#alert-rules"


class AlertRuleHistoryView(ViewAllRequiredMixin, SurveyMixin, FilteredListView):
    """Every change to the survey's alert rules, deleted rules included: who added,
    changed or removed which rule, and when."""

    template_name = "surveys/alert_rule_history.html"
    context_object_name = "records"
    paginate_by = 25

    def get_list(self):
        return selectors.alert_rule_history(survey=self.survey)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(survey=self.survey, **kwargs)
        version = selectors.latest_version(survey=self.survey)
        questions = {
            q.code: q for q in (selectors.version_questions(version=version) if version else [])
        }
        rows = []
        for record in context["records"]:
            question = questions.get(record.question_code)
            choice_text = ""
            if question is not None and record.choice_code:
                choice_text = next(
                    (c.text() for c in question.choices.all() if c.code == record.choice_code), ""
                )
            rows.append(
                {
                    "record": record,
                    "question": question,
                    "condition": record.instance.condition_text(choice_text),
                }
            )
        context["rows"] = rows
        return context


# --- Versions and questions ------------------------------------------------------------


class VersionMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.can_view_all:
            self.version = selectors.version_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


def show_if_text(question, by_id=None) -> str:
    """The show-if condition in words: “Shown only if “How likely…?” is 0, 1, 2”."""
    source = question.show_if_question
    if by_id and question.show_if_question_id in by_id:
        source = by_id[question.show_if_question_id]  # with its choices prefetched
    if source is None:
        return ""
    labels = {str(v): label for v, label in answer_options(source)}
    values = [labels.get(str(v), str(v)) for v in question.show_if_values or []]
    return _("Shown only if “%(question)s” is %(values)s") % {
        "question": source.text(),
        "values": ", ".join(values),
    }


class VersionDetailView(ViewAllRequiredMixin, VersionMixin, TemplateView):
    """The survey builder: questions in order (on a draft: add from the library or
    from scratch, edit, drag or move, duplicate, delete), the customer texts in both
    languages with what is still missing, and a live preview at phone and desktop
    width in each language."""

    template_name = "surveys/version_detail.html"

    def get_context_data(self, **kwargs):
        editable = self.version.is_draft and self.request.user.is_quality_manager
        questions = selectors.version_questions(version=self.version)
        by_id = {q.pk: q for q in questions}
        return super().get_context_data(
            survey=self.version.survey,
            version=self.version,
            questions=questions,
            rows=[{"question": q, "show_if": show_if_text(q, by_id)} for q in questions],
            editable=editable,
            missing=services.version_missing_texts(version=self.version, questions=questions)
            if self.version.is_draft
            else [],
            library=library.QUESTIONS.values(),
            preview_language=self.request.GET.get("lang") == "zh-hans" and "zh-hans" or "en",
            **kwargs,
        )


class VersionTextsUpdateView(QualityManagerRequiredMixin, VersionMixin, ServiceFormView):
    """The texts the customer sees, English and Chinese side by side."""

    template_name = "surveys/version_texts.html"
    form_class = VersionTextsForm
    success_message = _lazy("Texts saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "version": self.version}

    def perform(self, form):
        return services.version_update_texts(version=self.version, **form.service_fields())

    def get_success_url(self, result=None):
        return reverse("surveys:version-detail", args=[self.version.pk])

    def get_cancel_url(self):
        return self.get_success_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            version=self.version,
            survey=self.version.survey,
            missing=services.version_missing_texts(version=self.version)
            if self.version.is_draft
            else [],
            **kwargs,
        )


class VersionIntroUpdateView(QualityManagerRequiredMixin, VersionMixin, ServiceActionView):
    form_class = IntroForm
    success_message = _lazy("Introduction saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": SurveyVersion(pk=self.version.pk)}

    def perform(self, form):
        services.version_update_intro(version=self.version, **form.cleaned_data)

    def get_redirect_url(self):
        return reverse("surveys:version-detail", args=[self.version.pk])


class VersionDraftCreateView(QualityManagerRequiredMixin, SurveyMixin, ServiceActionView):
    success_level = messages.INFO

    def perform(self, form):
        return services.version_draft_get_or_create(survey=self.survey)

    def get_success_message(self, draft):
        return _("You are editing draft version %s.") % draft.number

    def get_success_url(self, draft):
        return reverse("surveys:version-detail", args=[draft.pk])

    def get_redirect_url(self):
        return reverse("satisfaction:survey-detail", args=[self.survey.pk])


class VersionPublishView(QualityManagerRequiredMixin, VersionMixin, ServiceActionView):
    def perform(self, form):
        services.version_publish(version=self.version, user=self.request.user)

    def get_success_message(self, result):
        return _("Version %s published. It can now be sent in a wave.") % self.version.number

    def get_success_url(self, result):
        return reverse("satisfaction:survey-detail", args=[self.version.survey_id])

    def get_redirect_url(self):
        return reverse("surveys:version-detail", args=[self.version.pk])


class QuestionFormMixin:
    """The question form of a version (`self.version`); back to the version's editor."""

    template_name = "surveys/question_form.html"
    form_class = QuestionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "version": self.version}

    def get_success_url(self, question=None):
        return reverse("surveys:version-detail", args=[self.version.pk])

    def get_cancel_url(self):
        return self.get_success_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=self.version, survey=self.version.survey, **kwargs)


class QuestionCreateView(
    QualityManagerRequiredMixin, VersionMixin, QuestionFormMixin, ServiceFormView
):
    success_message = _lazy("Question added.")

    def perform(self, form):
        return services.question_create(version=self.version, **form.service_fields())


class QuestionMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.can_view_all:
            self.question = selectors.question_get_for_user(user=request.user, pk=kwargs["pk"])
            self.version = self.question.version
        return super().dispatch(request, *args, **kwargs)


class QuestionUpdateView(
    QualityManagerRequiredMixin, QuestionMixin, QuestionFormMixin, ServiceFormView
):
    success_message = _lazy("Question saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = selectors.question_get_for_user(
            user=self.request.user, pk=self.question.pk
        )
        return kwargs

    def perform(self, form):
        return services.question_update(question=self.question, **form.service_fields())

    def get_context_data(self, **kwargs):
        return super().get_context_data(question=self.question, **kwargs)


class QuestionDeleteView(QualityManagerRequiredMixin, QuestionMixin, ServiceActionView):
    """GET asks for confirmation; POST deletes."""

    template_name = "surveys/question_delete.html"
    success_message = _lazy("Question removed.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            question=self.question,
            version=self.version,
            survey=self.version.survey,
            dependants=list(self.question.dependants.all()),
            cancel_url=self.get_redirect_url(),
            **kwargs,
        )

    def perform(self, form):
        services.question_delete(question=self.question)

    def get_redirect_url(self):
        return reverse("surveys:version-detail", args=[self.version.pk])


class QuestionMoveView(QualityManagerRequiredMixin, QuestionMixin, ServiceActionView):
    """The keyboard and no-JavaScript way to reorder: one step up or down."""

    def perform(self, form):
        services.question_move(question=self.question, up=self.request.POST.get("dir") == "up")

    def get_redirect_url(self):
        return reverse("surveys:version-detail", args=[self.version.pk])


class QuestionDuplicateView(QualityManagerRequiredMixin, QuestionMixin, ServiceActionView):
    success_message = _lazy("Question duplicated: the copy is right below it.")

    def perform(self, form):
        return services.question_duplicate(question=self.question)

    def get_success_url(self, copy):
        return reverse("surveys:question-update", args=[copy.pk])

    def get_redirect_url(self):
        return reverse("surveys:version-detail", args=[self.version.pk])


class QuestionReorderView(QualityManagerRequiredMixin, VersionMixin, ServiceActionView):
    """The order after a drag and drop: `order` = the question ids, top first. Answers
    JSON to the page's script (which reloads the preview), a redirect otherwise."""

    def perform(self, form):
        try:
            order = [int(pk) for pk in self.request.POST.get("order", "").split(",") if pk]
        except ValueError:
            order = []
        services.question_reorder(version=self.version, order=order)

    def form_valid(self, form):
        if self.request.headers.get("X-Requested-With") != "fetch":
            return super().form_valid(form)
        try:
            with transaction.atomic():
                self.perform(form)
        except SERVICE_ERRORS as exc:
            return JsonResponse({"ok": False, "errors": service_error_messages(exc)}, status=400)
        return JsonResponse({"ok": True})

    def get_redirect_url(self):
        return reverse("surveys:version-detail", args=[self.version.pk]) + "#questions"


class QuestionLibraryAddView(QualityManagerRequiredMixin, VersionMixin, ServiceActionView):
    """One click: a standard question of the library at the end of the draft."""

    def perform(self, form):
        return services.question_add_from_library(
            version=self.version, key=self.request.POST.get("key", "")
        )

    def get_success_message(self, question):
        return _("Added: “%(text)s”.") % {"text": question.text()}

    def get_redirect_url(self):
        return reverse("surveys:version-detail", args=[self.version.pk]) + "#questions"
