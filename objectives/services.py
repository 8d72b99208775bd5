"""Writes and workflows of quality objectives.

Check-in reminders (docs/architecture.md section 4)
----------------------------------------------
Each active objective with at least one manual key result carries `checkin_due_on` (the
date the next check-in is due), `reminder_step` and `next_action_at`. The scanner
`objectives.remind_due_checkins` picks objectives whose `next_action_at` has come:
- step 1, on the due date: reminds the owner;
- step 2, `SECOND_REMINDER_AFTER` days later: reminds the owner again;
- step 3, `ESCALATE_AFTER` days after the due date: tells the quality manager(s).
Each message goes through the outbox with the key
`checkin-reminder:<objective>:<due date>:<step>` (plus `:<manager id>` for step 3), so it is
sent exactly once however often the scanner runs. A check-in moves the due date on by the
objective's interval (never past the period's end) and resets the steps. The steps are
`CHECKIN_LADDER`, a `qms.workflow.Ladder` anchored at the start of the due date.

Computed key results
--------------------
The scanner `objectives.compute_key_results` computes due computed key results in a
bounded batch through the metrics registry, for the objective's period up to today. It
stores `last_computed_value/at` and `current_value/at` every run, and appends a system
check-in (`source=computed`, no author) only when the value changed, so the history shows
each movement without a row every 15 minutes.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.exceptions import ApplicationError
from qms.models import User
from qms.registry import Period, registry
from qms.services import impacts_check_plan_may_proceed, message_queue
from qms.services_kit import model_update
from qms.workflow import Ladder, Step, due_rows, lock, locked
from requirements.models import Requirement

from . import selectors
from .models import CheckIn, KeyResult, Objective, ObjectiveAnalysis

logger = logging.getLogger(__name__)

SECOND_REMINDER_AFTER = 3  # days after the due date
ESCALATE_AFTER = 7  # days after the due date
COMPUTE_EVERY = dt.timedelta(minutes=15)
SERVABLE_STATUSES = (Requirement.Status.ACCEPTED, Requirement.Status.DEPLOYED)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- Stored health --------------------------------------------------------------------

HEALTH_COLUMNS = ("health_progress", "on_track_until", "at_risk_until", "stale_after")


def objectives_health_store(objective_ids) -> int:
    """Recompute and store the health columns of these objectives (two queries to read,
    one batched update); every write that changes a key result's value, a key result, or
    the objective's period, interval, status or last check-in calls it."""
    from django.db.models import Prefetch

    ids = {getattr(i, "pk", i) for i in objective_ids}
    if not ids:
        return 0
    objectives = list(
        Objective.objects.filter(pk__in=ids)
        .only(
            "id",
            "period_start",
            "period_end",
            "created_at",
            "last_checkin_at",
            "checkin_interval",
            "status",
            *HEALTH_COLUMNS,
        )
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.only(*selectors.PROGRESS_KR_FIELDS).order_by("id"),
            )
        )
    )
    changed = []
    for objective in objectives:
        columns = selectors.health_columns(objective, objective.key_results.all())
        if any(getattr(objective, name) != value for name, value in columns.items()):
            for name, value in columns.items():
                setattr(objective, name, value)
            changed.append(objective)
    if changed:
        Objective.objects.bulk_update(changed, HEALTH_COLUMNS, batch_size=500)
    return len(changed)


# --- Periods --------------------------------------------------------------------------


def period_parse(label: str) -> tuple[str, dt.date, dt.date]:
    """`2026` or `2026-Q3` → (label, start, end). Months are not objective periods."""
    label = (label or "").strip()
    period = Period.parse(label)
    if len(label) == 7 and "Q" not in label:
        raise ApplicationError(
            _("Objectives run for a year (2026) or a quarter (2026-Q3), not a month.")
        )
    return label, period.start, period.end


# --- Objectives -----------------------------------------------------------------------

