"""Writes and the workflow of corrective actions. Every rule of issue 7 lives here, so
the pages, the API and the scanners behave the same way.

Workflow: open → containment → root_cause → planned → implementing → effectiveness_check
→ closed; with reopened (a failed check), cancelled and no_action_needed (both justified).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import services as crm_services
from qms import webhooks
from qms.exceptions import ApplicationError
from qms.registry import Direction, Period, registry
from qms.services import impacts_check_plan_may_proceed, message_queue
from qms.services_kit import model_update
from qms.workflow import Ladder, Step, Transition, Workflow, due_rows, lock
from satisfaction import services as satisfaction_services

from . import selectors
from .models import (
    ActionExtension,
    ActionSource,
    ActionTransition,
    CorrectiveAction,
    EffectivenessCriterion,
    Measure,
    SourceKind,
)

logger = logging.getLogger(__name__)
S = CorrectiveAction.Status
V = CorrectiveAction.Verdict

# Escalation, each level once (message keys end in the level number, 1 to 4).
DUE_SOON_DAYS = 3  # the owner is reminded this many days before the original due date
HEAD_AFTER_DAYS = 3  # overdue this many days: the department head is told
QM_AFTER_DAYS = 7  # overdue this many days: the quality manager is told
BATCH = 100


def _now():
    return timezone.now()


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _require_qm(actor):
    if actor is None or not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager runs the corrective-action workflow."))


# --- Creating, similar actions, merging ---------------------------------------------


@transaction.atomic
def action_create(
    *,
    actor,
    title: str,
    department,
    owner,
    due_date: dt.date,
    description: str = "",
    topic=None,
    source_kind: str = SourceKind.MANUAL,
    wave=None,
    question_code: str = "",
    followup_case=None,
    objective=None,
    objective_analysis=None,
    complaint_ref: str = "",
    complaints=None,
    source_note: str = "",
) -> CorrectiveAction:
    """Open an action with its source. The reference (CA-2026-0007) comes from the id.
    A complaint source names its complaints (`complaints`, picked in the form) or their
    references (`complaint_ref`, "CMP-2026-00001, CMP-2026-00007", from the API)."""
    _require_qm(actor)
    if objective_analysis is not None and objective is None:
        objective = objective_analysis.objective
    action = CorrectiveAction(
        reference=f"TMP-{uuid.uuid4().hex[:12]}",
        title=title,
        description=description,
        topic=topic,
        department=department,
        owner=owner,
        source_kind=source_kind,
        due_date=due_date,
        current_due_date=due_date,
    )
    action.full_clean()
    action.save()
    action.reference = f"CA-{action.created_at.year}-{action.pk:04d}"
    action.save(update_fields=["reference", "updated_at"])
    if source_kind == SourceKind.COMPLAINT:
        # One source row per complaint: each complaint's page lists the action.
        # Picked in the form, or named by their references (the API).
        if not complaints:
            complaints = selectors.complaints_from_refs(complaint_ref)
        if not complaints:
            raise ApplicationError(_("Give the complaint reference(s)."))
        for complaint in complaints:
            source_add(action=action, kind=source_kind, complaint=complaint, note=source_note)
            crm_services.complaint_action_opened(
                complaint=complaint, reference=action.reference, actor=actor
            )
    elif source_kind != SourceKind.MANUAL or source_note:
        source_add(
            action=action,
            kind=source_kind,
            wave=wave,
            topic=topic if source_kind == SourceKind.SURVEY_FINDING else None,
            question_code=question_code,
            followup_case=followup_case,
            objective=objective,
            objective_analysis=objective_analysis,
            note=source_note,
        )
        if followup_case is not None and source_kind == SourceKind.FOLLOWUP_CASE:
            # The case moves on: it shows "action opened" and links here.
            satisfaction_services.followup_action_opened(
                case=followup_case, reference=action.reference
            )
    ActionTransition.record(action, from_status="", to_status=S.OPEN, actor=actor)
    ESCALATION.schedule(action)
    action.save(update_fields=["escalation_level", "next_escalation_at", "updated_at"])
    return action


def source_add(*, action: CorrectiveAction, kind: str, **fields) -> ActionSource:
    source = ActionSource(action=action, kind=kind, **fields)
    required = {
        SourceKind.SURVEY_FINDING: (
            source.wave_id,
            _("A survey finding names the wave it was found in."),
        ),
        SourceKind.FOLLOWUP_CASE: (source.followup_case_id, _("Choose the follow-up case.")),
        SourceKind.MISSED_OBJECTIVE: (
            source.objective_id or source.objective_analysis_id,
            _("Choose the missed objective."),
        ),
        SourceKind.COMPLAINT: (source.complaint_id, _("Give the complaint reference(s).")),
    }
    if kind in required and not required[kind][0]:
        raise ApplicationError(required[kind][1])
    source.full_clean()
    source.save()
    return source


@transaction.atomic
def action_merge(*, actor, duplicate: CorrectiveAction, survivor: CorrectiveAction):
    """Merge a duplicate into the surviving action: its sources move over, it is marked
    as a duplicate and cancelled with a justification pointing at the survivor."""
    _require_qm(actor)
    if duplicate.pk == survivor.pk:
        raise ApplicationError(_("An action cannot be merged into itself."))
    if duplicate.is_terminal:
        raise ApplicationError(_("This action is already finished; only open actions merge."))
    if survivor.status in (S.CANCELLED, S.NO_ACTION_NEEDED) or survivor.duplicate_of_id:
        raise ApplicationError(_("Merge into an action that is still going ahead."))
    moved = 0
    for source in duplicate.sources.all():
        source.pk = None
        source.action = survivor
        source.note = (
            source.note or _("carried over from %(ref)s") % {"ref": duplicate.reference}
        )[:300]
        source.save()
        moved += 1
    duplicate.duplicate_of = survivor
    _move(
        duplicate,
        S.CANCELLED,
        actor=actor,
        note=_("Duplicate of %(ref)s.") % {"ref": survivor.reference},
        at=_now(),
        justification=_("Merged into %(ref)s as a duplicate.") % {"ref": survivor.reference},
    )
    return moved


# --- Editing the steps ---------------------------------------------------------------


def _require_editable(action: CorrectiveAction):
    if action.is_terminal:
        raise ApplicationError(_("This action is finished and can no longer be changed."))


@transaction.atomic
def action_update(*, actor, action: CorrectiveAction, **fields) -> CorrectiveAction:
    _require_qm(actor)
    _require_editable(action)
    allowed = {"title", "description", "topic", "department", "owner"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    action, _changed = model_update(instance=action, fields=allowed, data=fields)
    return action


@transaction.atomic
def containment_record(
    *, actor, action: CorrectiveAction, containment: str = "", not_needed: bool = False
):
    _require_qm(actor)
    _require_editable(action)
    containment = (containment or "").strip()
    if not containment and not not_needed:
        raise ApplicationError(
            _("Describe the containment, or tick “containment not needed” if nothing must be held.")
        )
    action.containment = containment
    action.containment_not_needed = bool(not_needed) and not containment
    action.save(update_fields=["containment", "containment_not_needed", "updated_at"])
    return action


@transaction.atomic
def root_cause_record(
    *,
    actor,
    action: CorrectiveAction,
    method: str,
    statement: str,
    whys: list[str] | None = None,
    categories: dict[str, str] | None = None,
):
    _require_qm(actor)
    _require_editable(action)
    whys = [w.strip() for w in (whys or []) if w and w.strip()]
    categories = {k: v.strip() for k, v in (categories or {}).items() if v and v.strip()}
    if method == CorrectiveAction.RootCauseMethod.FIVE_WHYS:
        if not whys:
            raise ApplicationError(_("Write at least one “why” for the 5-whys analysis."))
        categories = {}
    elif method == CorrectiveAction.RootCauseMethod.CAUSE_CATEGORIES:
        unknown = set(categories) - set(CorrectiveAction.CAUSE_CATEGORIES)
        if unknown:
            raise ApplicationError(_("Unknown cause categories: %s") % ", ".join(sorted(unknown)))
        if not categories:
            raise ApplicationError(_("Write the cause found in at least one category."))
        whys = []
    else:
        raise ApplicationError(_("Choose the method: 5 whys or cause categories."))
    if not (statement or "").strip():
        raise ApplicationError(_("Write the root-cause statement."))
    action.root_cause_method = method
    action.root_cause_whys = whys
    action.root_cause_categories = categories
    action.root_cause = statement.strip()
    action.save(
        update_fields=[
            "root_cause_method",
            "root_cause_whys",
            "root_cause_categories",
            "root_cause",
            "updated_at",
        ]
    )
    return action


@transaction.atomic
def measure_add(
    *, actor, action: CorrectiveAction, title: str, owner, department, due_date: dt.date
) -> Measure:
    _require_qm(actor)
    _require_editable(action)
    if action.status in (S.EFFECTIVENESS_CHECK,):
        raise ApplicationError(_("The plan is implemented; reopen the action to change it."))
    if action.measures.filter(title=title).exists():
        raise ApplicationError(_("This action already has a measure with that title."))
    measure = Measure(
        action=action, title=title, owner=owner, department=department, due_date=due_date
    )
    measure.full_clean()
    measure.save()
    ESCALATION.schedule(measure)
    measure.save(update_fields=["escalation_level", "next_escalation_at", "updated_at"])
    return measure


def can_update_measure(user, measure: Measure) -> bool:
    """The measure's owner, its department's head, or a quality manager."""
    if user.is_quality_manager or measure.owner_id == user.pk:
        return True
    from qms.selectors import headed_department_ids

    return measure.department_id in headed_department_ids(user)


@transaction.atomic
def measure_set_status(*, actor, measure: Measure, status: str) -> Measure:
    if not can_update_measure(actor, measure):
        raise ApplicationError(
            _("Only the measure's owner, their department head or a quality manager can do that.")
        )
    if measure.action.is_terminal:
        raise ApplicationError(_("This action is finished and can no longer be changed."))
    if status not in Measure.Status.values:
        raise ApplicationError(_("Unknown status."))
    measure.status = status
    measure.done_at = _now() if status == Measure.Status.DONE else None
    if status == Measure.Status.DONE:
        ESCALATION.stop(measure)
    else:
        ESCALATION.schedule(measure)
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def criterion_set(
    *,
    actor,
    action: CorrectiveAction,
    baseline_start: dt.date,
    baseline_end: dt.date,
    followup_start: dt.date,
    followup_end: dt.date,
    min_n: int,
):
    """The windows and the minimum n of the effectiveness check. During the check they
    change only after "insufficient data": a wider follow-up window schedules the check
    again (the scanner runs the day after it ends)."""
    _require_qm(actor)
    _require_editable(action)
    recheck = action.status == S.EFFECTIVENESS_CHECK
    if recheck and action.verdict != V.INSUFFICIENT:
        raise ApplicationError(_("The check is under way; its criterion cannot change now."))
    if recheck and followup_end < timezone.localdate() and followup_end <= action.followup_end:
        raise ApplicationError(
            _("Widen the follow-up window (end it later) so more data can come in.")
        )
    if baseline_end < baseline_start or followup_end < followup_start:
        raise ApplicationError(_("A window cannot end before it starts."))
    if followup_start <= baseline_end:
        raise ApplicationError(_("The follow-up window must start after the baseline window."))
    if min_n < 1:
        raise ApplicationError(_("The minimum n is at least 1."))
    action.baseline_start, action.baseline_end = baseline_start, baseline_end
    action.followup_start, action.followup_end = followup_start, followup_end
    action.min_n = min_n
    fields = ["baseline_start", "baseline_end", "followup_start", "followup_end", "min_n"]
    if recheck:
        action.verdict = ""
        action.next_action_at = _day_start(followup_end + dt.timedelta(days=1))
        fields += ["verdict", "next_action_at"]
    action.full_clean()
    action.save(update_fields=[*fields, "updated_at"])
    return action


@transaction.atomic
def criterion_add(
    *,
    actor,
    action: CorrectiveAction,
    metric_key: str,
    target_change_pct: Decimal,
    metric_params: dict | None = None,
) -> EffectivenessCriterion:
    """A metric from the registry, its parameters and the signed target change. The sign
    must point the way the metric improves (down for "lower is better")."""
    _require_qm(actor)
    _require_editable(action)
    if action.status in (S.EFFECTIVENESS_CHECK,):
        raise ApplicationError(_("The check is under way; its criterion cannot change now."))
    metric = registry.get(metric_key)
    params = {k: v for k, v in (metric_params or {}).items() if v not in (None, "")}
    unknown = sorted(set(params) - set(metric.parameters))
    if unknown:
        raise ApplicationError(
            _("Metric “%(key)s” does not take: %(names)s. It takes: %(known)s.")
            % {
                "key": metric_key,
                "names": ", ".join(unknown),
                "known": ", ".join(metric.parameters) or _("no parameters"),
            }
        )
    target = Decimal(str(target_change_pct))
    if target == 0:
        raise ApplicationError(_("The target change cannot be zero."))
    if metric.direction == Direction.LOWER_IS_BETTER and target > 0:
        raise ApplicationError(
            _("Lower is better for “%(label)s”: the target change must be negative, e.g. -80.")
            % {"label": metric.label}
        )
    if metric.direction == Direction.HIGHER_IS_BETTER and target < 0:
        raise ApplicationError(
            _("Higher is better for “%(label)s”: the target change must be positive, e.g. 25.")
            % {"label": metric.label}
        )
    if action.criteria.filter(metric_key=metric_key, metric_params=params).exists():
        raise ApplicationError(_("This criterion is already set."))
    criterion = EffectivenessCriterion(
        action=action, metric_key=metric_key, metric_params=params, target_change_pct=target
    )
    criterion.full_clean(validate_constraints=False)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_remove(*, actor, criterion: EffectivenessCriterion) -> None:
    _require_qm(actor)
    if criterion.action.status in (S.EFFECTIVENESS_CHECK, *CorrectiveAction.TERMINAL):
        raise ApplicationError(_("The check is under way; its criterion cannot change now."))
    criterion.delete()


@transaction.atomic
def extension_add(*, actor, action: CorrectiveAction, new_date: dt.date, reason: str):
    """Record a new due date with its reason. Escalation keeps running against the
    original due date (see the module docstring of models.py)."""
    _require_qm(actor)
    _require_editable(action)
    if not (reason or "").strip():
        raise ApplicationError(_("Write why the due date moves."))
    if new_date <= action.current_due_date:
        raise ApplicationError(_("The new due date must be later than the current one."))
    extension = ActionExtension.objects.create(
        action=action, new_date=new_date, reason=reason.strip(), by=actor
    )
    action.current_due_date = new_date
    action.save(update_fields=["current_due_date", "updated_at"])
    return extension


# --- Transitions ---------------------------------------------------------------------
# Guards return the message a quality manager reads when a move is refused (or None).


def _justified(action: CorrectiveAction, *, justification: str = "", **context) -> str | None:
    if not (justification or "").strip():
        return _("Write a justification: why is this action not going ahead?")
    return None


def _containment_recorded(action: CorrectiveAction, **context) -> str | None:
    if not action.containment.strip() and not action.containment_not_needed:
        return _("Record the containment (or mark it not needed) before the root-cause analysis.")
    return None


def _root_cause_recorded(action: CorrectiveAction, **context) -> str | None:
    if not action.root_cause.strip():
        return _("Record the root cause (5 whys or cause categories) before planning.")
    return None


def _plan_ready(action: CorrectiveAction, **context) -> str | None:
    if not action.measures.exists():
        return _("The plan needs at least one measure.")
    if not (action.baseline_start and action.followup_end) or not action.criteria.exists():
        return _(
            "Set the effectiveness criterion (metric, target and windows) before "
            "implementation starts."
        )
    impacts_check_plan_may_proceed(target=action)  # raises with its own message
    return None


def _plan_done(action: CorrectiveAction, *, implemented_by=None, **context) -> str | None:
    open_measures = action.measures.exclude(status=Measure.Status.DONE).count()
    if open_measures:
        return _("%(n)s measure(s) are not done yet; finish them before the check.") % {
            "n": open_measures
        }
    if implemented_by is None:
        return _("Say who implemented the plan.")
    return None


def _verified_by_another(action: CorrectiveAction, *, actor=None, **context) -> str | None:
    if action.verdict != V.PASS:
        return _("Closing needs a passed effectiveness check.")
    implementer = action.implemented_by_id
    if implementer is not None and actor is not None and actor.pk == implementer:
        return _("The person who verifies cannot be the person who implemented the plan.")
    return None


def _start_check(action: CorrectiveAction, *, implemented_by=None, **context) -> None:
    action.implemented_by = implemented_by
    action.verdict = ""
    action.measured_at = None
    action.criteria.update(
        baseline_value=None,
        baseline_n=None,
        followup_value=None,
        followup_n=None,
        change_pct=None,
        verdict="",
        measured_at=None,
    )
    # The scanner checks the day after the follow-up window ends.
    action.next_action_at = _day_start(action.followup_end + dt.timedelta(days=1))


def _record_verification(action: CorrectiveAction, *, actor=None, now, **context) -> None:
    action.verified_by = actor
    action.verified_at = now


def _stop_check(action: CorrectiveAction, **context) -> None:
    action.next_action_at = None


def _on_enter(action: CorrectiveAction, transition, *, now, justification: str = "", **context):
    """Every move: the justification of a cancellation, the closing date, and the
    escalation clock (runs while the action waits on people)."""
    to = transition.target
    if to in (S.CANCELLED, S.NO_ACTION_NEEDED):
        action.justification = justification.strip()
    if to in CorrectiveAction.TERMINAL:
        action.closed_at = now
        action.next_action_at = None
        action.next_escalation_at = None
        action.measures.exclude(status=Measure.Status.DONE).update(next_escalation_at=None)
    elif to not in CorrectiveAction.ESCALATING:
        action.next_escalation_at = None
    else:
        ESCALATION.schedule(action)


_STILL_GOING = (
    S.OPEN,
    S.CONTAINMENT,
    S.ROOT_CAUSE,
    S.PLANNED,
    S.IMPLEMENTING,
    S.EFFECTIVENESS_CHECK,
    S.REOPENED,
)

# The declared workflow (issue 7). The order is the order of the buttons on the page.
WORKFLOW = Workflow(
    states=S,
    log_model=ActionTransition,
    illegal=gettext_lazy("An action in “%(from)s” cannot move to “%(to)s”."),
    on_enter=_on_enter,
    transitions=[
        Transition(source=S.OPEN, target=S.CONTAINMENT, label=gettext_lazy("Start containment")),
        Transition(
            source=(S.CONTAINMENT, S.REOPENED),
            target=S.ROOT_CAUSE,
            label=gettext_lazy("Start root-cause analysis"),
            guard=_containment_recorded,
        ),
        Transition(
            source=(S.ROOT_CAUSE, S.REOPENED),
            target=S.PLANNED,
            label=gettext_lazy("Plan the measures"),
            guard=_root_cause_recorded,
        ),
        Transition(
            source=S.PLANNED,
            target=S.IMPLEMENTING,
            label=gettext_lazy("Start implementing"),
            guard=_plan_ready,
        ),
        Transition(
            source=S.IMPLEMENTING,
            target=S.EFFECTIVENESS_CHECK,
            label=gettext_lazy("Implemented: check the effect"),
            guard=_plan_done,
            effect=_start_check,
        ),
        Transition(
            source=S.EFFECTIVENESS_CHECK,
            target=S.CLOSED,
            label=gettext_lazy("Verify and close"),
            guard=_verified_by_another,
            effect=_record_verification,
        ),
        Transition(
            source=S.EFFECTIVENESS_CHECK,
            target=S.REOPENED,
            label=gettext_lazy("Reopen"),
            effect=_stop_check,
        ),
        Transition(
            source=(S.OPEN, S.CONTAINMENT, S.ROOT_CAUSE),
            target=S.NO_ACTION_NEEDED,
            label=gettext_lazy("No action needed"),
            guard=_justified,
        ),
        Transition(
            source=_STILL_GOING,
            target=S.CANCELLED,
            label=gettext_lazy("Cancel the action"),
            guard=_justified,
        ),
    ],
)


def allowed_transitions(action: CorrectiveAction) -> tuple[str, ...]:
    """The states the action may move to next, in the order of the buttons."""
    return WORKFLOW.targets(action)


def _move(action: CorrectiveAction, to: str, **kwargs) -> None:
    """WORKFLOW.transition, and the `action.status_changed` webhook event."""
    from_status = action.status
    WORKFLOW.transition(action, to, **kwargs)
    webhooks.emit(
        "action.status_changed",
        {
            "id": action.pk,
            "reference": action.reference,
            "title": action.title,
            "from_status": from_status,
            "status": action.status,
            "department": action.department_id,
        },
    )


@transaction.atomic
def action_transition(
    *,
    actor,
    action: CorrectiveAction,
    to: str,
    note: str = "",
    justification: str = "",
    implemented_by=None,
) -> CorrectiveAction:
    """Move an action to `to`, if allowed and every guard holds; record who and when."""
    _require_qm(actor)
    caller, action = action, lock(action)
    if to == S.EFFECTIVENESS_CHECK:
        implemented_by = implemented_by or action.owner
    _move(
        action,
        to,
        actor=actor,
        note=note,
        at=_now(),
        justification=justification,
        implemented_by=implemented_by,
    )
    if caller is not action:
        caller.refresh_from_db()
    return action


# --- Effectiveness, measured -----------------------------------------------------------


def _change_pct(baseline, followup) -> Decimal | None:
    if baseline is None or followup is None:
        return None
    baseline, followup = Decimal(str(baseline)), Decimal(str(followup))
    if baseline == 0:
        return None
    return ((followup - baseline) / abs(baseline) * 100).quantize(Decimal("0.01"))


def criterion_verdict(*, direction, target, baseline, followup, baseline_n, followup_n, min_n):
    """(change %, verdict). Too few observations, or no value, is never a pass."""
    change = _change_pct(baseline, followup)
    if (
        baseline is None
        or followup is None
        or (baseline_n or 0) < min_n
        or (followup_n or 0) < min_n
        or change is None
    ):
        return change, V.INSUFFICIENT
    target = Decimal(str(target))
    if Direction(direction) == Direction.LOWER_IS_BETTER:
        passed = change <= target
    else:
        passed = change >= target
    return change, V.PASS if passed else V.FAIL


@transaction.atomic
def effectiveness_check(*, action: CorrectiveAction, actor=None) -> str:
    """Compute every criterion over the baseline and follow-up windows, record the
    numbers and the verdict. A pass makes the action closable (a quality manager closes
    it); a fail reopens it and tells the owner; insufficient data stays in the check and
    asks a quality manager to widen the window or collect more data."""
    caller, action = action, lock(action)
    if action.status != S.EFFECTIVENESS_CHECK:
        raise ApplicationError(_("Only an action in the effectiveness check is measured."))
    if action.followup_end is None or action.followup_end >= timezone.localdate():
        raise ApplicationError(_("The follow-up window has not ended yet."))
    baseline = Period(action.baseline_start, action.baseline_end)
    followup = Period(action.followup_start, action.followup_end)
    now = _now()
    verdicts = []
    for criterion in action.criteria.all():
        metric = registry.get(criterion.metric_key)
        before = registry.compute(criterion.metric_key, period=baseline, **criterion.metric_params)
        after = registry.compute(criterion.metric_key, period=followup, **criterion.metric_params)
        change, verdict = criterion_verdict(
            direction=metric.direction,
            target=criterion.target_change_pct,
            baseline=before.value,
            followup=after.value,
            baseline_n=before.n,
            followup_n=after.n,
            min_n=action.min_n,
        )
        criterion.baseline_value = None if before.value is None else Decimal(str(before.value))
        criterion.baseline_n = before.n
        criterion.followup_value = None if after.value is None else Decimal(str(after.value))
        criterion.followup_n = after.n
        criterion.change_pct = change
        criterion.verdict = verdict
        criterion.measured_at = now
        criterion.save()
        verdicts.append(verdict)
    if not verdicts:
        overall = V.INSUFFICIENT
    elif V.FAIL in verdicts:
        overall = V.FAIL
    elif V.INSUFFICIENT in verdicts:
        overall = V.INSUFFICIENT
    else:
        overall = V.PASS
    action.verdict = overall
    action.measured_at = now
    action.next_action_at = None
    action.save(update_fields=["verdict", "measured_at", "next_action_at", "updated_at"])
    if overall == V.FAIL:
        _move(
            action,
            S.REOPENED,
            actor=actor,
            note=_("Effectiveness check failed: the target change was not reached."),
            at=_now(),
        )
        _tell(
            key=f"action-reopened:{action.pk}:{action.transitions.count()}",
            kind="action-reopened",
            user=action.owner,
            subject=_("%(ref)s reopened: the effect was not reached") % {"ref": action.reference},
            body=_(
                "The effectiveness check of %(ref)s “%(title)s” did not reach its target. "
                "The action is reopened: revisit the root cause and the plan."
            )
            % {"ref": action.reference, "title": action.title},
        )
    else:
        ActionTransition.record(
            action,
            from_status=S.EFFECTIVENESS_CHECK,
            to_status=S.EFFECTIVENESS_CHECK,
            actor=actor,
            at=now,
            note=_("Effectiveness measured: %(verdict)s.") % {"verdict": V(overall).label},
        )
    if caller is not action:
        caller.refresh_from_db()
    return overall


def effectiveness_check_due(*, limit: int = BATCH) -> int:
    """Scanner: actions in the check whose follow-up window has ended."""
    done = 0
    with transaction.atomic():
        due = due_rows(
            CorrectiveAction.objects.filter(status=S.EFFECTIVENESS_CHECK), now=_now(), limit=limit
        )
        for action in due:
            try:
                with transaction.atomic():
                    effectiveness_check(action=action)
            except ApplicationError as exc:
                # E.g. a metric no longer registered: try again tomorrow, keep the batch going.
                logger.warning("Effectiveness check of %s failed: %s", action.reference, exc)
                CorrectiveAction.objects.filter(pk=action.pk).update(
                    next_action_at=_now() + dt.timedelta(days=1)
                )
                continue
            done += 1
    return done


# --- Deadlines and escalation ---------------------------------------------------------

# Counted from the start of the ORIGINAL due date (an extension does not move it), for
# actions and their measures alike. `escalation_level` is the number of the last step
# taken (1 to 4, the last part of the message key); `next_escalation_at` when the next is.
ESCALATION = Ladder(
    steps=[
        Step("due_soon", after=-dt.timedelta(days=DUE_SOON_DAYS)),  # 1: the owner
        Step("overdue", after=dt.timedelta(days=1)),  # 2: the owner again
        Step("head", after=dt.timedelta(days=1 + HEAD_AFTER_DAYS)),  # 3: the department head
        Step("quality_manager", after=dt.timedelta(days=1 + QM_AFTER_DAYS)),  # 4
    ],
    anchor=lambda obj: _day_start(obj.due_date),
    level_field="escalation_level",
    next_field="next_escalation_at",
    catch_up="latest",  # a late first scan sends only the level due now
)


def _quality_manager():
    from qms.models import User

    return (
        User.objects.filter(role=User.Role.QUALITY_MANAGER, is_active=True).order_by("pk").first()
    )


def _recipient_for(step: Step, owner, department, quality_manager):
    """Owner (due soon, overdue), then the department head (a department without a
    head: the quality manager), then the quality manager."""
    if step.name in ("due_soon", "overdue"):
        return owner
    if step.name == "head":
        return department.head or quality_manager
    return quality_manager


def _tell(*, key, kind, user, subject, body):
    if user is None or not user.email:
        return None
    return message_queue(key=key, kind=kind, recipient=user.email, subject=subject, body=body)


def _escalation_messenger(*, prefix, label, owner, department, quality_manager):
    """The ladder's `run` for one action or measure: 1 if a message was queued."""

    def run(obj, step: Step) -> int:
        subject = (
            _("Due soon: %(label)s (%(due)s)")
            if step.name == "due_soon"
            else _("Overdue: %(label)s (due %(due)s)")
        ) % {"label": label, "due": obj.due_date.isoformat()}
        body = _(
            "%(label)s was due on %(due)s (original due date) and is owned by %(owner)s. "
            "Please bring it up to date in the portal."
        ) % {"label": label, "due": obj.due_date.isoformat(), "owner": owner}
        message = _tell(
            key=f"{prefix}:{obj.pk}:{ESCALATION.level(step)}",
            kind=prefix,
            user=_recipient_for(step, owner, department, quality_manager),
            subject=subject,
            body=body,
        )
        return 1 if message else 0

    return run


