"""Pages for quality managers (design surveys and waves, read the analysis) and viewers
(read the analysis). Department heads and staff get 403 on survey pages."""

from __future__ import annotations

import tempfile

from csp.decorators import csp_replace
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import ListView, TemplateView

from qms.csv_export import csv_response
from qms.exceptions import ApplicationError
from qms.permissions import QualityManagerRequiredMixin, ViewAllRequiredMixin
from qms.ui.views import (
    FilteredListView,
    FilterMixin,
    ServiceActionView,
    ServiceFormView,
)
from surveys import selectors as survey_selectors
from surveys import services as survey_services
from surveys.models import Survey, SurveyVersion
from surveys.views import SurveyMixin, VersionMixin

from . import analysis, answering, exports, selectors, send_window, services
from .forms import (
    AnalysisFilterForm,
    CommentFilterForm,
    FollowUpForm,
    InvitationFilterForm,
    ResponseExportForm,
    SurveyFilterForm,
    WaveForm,
)
from .models import Invitation, ResponseExport, Wave

# --- Surveys ---------------------------------------------------------------------------


class SurveyListView(ViewAllRequiredMixin, FilteredListView):
    template_name = "satisfaction/survey_list.html"
    context_object_name = "surveys"
    paginate_by = 25
    filter_form_class = SurveyFilterForm

    def get_filters(self, data):
        return {"search": data["q"], "purpose": data["purpose"]}

    def get_list(self, **filters):
        return selectors.survey_list(user=self.request.user, **filters)


def _export_form(user, survey, wave=None):
    """The "Export responses" form of a detail page (quality managers only)."""
    if not user.is_quality_manager:
        return None
    return ResponseExportForm(survey=survey, initial={"wave": wave.pk if wave else None})


class SurveyDetailView(ViewAllRequiredMixin, SurveyMixin, TemplateView):
    template_name = "satisfaction/survey_detail.html"

    def get_context_data(self, **kwargs):
        versions = list(self.survey.versions.order_by("-number"))
        waves = Paginator(selectors.wave_list(user=self.request.user, survey=self.survey), 25)
        return super().get_context_data(
            survey=self.survey,
            versions=versions,
            alert_rules=survey_selectors.alert_rule_rows(
                survey=self.survey, version=versions[0] if versions else None
            ),
            default_follow_up_hours=survey_services.default_follow_up_hours(),
            draft=next((v for v in versions if v.is_draft), None),
            published=next((v for v in versions if not v.is_draft), None),
            waves=waves.get_page(self.request.GET.get("page")),
            export_form=_export_form(self.request.user, self.survey),
            **kwargs,
        )


@method_decorator(csp_replace({"frame-ancestors": ["'self'"]}), name="dispatch")
@method_decorator(xframe_options_sameorigin, name="dispatch")
class VersionPreviewView(ViewAllRequiredMixin, VersionMixin, TemplateView):
    """The questionnaire as a customer sees it; answers are checked, never stored. The
    builder shows it in a frame (phone and desktop width), so it may be framed by the
    portal's own pages."""

    template_name = "satisfaction/public/respond.html"

    def render_page(self, draft, errors, submitted=False):
        language = self.request.GET.get("lang") or self.request.POST.get("lang") or "en"
        if language not in ("en", "zh-hans"):
            language = "en"
        from django.utils import translation

        translation.activate(language)
        questions = survey_selectors.version_questions(version=self.version)
        return self.render_to_response(
            self.get_context_data(
                preview=True,
                survey=self.version.survey,
                survey_title=self.version.survey.title_in(language),
                version=self.version,
                intro=self.version.intro(language),
                questions=answering.views(questions, draft, errors, language),
                errors=errors,
                language=language,
                other_language="zh-hans" if language == "en" else "en",
                preview_ok=submitted and not errors,
            )
        )

    def get(self, request, *args, **kwargs):
        return self.render_page({}, {})

    def post(self, request, *args, **kwargs):
        questions = survey_selectors.version_questions(version=self.version)
        draft, errors = answering.parse(questions, request.POST)
        if not errors:
            errors = answering.validate(questions, draft)
        return self.render_page(draft, errors, submitted=True)