OBJECTIVE_FIELDS = {
    "title",
    "description",
    "owner",
    "weight",
    "plan_what",
    "plan_resources",
    "plan_responsible",
    "plan_due",
    "plan_evaluation",
    "checkin_interval",
}
# What objective_update may write (the period comes as a label and is parsed).
OBJECTIVE_UPDATE_FIELDS = sorted(
    OBJECTIVE_FIELDS | {"parent", "period_label", "period_start", "period_end"}
)


def _check_requirements(level: str, requirements) -> None:
    if level != Objective.Level.ORGANISATION:
        return
    if not requirements:
        raise ApplicationError(
            _(
                "Name at least one customer requirement this organisation objective serves: "
                "objectives must not drift from customer needs."
            )
        )
    wrong = [r for r in requirements if r.status not in SERVABLE_STATUSES]
    if wrong:
        raise ApplicationError(
            _("Only accepted or deployed requirements can be served; not: %(titles)s.")
            % {"titles": ", ".join(r.title for r in wrong)}
        )


def _check_parent(*, parent: Objective | None, period_start, period_end) -> None:
    if parent is None:
        return
    if parent.level != Objective.Level.ORGANISATION:
        raise ApplicationError(_("A department objective aligns to an organisation objective."))
    if parent.status != Objective.Status.ACTIVE:
        raise ApplicationError(_("The objective “%s” is closed.") % parent.title)
    if period_start < parent.period_start or period_end > parent.period_end:
        raise ApplicationError(
            _("The period must lie within the period of “%(title)s” (%(period)s).")
            % {"title": parent.title, "period": parent.period_label}
        )


def _check_may_edit(actor, *, level: str, department) -> None:
    if level == Objective.Level.ORGANISATION:
        if not actor.is_quality_manager:
            raise ApplicationError(_("Only a quality manager sets organisation objectives."))
    elif not selectors.can_create_for_department(actor, department):
        raise ApplicationError(
            _("Only the quality manager or the head of %(department)s can do this.")
            % {"department": department}
        )


def _first_due(objective: Objective) -> dt.date:
    start = max(objective.period_start, timezone.localdate())
    return min(start + dt.timedelta(days=objective.interval_days), objective.period_end)


@transaction.atomic
def objective_create(
    *,
    actor,
    level: str,
    period_label: str,
    title: str,
    owner,
    department=None,
    parent: Objective | None = None,
    requirements=(),
    **fields,
) -> Objective:
    unknown = set(fields) - OBJECTIVE_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    label, start, end = period_parse(period_label)
    requirements = list(requirements or [])
    _check_may_edit(actor, level=level, department=department)
    _check_requirements(level, requirements)
    if level == Objective.Level.DEPARTMENT:
        if parent is None:
            raise ApplicationError(
                _("Choose the organisation objective this department objective serves.")
            )
        _check_parent(parent=parent, period_start=start, period_end=end)
    objective = Objective(
        level=level,
        period_label=label,
        period_start=start,
        period_end=end,
        title=title,
        owner=owner,
        department=department,
        parent=parent,
        **fields,
    )
    objective.full_clean()
    objective.checkin_due_on = _first_due(objective)
    CHECKIN_LADDER.restart(objective, at=None)
    objective.save()
    if requirements:
        objective.requirements.set(requirements)
    objectives_health_store([objective.pk])
    objective.refresh_from_db(fields=HEALTH_COLUMNS)
    return objective


