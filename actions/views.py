"""Pages of corrective actions. Views validate with forms and call services; the rules
live in services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from customers.models import Topic
from objectives.models import Objective, ObjectiveAnalysis
from qms.csv_export import csv_response
from qms.exceptions import ApplicationError
from qms.permissions import QualityManagerRequiredMixin
from qms.views import ServiceFormMixin
from satisfaction.models import FollowUpCase, Wave

from . import selectors, services
from .forms import (
    ActionCreateForm,
    ActionFilterForm,
    ContainmentForm,
    CriterionForm,
    ExtensionForm,
    MeasureForm,
    MeasureStatusForm,
    MergeForm,
    RootCauseForm,
    TransitionForm,
    WindowsForm,
)
from .models import CorrectiveAction, SourceKind

S = CorrectiveAction.Status

# Transition buttons: label, Bootstrap style, and whether the form asks for more.
TRANSITION_UI = {
    S.CONTAINMENT: (gettext_lazy("Start containment"), "primary"),
    S.ROOT_CAUSE: (gettext_lazy("Start root-cause analysis"), "primary"),
    S.PLANNED: (gettext_lazy("Plan the measures"), "primary"),
    S.IMPLEMENTING: (gettext_lazy("Start implementing"), "primary"),
    S.EFFECTIVENESS_CHECK: (gettext_lazy("Implemented: check the effect"), "primary"),
    S.CLOSED: (gettext_lazy("Verify and close"), "success"),
    S.REOPENED: (gettext_lazy("Reopen"), "warning"),
    S.CANCELLED: (gettext_lazy("Cancel the action"), "outline-danger"),
    S.NO_ACTION_NEEDED: (gettext_lazy("No action needed"), "outline-secondary"),
}


def _int(value):
    return int(value) if value and str(value).isdigit() else None


class ActionBoardView(LoginRequiredMixin, ListView):
    template_name = "actions/board.html"
    context_object_name = "actions"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = ActionFilterForm(self.request.GET or None)
        filters = {}
        if self.filter_form.is_valid():
            d = self.filter_form.cleaned_data
            filters = {
                "search": d["q"],
                "status": d["status"],
                "source": d["source"],
                "department_id": d["department"].pk if d["department"] else None,
                "owner_id": d["owner"].pk if d["owner"] else None,
                "overdue": d["overdue"],
            }
        return selectors.action_list(user=self.request.user, **filters)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            rows = (
                (
                    a.reference,
                    a.title,
                    a.get_status_display(),
                    a.get_source_kind_display(),
                    a.department.code,
                    a.owner,
                    a.topic or "",
                    a.due_date.isoformat(),
                    a.current_due_date.isoformat(),
                    a.get_verdict_display() if a.verdict else "",
                    f"{a.measures_done}/{a.measure_count}",
                )
                for a in self.get_queryset().iterator(chunk_size=500)
            )
            return csv_response(
                "corrective-actions.csv",
                [
                    _("Reference"),
                    _("Title"),
                    _("Status"),
                    _("Opened from"),
                    _("Department"),
                    _("Owner"),
                    _("Topic"),
                    _("Original due date"),
                    _("Current due date"),
                    _("Verdict"),
                    _("Measures done"),
                ],
                rows,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class ActionMineView(LoginRequiredMixin, TemplateView):
    template_name = "actions/mine.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            actions=list(selectors.my_actions(user=user)[:100]),
            measures=list(selectors.my_measures(user=user)[:100]),
            **kwargs,
        )


def _similar_context(user, topic_id, exclude_pk=None):
    topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
    return {
        "similar_topic": topic,
        "similar": selectors.similar_actions(
            user=user, topic_id=topic.pk if topic else None, exclude_pk=exclude_pk
        ),
    }


class ActionSimilarView(LoginRequiredMixin, TemplateView):
    """The "similar actions" panel (htmx swaps it in when the topic changes)."""

    template_name = "actions/partials/similar.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **_similar_context(self.request.user, _int(self.request.GET.get("topic"))), **kwargs
        )


class ActionCreateView(QualityManagerRequiredMixin, ServiceFormMixin, FormView):
    """Open an action by hand, or prefilled from its source:
    `?wave=&topic=` or `?survey=<id or code>&topic=<id or slug>` (a survey finding),
    `?case=` (a follow-up case), `?analysis=` or `?objective=` (a missed objective),
    `?complaint=` (complaint numbers)."""

    template_name = "actions/action_form.html"
    form_class = ActionCreateForm

    def get_initial(self):
        get = self.request.GET
        initial = {"source_kind": SourceKind.MANUAL}
        topic = Topic.objects.filter(pk=_int(get.get("topic"))).first() or (
            Topic.objects.filter(slug=get.get("topic")).first() if get.get("topic") else None
        )
        if topic:
            initial["topic"] = topic
        wave = Wave.objects.filter(pk=_int(get.get("wave"))).first()
        if wave is None and get.get("survey"):
            # From the survey analysis page: the survey's latest wave that has started.
            survey = get["survey"]
            key = {"pk": int(survey)} if survey.isdigit() else {"code": survey}
            wave = (
                Wave.objects.filter(
                    **{f"survey_version__survey__{k}": v for k, v in key.items()},
                    started_at__isnull=False,
                )
                .order_by("-starts_at", "-id")
                .first()
            )
        if wave:
            initial.update(source_kind=SourceKind.SURVEY_FINDING, wave=wave)
            initial["question_code"] = get.get("question", "driver")[:40]
            initial["title"] = (
                _("Survey finding: %(topic)s (%(wave)s)") % {"topic": topic, "wave": wave}
                if topic
                else _("Survey finding (%(wave)s)") % {"wave": wave}
            )
        case = FollowUpCase.objects.filter(pk=_int(get.get("case"))).first()
        if case:
            initial.update(
                source_kind=SourceKind.FOLLOWUP_CASE,
                followup_case=case,
                title=_("Follow-up: %(reason)s") % {"reason": case.reason},
            )
        analysis = ObjectiveAnalysis.objects.filter(pk=_int(get.get("analysis"))).first()
        objective = (
            analysis.objective
            if analysis
            else Objective.objects.filter(pk=_int(get.get("objective"))).first()
        )
        if objective:
            initial.update(
                source_kind=SourceKind.MISSED_OBJECTIVE,
                objective=objective,
                objective_analysis=analysis,
                title=_("Missed objective: %(title)s") % {"title": objective.title},
                description=analysis.text if analysis else "",
            )
            if objective.department_id:
                initial["department"] = objective.department
        if get.get("complaint"):
            initial.update(source_kind=SourceKind.COMPLAINT, complaint_ref=get["complaint"][:200])
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        topic = form["topic"].value()
        topic_id = getattr(topic, "pk", topic)
        context.update(_similar_context(self.request.user, _int(topic_id)))
        return context

    def form_valid(self, form):
        d = dict(form.cleaned_data)
        kind = d["source_kind"]
        # Only the source fields of the chosen kind are kept.
        keep = {
            SourceKind.SURVEY_FINDING: ("wave", "question_code"),
            SourceKind.FOLLOWUP_CASE: ("followup_case",),
            SourceKind.MISSED_OBJECTIVE: ("objective", "objective_analysis"),
            SourceKind.COMPLAINT: ("complaint_ref",),
        }.get(kind, ())
        for name in (
            "wave",
            "question_code",
            "followup_case",
            "objective",
            "objective_analysis",
            "complaint_ref",
        ):
            if name not in keep:
                d.pop(name)
        action = self.run_service(
            form, lambda: services.action_create(actor=self.request.user, **d)
        )
        if action is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(ref)s opened. Record the containment next.") % {"ref": action.reference},
        )
        return redirect("actions:action-detail", pk=action.pk)


class ActionObjectMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.action = selectors.action_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


def _step_forms(action: CorrectiveAction) -> dict:
    """Forms prefilled with what the action already holds."""
    whys = list(action.root_cause_whys) + [""] * 5
    cats = action.root_cause_categories or {}
    return {
        "containment_form": ContainmentForm(
            initial={
                "containment": action.containment,
                "not_needed": action.containment_not_needed,
            }
        ),
        "root_cause_form": RootCauseForm(
            initial={
                "method": action.root_cause_method or "five_whys",
                "statement": action.root_cause,
                **{f"why{i + 1}": whys[i] for i in range(5)},
                **{k: v for k, v in cats.items() if k != "method"},
                "method_cause": cats.get("method", ""),
            }
        ),
        "measure_form": MeasureForm(
            initial={"department": action.department, "owner": action.owner},
            auto_id="id_measure_%s",
        ),
        "windows_form": WindowsForm(
            initial={
                "baseline_start": action.baseline_start,
                "baseline_end": action.baseline_end,
                "followup_start": action.followup_start,
                "followup_end": action.followup_end,
                "min_n": action.min_n,
            }
        ),
        "criterion_form": CriterionForm(auto_id="id_criterion_%s"),
        "extension_form": ExtensionForm(auto_id="id_extension_%s"),
        "merge_form": MergeForm(auto_id="id_merge_%s"),
    }


class ActionDetailView(ActionObjectMixin, TemplateView):
    template_name = "actions/action_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.action
        detail = selectors.action_detail(action=action)
        user = self.request.user
        for measure in detail["measures"]:
            measure.can_update = services.can_update_measure(user, measure)
        transitions = []
        if user.is_quality_manager:
            for to in services.allowed_transitions(action):
                label, style = TRANSITION_UI[to]
                transitions.append(
                    {
                        "to": to,
                        "label": label,
                        "style": style,
                        "form": TransitionForm(
                            initial={"to": to, "implemented_by": action.owner},
                            auto_id=f"id_{to}_%s",
                        ),
                        "needs_justification": to in (S.CANCELLED, S.NO_ACTION_NEEDED),
                        "needs_implementer": to == S.EFFECTIVENESS_CHECK,
                        "destructive": to in (S.CANCELLED, S.NO_ACTION_NEEDED),
                    }
                )
        context.update(
            action=action,
            transitions=transitions,
            chart=selectors.criteria_chart_data(detail["criteria"]),
            measure_status_choices=MeasureStatusForm.base_fields["status"].choices,
            can_edit=user.is_quality_manager and not action.is_terminal,
            **detail,
            **(_step_forms(action) if user.is_quality_manager else {}),
            **_similar_context(user, action.topic_id, exclude_pk=action.pk),
        )
        context.update(kwargs.get("override_forms", {}))
        return context


class ActionReportView(ActionDetailView):
    """A printable 8D report (D1 team … D8 closure)."""

    template_name = "actions/report_8d.html"


class ActionStepView(ActionObjectMixin, QualityManagerRequiredMixin, View):
    """POST one step of the action (containment, root cause, a measure, the criterion,
    an extension, a transition, a merge). On an error the action page is shown again with
    the form and its message."""

    STEPS = {
        "containment": (ContainmentForm, "containment_form"),
        "root-cause": (RootCauseForm, "root_cause_form"),
        "measure": (MeasureForm, "measure_form"),
        "windows": (WindowsForm, "windows_form"),
        "criterion": (CriterionForm, "criterion_form"),
        "extension": (ExtensionForm, "extension_form"),
        "transition": (TransitionForm, None),
        "merge": (MergeForm, "merge_form"),
    }
    AUTO_IDS = {
        "measure": "id_measure_%s",
        "criterion": "id_criterion_%s",
        "extension": "id_extension_%s",
        "merge": "id_merge_%s",
    }

    def get(self, request, *args, **kwargs):
        return redirect("actions:action-detail", pk=self.action.pk)

    def post(self, request, *args, **kwargs):
        step = kwargs["step"]
        if step not in self.STEPS:
            raise Http404
        form_class, context_name = self.STEPS[step]
        auto_id = self.AUTO_IDS.get(step, "id_%s")
        if step == "transition":
            auto_id = f"id_{request.POST.get('to', '')}_%s"
        form = form_class(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                message = self.run(step, form)
            except ApplicationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect("actions:action-detail", pk=self.action.pk)
        messages.error(request, _("Not saved: see the form below."))
        view = ActionDetailView()
        view.setup(request, *args, **kwargs)
        view.action = self.action
        override = {context_name: form} if context_name else {}
        context = view.get_context_data(pk=self.action.pk, override_forms=override)
        if step == "transition":
            for t in context["transitions"]:
                if t["to"] == form.data.get("to"):
                    t["form"] = form
                    t["open"] = True
        context["failed_step"] = step
        return view.render_to_response(context, status=400)

    def run(self, step, form) -> str:
        d = form.cleaned_data
        user, action = self.request.user, self.action
        if step == "containment":
            services.containment_record(
                actor=user, action=action, containment=d["containment"], not_needed=d["not_needed"]
            )
            return _("Containment recorded.")
        if step == "root-cause":
            services.root_cause_record(actor=user, action=action, **form.service_kwargs())
            return _("Root cause recorded.")
        if step == "measure":
            services.measure_add(actor=user, action=action, **d)
            return _("Measure added.")
        if step == "windows":
            services.criterion_set(actor=user, action=action, **d)
            return _("Windows of the effectiveness check saved.")
        if step == "criterion":
            services.criterion_add(actor=user, action=action, **d)
            return _("Effectiveness criterion added.")
        if step == "extension":
            services.extension_add(actor=user, action=action, **d)
            return _("Extension recorded; escalation still runs against the original date.")
        if step == "merge":
            survivor = selectors.action_get_for_user(user=user, pk=d["survivor"].pk)
            services.action_merge(actor=user, duplicate=action, survivor=survivor)
            return _("Merged into %(ref)s.") % {"ref": survivor.reference}
        services.action_transition(
            actor=user,
            action=action,
            to=d["to"],
            note=d["note"],
            justification=d["justification"],
            implemented_by=d["implemented_by"],
        )
        return _("Status changed to “%(status)s”.") % {"status": S(d["to"]).label}


class MeasureStatusView(LoginRequiredMixin, View):
    """Owners, their department heads and quality managers move a measure's status."""

    def post(self, request, pk):
        measure = selectors.measure_get_for_user(user=request.user, pk=pk)
        if not services.can_update_measure(request.user, measure):
            raise PermissionDenied
        form = MeasureStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a status."))
        else:
            try:
                services.measure_set_status(
                    actor=request.user, measure=measure, status=form.cleaned_data["status"]
                )
            except ApplicationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("“%(title)s” is now %(status)s.")
                    % {"title": measure.title, "status": measure.get_status_display()},
                )
        back = request.POST.get("next")
        if back == "mine":
            return redirect("actions:mine")
        return redirect(reverse("actions:action-detail", args=[measure.action_id]))
