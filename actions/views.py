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
from django.views.generic import TemplateView

from customers.models import Topic
from objectives.models import Objective, ObjectiveAnalysis
from qms.exceptions import ApplicationError
from qms.permissions import QualityManagerRequiredMixin
from qms.registry import registry
from qms.ui.columns import Column
from qms.ui.views import (
    FilteredListView,
    ServiceActionView,
    ServiceFormMixin,
    ServiceFormView,
)
from requirements.selectors import requirements_concerned
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

# The style of a transition's button (its label is the workflow's: services.WORKFLOW).
TRANSITION_STYLE = {
    S.CLOSED: "success",
    S.REOPENED: "warning",
    S.CANCELLED: "outline-danger",
    S.NO_ACTION_NEEDED: "outline-secondary",
}


def _int(value):
    return int(value) if value and str(value).isdigit() else None


class ActionBoardView(LoginRequiredMixin, FilteredListView):
    template_name = "actions/board.html"
    context_object_name = "actions"
    paginate_by = 25
    filter_form_class = ActionFilterForm
    csv_filename = "corrective-actions.csv"
    csv_columns = (
        Column(gettext_lazy("Reference"), "reference"),
        Column(gettext_lazy("Title"), "title"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Opened from"), "get_source_kind_display"),
        Column(gettext_lazy("Department"), "department.code"),
        Column(gettext_lazy("Owner"), "owner"),
        Column(gettext_lazy("Topic"), "topic"),
        Column(gettext_lazy("Original due date"), "due_date"),
        Column(gettext_lazy("Current due date"), "current_due_date"),
        Column(gettext_lazy("Verdict"), "get_verdict_display"),
        Column(gettext_lazy("Measures done"), lambda a: f"{a.measures_done}/{a.measure_count}"),
    )

    def get_filters(self, data):
        return {
            "search": data["q"],
            "status": data["status"],
            "source": data["source"],
            "department_id": data["department"].pk if data["department"] else None,
            "owner_id": data["owner"].pk if data["owner"] else None,
            "topic_id": data["topic"].pk if data["topic"] else None,
            "overdue": data["overdue"],
        }

    def get_list(self, **filters):
        return selectors.action_list(user=self.request.user, **filters)


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


class ActionCreateView(QualityManagerRequiredMixin, ServiceFormView):
    """Open an action by hand, or prefilled from its source:
    `?wave=&topic=` or `?survey=<id or code>&topic=<id or slug>` (a survey finding),
    `?case=` (a follow-up case), `?analysis=` or `?objective=` (a missed objective),
    `?complaint=` (complaint numbers; the form then picks them from its list)."""

    template_name = "actions/action_form.html"
    form_class = ActionCreateForm

    def get_initial(self):
        get = self.request.GET
        topic = Topic.objects.filter(pk=_int(get.get("topic"))).first() or (
            Topic.objects.filter(slug=get.get("topic")).first() if get.get("topic") else None
        )
        wave = (
            Wave.objects.select_related("survey_version__survey")
            .filter(pk=_int(get.get("wave")))
            .first()
        )
        if wave is None and get.get("survey"):
            # From the survey analysis page: the survey's latest wave that has started.
            survey = get["survey"]
            key = {"pk": int(survey)} if survey.isdigit() else {"code": survey}
            wave = (
                Wave.objects.select_related("survey_version__survey")
                .filter(
                    **{f"survey_version__survey__{k}": v for k, v in key.items()},
                    started_at__isnull=False,
                )
                .order_by("-starts_at", "-id")
                .first()
            )
        case = (
            FollowUpCase.objects.select_related("customer", "response__survey")
            .filter(pk=_int(get.get("case")))
            .first()
        )
        analysis = (
            ObjectiveAnalysis.objects.select_related("objective__department")
            .filter(pk=_int(get.get("analysis")))
            .first()
        )
        objective = (
            analysis.objective
            if analysis
            else Objective.objects.select_related("department")
            .filter(pk=_int(get.get("objective")))
            .first()
        )
        complaint, complaints = None, []
        if get.get("complaint"):
            try:
                complaints = selectors.complaints_from_refs(get["complaint"][:200])
            except ApplicationError:
                complaints = []
            if len(complaints) == 1:
                complaint = complaints[0]
        initial = {"source_kind": SourceKind.MANUAL}
        initial.update(
            selectors.initial_from_source(
                case=case,
                complaint=complaint,
                wave=wave,
                topic=topic,
                objective=objective,
                analysis=analysis,
            )
        )
        if wave is not None:
            initial["question_code"] = get.get("question", "")[:40]
        if get.get("complaint") and complaint is None:
            initial.update(source_kind=SourceKind.COMPLAINT, complaints=complaints)
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        topic = form["topic"].value()
        topic_id = getattr(topic, "pk", topic)
        context.update(_similar_context(self.request.user, _int(topic_id)))
        return context

    def perform(self, form):
        d = dict(form.cleaned_data)
        kind = d["source_kind"]
        # Only the source fields of the chosen kind are kept.
        keep = {
            SourceKind.SURVEY_FINDING: ("wave", "question_code"),
            SourceKind.FOLLOWUP_CASE: ("followup_case",),
            SourceKind.MISSED_OBJECTIVE: ("objective", "objective_analysis"),
            SourceKind.COMPLAINT: ("complaints",),
        }.get(kind, ())
        for name in (
            "wave",
            "question_code",
            "followup_case",
            "objective",
            "objective_analysis",
            "complaints",
        ):
            if name not in keep:
                d.pop(name)
        return services.action_create(actor=self.request.user, **d)

    def get_success_message(self, action):
        return _("%(ref)s opened. Record the containment next.") % {"ref": action.reference}

    def get_success_url(self, action):
        return reverse("actions:action-detail", args=[action.pk])


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
            for transition in services.WORKFLOW.allowed(action):
                to = transition.target
                transitions.append(
                    {
                        "to": to,
                        "label": transition.label,
                        "style": TRANSITION_STYLE.get(to, "primary"),
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
            proposal=(
                selectors.criterion_proposal(action)
                if user.is_quality_manager and not detail["criteria"]
                else None
            ),
            measure_status_choices=MeasureStatusForm.base_fields["status"].choices,
            can_edit=user.is_quality_manager and not action.is_terminal,
            needs=(
                requirements_concerned(topic_ids=[action.topic_id], user=user)
                if action.topic_id
                else []
            ),
            **detail,
            **(_step_forms(action) if user.is_quality_manager else {}),
            **_similar_context(user, action.topic_id, exclude_pk=action.pk),
        )
        context.update(kwargs.get("override_forms", {}))
        return context


class ActionReportView(ActionDetailView):
    """A printable 8D report (D1 team … D8 closure)."""

    template_name = "actions/report_8d.html"


class ActionStepView(ActionObjectMixin, QualityManagerRequiredMixin, ServiceFormMixin, View):
    """POST one step of the action (containment, root cause, a measure, the criterion,
    an extension, a transition, a merge). On an error the action page is shown again with
    the form and its message."""

    STEPS = {
        "containment": (ContainmentForm, "containment_form"),
        "root-cause": (RootCauseForm, "root_cause_form"),
        "measure": (MeasureForm, "measure_form"),
        "windows": (WindowsForm, "windows_form"),
        "extension": (ExtensionForm, "extension_form"),
        "transition": (TransitionForm, None),
        "merge": (MergeForm, "merge_form"),
    }
    AUTO_IDS = {
        "measure": "id_measure_%s",
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
            message = self.run_service(form, lambda: self.run(step, form))
            if message is not None:
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


class ActionCriterionView(ActionObjectMixin, QualityManagerRequiredMixin, ServiceFormView):
    """Choose an effectiveness criterion in words: the metric from a list of plain names
    and descriptions, its parameters from lists of the portal's surveys, questions,
    topics and segments, with the metric's current value and n, starting from the
    proposal made from the action's source. `?metric_key=` (and `param_...`,
    `target_change_pct`) choose without saving, so the page works without JavaScript."""

    template_name = "actions/criterion_form.html"
    form_class = CriterionForm

    def _chosen(self) -> dict:
        if not hasattr(self, "_chosen_cache"):
            get = self.request.GET
            proposal = selectors.criterion_proposal(self.action)
            if get.get("metric_key"):
                initial = {k: v for k, v in get.items() if k.startswith("param_") and v}
                initial["metric_key"] = get["metric_key"]
                if get.get("target_change_pct"):
                    initial["target_change_pct"] = get["target_change_pct"]
            elif proposal:
                initial = {
                    "metric_key": proposal["metric_key"],
                    "target_change_pct": proposal["target_change_pct"],
                    **{f"param_{k}": v for k, v in proposal["metric_params"].items()},
                }
            else:
                initial = {}
            self._chosen_cache = {"initial": initial, "proposal": proposal}
        return self._chosen_cache

    def get_initial(self):
        return dict(self._chosen()["initial"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["metric_key"] = self.request.POST.get("metric_key")
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        preview = None
        if form.metric is not None:
            params = {
                name.removeprefix("param_"): form[name].value()
                for name in form.fields
                if name.startswith("param_") and form[name].value() not in (None, "")
            }
            preview = selectors.criterion_preview(metric_key=form.metric.key, params=params)
        context.update(
            action=self.action,
            metrics=registry.all(),
            chosen=form.metric,
            preview=preview,
            proposal=self._chosen()["proposal"],
        )
        return context

    def perform(self, form):
        return services.criterion_add(
            actor=self.request.user, action=self.action, **form.service_kwargs()
        )

    def get_success_message(self, criterion):
        return _("Effectiveness criterion added: %(words)s.") % {"words": criterion.words}

    def get_success_url(self, result=None):
        return reverse("actions:action-detail", args=[self.action.pk]) + "#effectiveness"

    def get_cancel_url(self):
        return reverse("actions:action-detail", args=[self.action.pk])


class MeasureStatusView(LoginRequiredMixin, ServiceActionView):
    """Owners, their department heads and quality managers move a measure's status."""

    form_class = MeasureStatusForm
    invalid_message = gettext_lazy("Choose a status.")

    def post(self, request, *args, **kwargs):
        self.measure = selectors.measure_get_for_user(user=request.user, pk=kwargs["pk"])
        if not services.can_update_measure(request.user, self.measure):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        services.measure_set_status(
            actor=self.request.user, measure=self.measure, status=form.cleaned_data["status"]
        )

    def get_success_message(self, result):
        return _("“%(title)s” is now %(status)s.") % {
            "title": self.measure.title,
            "status": self.measure.get_status_display(),
        }

    def get_redirect_url(self):
        if self.request.POST.get("next") == "mine":
            return reverse("actions:mine")
        return reverse("actions:action-detail", args=[self.measure.action_id])