@transaction.atomic
def objective_update(*, actor, objective: Objective, requirements=None, **fields) -> Objective:
    unknown = set(fields) - OBJECTIVE_FIELDS - {"parent", "period_label"}
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    objective = lock(objective)
    if objective.status == Objective.Status.CLOSED:
        raise ApplicationError(_("This objective is closed; it can no longer be changed."))
    _check_may_edit(actor, level=objective.level, department=objective.department)
    data = dict(fields)
    if "period_label" in data:
        label, start, end = period_parse(data.pop("period_label"))
        data.update(period_label=label, period_start=start, period_end=end)
    if requirements is not None:
        requirements = list(requirements)
        _check_requirements(objective.level, requirements)
    parent = data.pop("parent", objective.parent)
    if objective.level == Objective.Level.DEPARTMENT:
        _check_parent(
            parent=parent,
            period_start=data.get("period_start", objective.period_start),
            period_end=data.get("period_end", objective.period_end),
        )
        data["parent"] = parent
    objective, _changed = model_update(
        instance=objective, fields=OBJECTIVE_UPDATE_FIELDS, data=data
    )
    if requirements is not None:
        objective.requirements.set(requirements)
    objectives_health_store([objective.pk])
    objective.refresh_from_db(fields=HEALTH_COLUMNS)
    return objective


# --- Key results ----------------------------------------------------------------------

KEY_RESULT_FIELDS = {
    "title",
    "mode",
    "metric_key",
    "metric_params",
    "unit",
    "direction",
    "baseline",
    "target",
    "due_date",
    "weight",
}
# What key_result_update may write: the fields above and when it is computed next.
KEY_RESULT_UPDATE_FIELDS = sorted(KEY_RESULT_FIELDS | {"next_action_at"})


def metric_validate(*, metric_key: str, metric_params) -> dict:
    """Check a metric key and its parameters against the registry; return the params."""
    if metric_params in (None, ""):
        metric_params = {}
    if not isinstance(metric_params, dict):
        raise ApplicationError(
            _('Metric parameters must be an object of names and values, e.g. {"segment": "x"}.')
        )
    metric = registry.get(metric_key)  # ApplicationError for an unknown metric
    unknown = sorted(set(metric_params) - set(metric.parameters))
    if unknown:
        allowed = ", ".join(metric.parameters) or _("none")
        raise ApplicationError(
            _("Metric “%(key)s” has no parameter %(names)s (it takes: %(allowed)s).")
            % {"key": metric_key, "names": ", ".join(unknown), "allowed": allowed}
        )
    for name, value in metric_params.items():
        if not isinstance(value, str | int):
            raise ApplicationError(
                _("The value of parameter “%(name)s” must be text or a whole number.")
                % {"name": name}
            )
    return dict(metric_params)


def _check_key_result(kr: KeyResult) -> None:
    if kr.mode == KeyResult.Mode.COMPUTED:
        kr.metric_params = metric_validate(metric_key=kr.metric_key, metric_params=kr.metric_params)
    else:
        kr.metric_key = ""
        kr.metric_params = {}
    if kr.direction == KeyResult.Direction.INCREASE and kr.target < kr.baseline:
        raise ApplicationError(
            _("To increase, the target must not be below the baseline; choose “decrease”?")
        )
    if kr.direction == KeyResult.Direction.DECREASE and kr.target > kr.baseline:
        raise ApplicationError(
            _("To decrease, the target must not be above the baseline; choose “increase”?")
        )


@transaction.atomic
def key_result_create(*, actor, objective: Objective, **fields) -> KeyResult:
    unknown = set(fields) - KEY_RESULT_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if objective.status == Objective.Status.CLOSED:
        raise ApplicationError(_("This objective is closed; it can no longer be changed."))
    if not selectors.can_edit_objective(actor, objective):
        raise ApplicationError(_("You cannot change this objective."))
    kr = KeyResult(objective=objective, **fields)
    _check_key_result(kr)
    kr.full_clean()
    if kr.is_computed:
        kr.next_action_at = timezone.now()
    kr.save()
    objectives_health_store([objective.pk])
    return kr


@transaction.atomic
def key_result_update(*, actor, key_result: KeyResult, **fields) -> KeyResult:
    unknown = set(fields) - KEY_RESULT_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    kr = lock(key_result)
    if kr.objective.status == Objective.Status.CLOSED:
        raise ApplicationError(_("This objective is closed; it can no longer be changed."))
    if not selectors.can_edit_objective(actor, kr.objective):
        raise ApplicationError(_("You cannot change this objective."))

    def prepare(kr):
        _check_key_result(kr)
        kr.next_action_at = timezone.now() if kr.is_computed else None

    kr, _changed = model_update(
        instance=kr, fields=KEY_RESULT_UPDATE_FIELDS, data=fields, prepare=prepare
    )
    objectives_health_store([kr.objective_id])
    return kr