class VersionTestInvitationView(QualityManagerRequiredMixin, VersionMixin, ServiceActionView):
    """“Send me a test invitation”: the real invitation e-mail of this version, in the
    chosen language, to the quality manager's own address; its link stores nothing."""

    def perform(self, form):
        return services.trial_invitation_send(
            version=self.version,
            user=self.request.user,
            language=self.request.POST.get("lang", "en"),
        )

    def get_success_message(self, message):
        return _(
            "Test invitation sent to %(email)s. Its link shows the survey and stores nothing."
        ) % {"email": message.recipient}

    def get_redirect_url(self):
        return reverse("surveys:version-detail", args=[self.version.pk])


# --- Waves -----------------------------------------------------------------------------


class WaveCreateView(QualityManagerRequiredMixin, SurveyMixin, ServiceFormView):
    template_name = "satisfaction/wave_form.html"
    form_class = WaveForm
    success_message = _lazy("Wave created as a draft. Check it, then schedule it to send.")

    def get_initial(self):
        return {"name": f"{self.survey.title} {timezone.localdate():%Y-%m}"}

    def published_version(self):
        return (
            self.survey.versions.filter(status=SurveyVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )

    def perform(self, form):
        version = self.published_version()
        if version is None:
            raise ApplicationError(_("Publish a version of the survey first."))
        return services.wave_create(
            survey_version=version, created_by=self.request.user, **form.cleaned_data
        )

    def get_success_url(self, wave):
        return reverse("satisfaction:wave-detail", args=[wave.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            survey=self.survey,
            version=self.published_version(),
            org_zone=send_window.zone_name(),
            org_now=timezone.localtime(),
            **kwargs,
        )


class WaveMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.can_view_all:
            self.wave = selectors.wave_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class WaveDetailView(ViewAllRequiredMixin, WaveMixin, TemplateView):
    template_name = "satisfaction/wave_detail.html"

    def get_context_data(self, **kwargs):
        counts = selectors.wave_state_counts(wave=self.wave)
        sent = sum(counts[s] for s in ("sent", "opened", "started", "completed", "expired"))
        rate = analysis.share_score(sent, counts["completed"])
        reasons = selectors.wave_suppression_counts(wave=self.wave)
        return super().get_context_data(
            wave=self.wave,
            survey=self.wave.survey_version.survey,
            counts=[(Invitation.State(k).label, k, v) for k, v in counts.items()],
            total=sum(counts.values()),
            rate=rate,
            reasons=[(Invitation.Reason(k).label, v) for k, v in reasons.items()],
            org_zone=send_window.zone_name(),
            send_plan=(
                selectors.wave_send_plan(wave=self.wave)
                if counts["scheduled"] and self.wave.status == Wave.Status.RUNNING
                else []
            ),
            first_send=(
                selectors.wave_first_send(wave=self.wave)
                if self.wave.status in (Wave.Status.DRAFT, Wave.Status.SCHEDULED)
                else None
            ),
            export_form=_export_form(
                self.request.user, self.wave.survey_version.survey, wave=self.wave
            ),
            **kwargs,
        )


class WaveActionView(QualityManagerRequiredMixin, WaveMixin, ServiceActionView):
    ACTIONS = {
        "schedule": (services.wave_schedule, _lazy("Wave scheduled: it starts at its start time.")),
        "cancel": (services.wave_cancel, _lazy("Wave cancelled.")),
        "close": (services.wave_close, _lazy("Wave closed.")),
    }

    def perform(self, form):
        action = self.ACTIONS.get(self.request.POST.get("action", ""))
        if action is None:
            raise ApplicationError(_("Unknown action."))
        service, message = action
        service(wave=self.wave)
        return message

    def get_success_message(self, message):
        return str(message)

    def get_redirect_url(self):
        return reverse("satisfaction:wave-detail", args=[self.wave.pk])


class WaveInvitationListView(ViewAllRequiredMixin, WaveMixin, FilteredListView):
    template_name = "satisfaction/invitation_list.html"
    context_object_name = "invitations"
    paginate_by = 50
    filter_form_class = InvitationFilterForm

    def get_filters(self, data):
        return {"state": data["state"]}

    def get_list(self, **filters):
        return selectors.invitation_list(wave=self.wave, **filters)

    def get_context_data(self, **kwargs):
        survey = self.wave.survey_version.survey
        return super().get_context_data(
            wave=self.wave,
            survey=survey,
            show_identity=survey.identity_mode == Survey.IdentityMode.IDENTIFIED
            or self.request.user.is_quality_manager,
            **kwargs,
        )


# --- Analysis --------------------------------------------------------------------------


class SurveyAnalysisView(ViewAllRequiredMixin, SurveyMixin, FilterMixin, TemplateView):
    template_name = "satisfaction/survey_analysis.html"
    filter_form_class = AnalysisFilterForm

    def get_filter_form_kwargs(self):
        return {"survey": self.survey}

    def get_filters(self, data):
        return {"period": data["period"], "wave": data["wave"], "segment": data["segment"]}

    def get_context_data(self, **kwargs):
        report = analysis.survey_report(survey=self.survey, **self.filters)
        chart = {
            "labels": [row["month"].strftime("%Y-%m") for row in report.by_month],
            "nps": [row["scores"]["nps"].value for row in report.by_month],
            "csat": [row["scores"]["csat"].value for row in report.by_month],
            "ces": [row["scores"]["ces"].value for row in report.by_month],
            "nps_label": _("NPS"),
            "csat_label": _("CSAT %"),
            "ces_label": _("CES (mean)"),
        }
        pareto = {
            "labels": [row["label"] for row in report.drivers],
            "share": [row["share"] for row in report.drivers],
            "cumulative": [row["cumulative"] for row in report.drivers],
            "share_label": _("Share of dissatisfied respondents (%)"),
            "cumulative_label": (
                _("Cumulative share of mentions, several per respondent (%)")
                if report.drivers_several
                else _("Cumulative share of mentions (%)")
            ),
        }
        return super().get_context_data(
            survey=self.survey,
            report=report,
            trend_data=chart,
            pareto_data=pareto,
            **kwargs,
        )


class SurveyCommentListView(ViewAllRequiredMixin, SurveyMixin, FilteredListView):
    template_name = "satisfaction/comment_list.html"
    context_object_name = "comments"
    paginate_by = 25
    filter_form_class = CommentFilterForm

    def get_filter_form_kwargs(self):
        return {"survey": self.survey}

    def get_filters(self, data):
        return {
            "search": data["q"],
            "wave": data["wave"],
            "segment": data["segment"],
            "dissatisfied": {"yes": True, "no": False}.get(data["dissatisfied"]),
        }

    def get_list(self, **filters):
        return selectors.comment_list(survey=self.survey, **filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            survey=self.survey,
            show_identity=self.survey.identity_mode == Survey.IdentityMode.IDENTIFIED,
            **kwargs,
        )


class SurveyResponseExportView(QualityManagerRequiredMixin, SurveyMixin, View):
    """All answers of the survey as CSV, one row per answer, streamed whatever the size:
    the original export link, kept for bookmarks (ResponseExportCreateView adds XLSX, a
    wave filter and background builds). Identities only for identified surveys."""

    def get(self, request, *args, **kwargs):
        return _csv_download(self.survey, None)


def _csv_download(survey, wave):
    rows = exports.csv_rows(exports.export_rows(survey=survey, wave=wave))
    filename = exports.export_filename(survey=survey, wave=wave, format=ResponseExport.Format.CSV)
    return csv_response(filename, exports.export_header(), rows)


def _xlsx_download(survey, wave):
    """Built into a temporary file (deleted when the response is closed), then sent."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        exports.write_export(tmp, format=ResponseExport.Format.XLSX, survey=survey, wave=wave)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    response = FileResponse(
        tmp,
        as_attachment=True,
        filename=exports.export_filename(
            survey=survey, wave=wave, format=ResponseExport.Format.XLSX
        ),
        content_type=exports.CONTENT_TYPES[ResponseExport.Format.XLSX],
    )
    add_never_cache_headers(response)
    return response


class ResponseExportCreateView(QualityManagerRequiredMixin, SurveyMixin, ServiceActionView):
    """The "Export responses" form: a small export downloads at once; a large one (more
    answers than SATISFACTION_EXPORT_INLINE_MAX) is queued for a worker and listed on
    the exports page, and the requester gets an e-mail when it is ready."""

    http_method_names = ["post"]
    form_class = ResponseExportForm
    invalid_message = _lazy("Choose CSV or XLSX, and a wave of this survey.")
    success_message = _lazy(
        "This export is large, so it is being built in the background. It "
        "appears below when it is ready, and you will get an e-mail."
    )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "survey": self.survey}

    def form_valid(self, form):
        format, wave = form.cleaned_data["format"], form.cleaned_data["wave"]
        if not selectors.response_export_is_large(survey=self.survey, wave=wave):
            if format == ResponseExport.Format.XLSX:
                return _xlsx_download(self.survey, wave)
            return _csv_download(self.survey, wave)
        return super().form_valid(form)

    def perform(self, form):
        return services.export_request(
            survey=self.survey,
            format=form.cleaned_data["format"],
            requested_by=self.request.user,
            wave=form.cleaned_data["wave"],
        )

    def get_redirect_url(self):
        return reverse("satisfaction:export-list", args=[self.survey.pk])


class ResponseExportListView(QualityManagerRequiredMixin, SurveyMixin, ListView):
    """The survey's exports. While one is queued or being built, htmx reloads the table
    every few seconds; without JavaScript the "Refresh" link does the same."""

    template_name = "satisfaction/export_list.html"
    partial_template_name = "satisfaction/partials/export_table.html"
    context_object_name = "exports"
    paginate_by = 25

    def get_queryset(self):
        return selectors.export_list(user=self.request.user, survey=self.survey)

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return [self.partial_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            survey=self.survey,
            export_form=ResponseExportForm(survey=self.survey),
            keep_days=services.EXPORT_KEEP_FOR.days,
            **kwargs,
        )
        context["polling"] = any(export.is_pending for export in context["exports"])
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ResponseExportDownloadView(QualityManagerRequiredMixin, SurveyMixin, View):
    """The file of a finished export, through this view only (never a public media
    URL). Another survey's export, an unknown id or an expired file is a 404."""

    def get(self, request, *args, **kwargs):
        export = selectors.export_get_for_user(
            user=request.user, survey=self.survey, pk=kwargs["export_pk"]
        )
        if export.state != ResponseExport.State.DONE or not export.file:
            raise Http404
        try:
            handle = export.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=exports.export_filename(
                survey=self.survey, wave=export.wave, format=export.format
            ),
            content_type=exports.CONTENT_TYPES[export.format],
        )
        add_never_cache_headers(response)
        return response


# --- Follow-up cases -------------------------------------------------------------------


class FollowUpListView(LoginRequiredMixin, FilteredListView):
    """Filtered by links (state, mine), not a form: any state is passed on as it is."""

    template_name = "satisfaction/followup_list.html"
    context_object_name = "cases"
    paginate_by = 25

    def get_list(self):
        self.state = self.request.GET.get("state", "open")
        self.mine = self.request.GET.get("mine") == "1"
        return selectors.followup_list(user=self.request.user, state=self.state, mine=self.mine)

    def get_context_data(self, **kwargs):
        return super().get_context_data(state=self.state, mine=self.mine, **kwargs)


class FollowUpDetailView(LoginRequiredMixin, ServiceFormView):
    template_name = "satisfaction/followup_detail.html"
    form_class = FollowUpForm
    success_message = _lazy("Follow-up updated.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.case = selectors.followup_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"state": self.case.state}

    def perform(self, form):
        user = self.request.user
        if not (user.is_quality_manager or self.case.owner_id == user.pk):
            raise PermissionDenied
        services.followup_update(case=self.case, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("satisfaction:followup-detail", args=[self.case.pk])

    def get_context_data(self, **kwargs):
        user = self.request.user
        answers = self.case.response.answers.select_related("question", "choice").order_by(
            "question__position", "id"
        )
        return super().get_context_data(
            case=self.case,
            answers=answers,
            can_edit=user.is_quality_manager or self.case.owner_id == user.pk,
            **kwargs,
        )