def escalate_overdue(*, limit: int = BATCH) -> int:
    """Scanner: remind the owner (due soon, then overdue), then the department head, then
    the quality manager, each once per action or measure (message keys
    `action-overdue:<pk>:<level>` and `measure-overdue:<pk>:<level>`)."""
    now = _now()
    sent = 0
    quality_manager = _quality_manager()
    with transaction.atomic():
        actions = due_rows(
            CorrectiveAction.objects.filter(status__in=CorrectiveAction.ESCALATING).select_related(
                "owner", "department__head"
            ),
            field="next_escalation_at",
            now=now,
            limit=limit,
        )
        for action in actions:
            run = _escalation_messenger(
                prefix="action-overdue",
                label=f"{action.reference} {action.title}",
                owner=action.owner,
                department=action.department,
                quality_manager=quality_manager,
            )
            sent += sum(n for _step, n in ESCALATION.advance(action, now=now, run=run))
        measures = due_rows(
            Measure.objects.exclude(status=Measure.Status.DONE)
            .exclude(action__status__in=CorrectiveAction.TERMINAL)
            .select_related("owner", "department__head", "action"),
            field="next_escalation_at",
            now=now,
            limit=limit,
        )
        for measure in measures:
            run = _escalation_messenger(
                prefix="measure-overdue",
                label=f"{measure.action.reference}: {measure.title}",
                owner=measure.owner,
                department=measure.department,
                quality_manager=quality_manager,
            )
            sent += sum(n for _step, n in ESCALATION.advance(measure, now=now, run=run))
    return sent