@transaction.atomic
def key_result_delete(*, actor, key_result: KeyResult) -> None:
    if not selectors.can_edit_objective(actor, key_result.objective):
        raise ApplicationError(_("You cannot change this objective."))
    try:
        objective_id = key_result.objective_id
        key_result.delete()
    except ProtectedError:
        raise ApplicationError(
            _("This key result has check-ins; they are a record and cannot be removed.")
        ) from None
    objectives_health_store([objective_id])


# --- Check-ins ------------------------------------------------------------------------


def _decimal(value, label) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("%s must be a number.") % label) from None


@transaction.atomic
def checkin_create(
    *, actor, key_result: KeyResult, value, confidence: int | None = None, comment: str = ""
) -> CheckIn:
    """Record a manual check-in. Check-ins are never changed: a correction is a new one."""
    objective = locked(
        Objective.objects.filter(pk=key_result.objective_id), skip_locked=False
    ).get()
    if not selectors.can_check_in(actor, objective):
        raise ApplicationError(
            _("Only the head of the objective's department or a quality manager can check in.")
        )
    if objective.status != Objective.Status.ACTIVE:
        raise ApplicationError(_("This objective is closed; check-ins are no longer taken."))
    if key_result.is_computed:
        raise ApplicationError(
            _("“%s” is computed from a metric; it takes no manual check-ins.") % key_result
        )
    # Guide point 6: a plan that harms an interested party (e.g. "996" overtime for
    # employees) does not go ahead, so no progress is recorded on it, until the harm
    # has a mitigation or a quality manager's recorded approval.
    impacts_check_plan_may_proceed(target=objective)
    now = timezone.now()
    checkin = CheckIn(
        key_result=key_result,
        value=_decimal(value, _("The value")),
        confidence=confidence,
        comment=comment or "",
        by=actor,
        at=now,
        source=CheckIn.Source.MANUAL,
        due_on=objective.checkin_due_on,
    )
    if confidence is not None and not 0 <= int(confidence) <= 10:
        raise ApplicationError(_("Confidence is a whole number from 0 to 10."))
    checkin.full_clean()
    checkin.save()
    KeyResult.objects.filter(pk=key_result.pk).update(
        current_value=checkin.value, current_at=now, updated_at=now
    )
    today = timezone.localdate(now)
    next_due = None
    if today < objective.period_end:
        next_due = min(today + dt.timedelta(days=objective.interval_days), objective.period_end)
    objective.checkin_due_on = next_due
    CHECKIN_LADDER.restart(objective, at=None)  # step 0, the first reminder on next_due
    Objective.objects.filter(pk=objective.pk).update(
        last_checkin_at=now,
        checkin_due_on=next_due,
        reminder_step=objective.reminder_step,
        next_action_at=objective.next_action_at,
    )
    objectives_health_store([objective.pk])
    return checkin


# --- Computed key results -------------------------------------------------------------


def _compute_value(kr: KeyResult, now: dt.datetime) -> Decimal | None:
    objective = kr.objective
    today = timezone.localdate(now)
    end = min(max(today, objective.period_start), objective.period_end)
    result = registry.compute(
        kr.metric_key, period=Period(objective.period_start, end), **(kr.metric_params or {})
    )
    if result.value is None:
        return None
    return Decimal(str(result.value)).quantize(Decimal("0.0001"))


@transaction.atomic
def key_results_compute_due(*, limit: int = 100) -> int:
    """Scanner: compute due computed key results of active objectives, advancing
    `next_action_at` in the same transaction. Returns how many were computed."""
    now = timezone.now()
    due = due_rows(
        KeyResult.objects.filter(
            mode=KeyResult.Mode.COMPUTED,
            objective_id__in=Objective.objects.filter(status=Objective.Status.ACTIVE).values("id"),
        ),
        now=now,
        limit=limit,
    )
    if not due:
        return 0
    objectives = Objective.objects.in_bulk({kr.objective_id for kr in due})
    computed = 0
    for kr in due:
        kr.objective = objectives[kr.objective_id]
        kr.next_action_at = now + COMPUTE_EVERY
        try:
            with transaction.atomic():
                value = _compute_value(kr, now)
        except Exception:  # noqa: BLE001 - one broken metric must not stop the batch
            logger.exception("Computing key result %s failed", kr.pk)
            KeyResult.objects.filter(pk=kr.pk).update(next_action_at=kr.next_action_at)
            continue
        update = {"next_action_at": kr.next_action_at, "updated_at": now}
        if value is not None:
            if value != kr.last_computed_value:
                CheckIn.objects.create(
                    key_result=kr, value=value, source=CheckIn.Source.COMPUTED, at=now
                )
            update.update(
                last_computed_value=value,
                last_computed_at=now,
                current_value=value,
                current_at=now,
            )
            Objective.objects.filter(pk=kr.objective_id).update(last_checkin_at=now)
            computed += 1
        KeyResult.objects.filter(pk=kr.pk).update(**update)
    objectives_health_store(objectives)
    return computed


# --- Reminders ------------------------------------------------------------------------


def _reminder_body(objective: Objective, step: int) -> tuple[str, str]:
    due = objective.checkin_due_on.isoformat()
    if step == 1:
        subject = _("Check-in due: %(title)s") % {"title": objective.title}
        body = _(
            "Hello %(owner)s,\n\nThe check-in of your objective “%(title)s” is due on "
            "%(due)s. Record the current values on “My objectives”; it takes a minute.\n"
        )
    elif step == 2:
        subject = _("Reminder: check-in overdue for %(title)s") % {"title": objective.title}
        body = _(
            "Hello %(owner)s,\n\nThe check-in of “%(title)s” was due on %(due)s and has "
            "not been recorded yet. Please record it on “My objectives”.\n"
        )
    else:
        subject = _("Objective without check-in: %(title)s") % {"title": objective.title}
        body = _(
            "The check-in of “%(title)s” (owner: %(owner)s) was due on %(due)s; the owner "
            "has been reminded twice and nothing has been recorded.\n"
        )
    values = {"owner": objective.owner, "title": objective.title, "due": due}
    return subject, body % values


# Reminder 1 on the due date, reminder 2 SECOND_REMINDER_AFTER days later, the escalation
# ESCALATE_AFTER days after the due date (each at the start of its day). One step per scan
# (`catch_up="one"`): a scanner that was down catches up one step per run, and a row the
# scanner picks (`next_action_at` has come) takes its next step then.
CHECKIN_LADDER = Ladder(
    steps=[
        Step("remind"),
        Step("remind_again", after=dt.timedelta(days=SECOND_REMINDER_AFTER)),
        Step("escalate", after=dt.timedelta(days=ESCALATE_AFTER)),
    ],
    level_field="reminder_step",
    next_field="next_action_at",
    anchor=lambda o: _start_of(o.checkin_due_on) if o.checkin_due_on else None,
    catch_up="one",
)


@transaction.atomic
def checkin_reminders_send_due(*, limit: int = 200) -> int:
    """Scanner: send the due check-in reminders (see the module docstring). Returns the
    number of reminder steps taken. Rows are written with `QuerySet.update()` (no
    `updated_at`, no history row), as the reminders are bookkeeping, not a change."""
    now = timezone.now()
    due = due_rows(Objective.objects.filter(status=Objective.Status.ACTIVE), now=now, limit=limit)
    if not due:
        return 0
    with_manual = set(
        KeyResult.objects.filter(objective__in=due, mode=KeyResult.Mode.MANUAL).values_list(
            "objective_id", flat=True
        )
    )
    owners = User.objects.in_bulk({o.owner_id for o in due})
    managers = None

    def send(objective: Objective, step) -> None:
        nonlocal managers
        level = CHECKIN_LADDER.level(step)
        due_on = objective.checkin_due_on.isoformat()
        subject, body = _reminder_body(objective, level)
        if step.name != "escalate":
            if objective.owner.email:
                message_queue(
                    key=f"checkin-reminder:{objective.pk}:{due_on}:{level}",
                    kind="checkin_reminder",
                    recipient=objective.owner.email,
                    subject=subject,
                    body=body,
                )
            return
        if managers is None:
            managers = list(selectors.quality_managers())
        for manager in managers:
            message_queue(
                key=f"checkin-reminder:{objective.pk}:{due_on}:{level}:{manager.pk}",
                kind="checkin_escalation",
                recipient=manager.email,
                subject=subject,
                body=body,
            )

    steps = 0
    for objective in due:
        objective.owner = owners[objective.owner_id]
        if objective.pk not in with_manual or objective.checkin_due_on is None:
            # Nothing to check in by hand (computed or no key results): look again later.
            Objective.objects.filter(pk=objective.pk).update(
                next_action_at=now + dt.timedelta(days=1)
            )
            continue
        if objective.reminder_step >= len(CHECKIN_LADDER.steps):
            # Escalated: nothing more until a check-in.
            Objective.objects.filter(pk=objective.pk).update(next_action_at=None)
            continue
        taken = CHECKIN_LADDER.advance(objective, now=now, run=send, save=False)
        Objective.objects.filter(pk=objective.pk).update(
            reminder_step=objective.reminder_step, next_action_at=objective.next_action_at
        )
        steps += len(taken)
    return steps


# --- End of period --------------------------------------------------------------------


@transaction.atomic
def analysis_record(
    *, actor, objective: Objective, text: str, corrective_action_needed: bool = False
) -> ObjectiveAnalysis:
    """Record (or replace) the analysis of an objective that missed its target."""
    if not selectors.can_edit_objective(actor, objective):
        raise ApplicationError(_("You cannot record the analysis of this objective."))
    if not (text or "").strip():
        raise ApplicationError(_("Write what happened and why the target was missed."))
    analysis = ObjectiveAnalysis.objects.filter(objective=objective).first()
    if analysis is None:
        analysis = ObjectiveAnalysis(objective=objective)
    analysis.text = text.strip()
    analysis.corrective_action_needed = corrective_action_needed
    analysis.by = actor
    analysis.at = timezone.now()
    analysis.full_clean()
    analysis.save()
    return analysis


@transaction.atomic
def period_close(*, actor, period_label: str) -> int:
    """Close every active objective of a period. Refused, with the list of what is
    missing, while a missed objective has no recorded analysis."""
    if not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager closes a period."))
    label, _start, end = period_parse(period_label)
    if timezone.localdate() <= end:
        raise ApplicationError(
            _("The period %(period)s runs until %(end)s; close it after it ends.")
            % {"period": label, "end": end.isoformat()}
        )
    objectives = [
        o
        for o in selectors.review(user=actor, period_label=label)
        if o.status == Objective.Status.ACTIVE
    ]
    if not objectives:
        raise ApplicationError(_("There is no open objective in %s.") % label)
    missing = [o for o in objectives if o.missed and not o.has_analysis]
    if missing:
        raise ApplicationError(
            _(
                "The period cannot be closed yet: record an analysis of each missed "
                "objective first: %(titles)s."
            )
            % {"titles": "; ".join(o.title for o in missing)},
            extra={"missing": [o.pk for o in missing]},
        )
    for objective in objectives:
        objective.status = Objective.Status.CLOSED
        objective.final_progress = (
            Decimal(str(objective.progress)) if objective.progress is not None else None
        )
        objective.next_action_at = None
        objective.save(update_fields=["status", "final_progress", "next_action_at", "updated_at"])
    objectives_health_store(objectives)
    return len(objectives)
