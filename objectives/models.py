"""Quality objectives (ISO 9001 clause 6.2, guide point 2): organisation objectives bound
to customer requirements, department objectives aligned beneath them, key results that
measure them, and append-only check-ins.

Denormalised fields kept up to date by the services (never by `save()` or signals):
- `KeyResult.current_value` / `current_at`: the latest measurement, from a check-in or a
  computation, so the cascade of 5,000 objectives needs no per-row query;
- `Objective.last_checkin_at`: the latest check-in or computation of any of its key
  results (staleness);
- `Objective.checkin_due_on`, `reminder_step`, `next_action_at`: the check-in reminder
  state machine read by the `objectives.remind_due_checkins` scanner;
- `Objective.health_progress`, `on_track_until`, `at_risk_until`, `stale_after`: its
  health as the moments it changes (`services.objectives_health_store`), so the
  "objectives on track" metric counts in SQL.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import BaseModel


class CheckinInterval(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


INTERVAL_DAYS = {
    CheckinInterval.WEEKLY: 7,
    CheckinInterval.MONTHLY: 31,
    CheckinInterval.QUARTERLY: 92,
}


class Objective(BaseModel):
    class Level(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        DEPARTMENT = "department", _("Department")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    period_label = models.CharField(
        _("period"), max_length=7, help_text=_("A year (2026) or a quarter (2026-Q3).")
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    department = models.ForeignKey(
        "qms.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("aligned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The organisation objective this department objective contributes to."),
    )
    requirements = models.ManyToManyField(
        "requirements.Requirement",
        verbose_name=_("customer requirements served"),
        blank=True,
        related_name="objectives",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_objectives",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=1,
        help_text=_("Relative weight in the roll-up of the parent objective."),
    )
    # Action plan, ISO 9001 clause 6.2.2.
    plan_what = models.TextField(_("what will be done"), blank=True)
    plan_resources = models.TextField(_("resources required"), blank=True)
    plan_responsible = models.CharField(_("who is responsible"), max_length=200, blank=True)
    plan_due = models.DateField(_("when it will be completed"), null=True, blank=True)
    plan_evaluation = models.TextField(_("how the results will be evaluated"), blank=True)
    checkin_interval = models.CharField(
        _("check-in interval"),
        max_length=10,
        choices=CheckinInterval.choices,
        default=CheckinInterval.MONTHLY,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    final_progress = models.DecimalField(
        _("final progress (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    last_checkin_at = models.DateTimeField(_("last check-in"), null=True, blank=True)
    checkin_due_on = models.DateField(_("next check-in due"), null=True, blank=True)
    reminder_step = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    next_action_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    # Health, stored as the moments it changes (objectives.progress, "Stored health"); kept
    # by `services.objectives_health_store` whenever a check-in, a computed value, a key
    # result or the objective's period changes, so counting by health is one SQL query.
    health_progress = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=1, null=True, blank=True, editable=False
    )
    on_track_until = models.DateField(null=True, blank=True, editable=False)
    at_risk_until = models.DateField(null=True, blank=True, editable=False)
    stale_after = models.DateTimeField(null=True, blank=True, editable=False)
    # The requirements an objective serves are part of its audit trail.
    history = HistoricalRecords(
        excluded_fields=[
            "last_checkin_at",
            "reminder_step",
            "next_action_at",
            "updated_at",
            "health_progress",
            "on_track_until",
            "at_risk_until",
            "stale_after",
        ],
        m2m_fields=[requirements],
    )

    class Meta:
        ordering = ["period_start", "level", "title", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="objective_period_ordered",
            ),
            models.CheckConstraint(
                condition=(
                    Q(level="organisation", department__isnull=True, parent__isnull=True)
                    | Q(level="department", department__isnull=False, parent__isnull=False)
                ),
                name="objective_level_department_parent",
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="objective_weight_positive"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="objective_not_own_parent"
            ),
        ]
        indexes = [
            # Cascade page: the organisation objectives of a period (status for the review).
            models.Index(
                fields=["period_label", "level", "status"], name="objective_period_level_idx"
            ),
            # "My objectives" and the department filter: a department's objectives.
            models.Index(fields=["department", "period_label"], name="objective_dept_period_idx"),
            # remind_due_checkins scanner: active objectives whose reminder time has come.
            models.Index(
                fields=["next_action_at"],
                name="objective_reminder_due_idx",
                condition=Q(status="active"),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.period_label})"

    @property
    def is_organisation(self) -> bool:
        return self.level == self.Level.ORGANISATION

    @property
    def interval_days(self) -> int:
        return INTERVAL_DAYS[CheckinInterval(self.checkin_interval)]

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The period cannot end before it starts.")
        if self.level == self.Level.ORGANISATION:
            if self.department_id:
                errors["department"] = _("An organisation objective has no department.")
            if self.parent_id:
                errors["parent"] = _("An organisation objective is not aligned to another.")
        elif self.level == self.Level.DEPARTMENT:
            if not self.department_id:
                errors["department"] = _("Choose the department this objective belongs to.")
            if not self.parent_id:
                errors["parent"] = _(
                    "Choose the organisation objective this department objective serves."
                )
        if errors:
            raise ValidationError(errors)


class KeyResult(BaseModel):
    class Mode(models.TextChoices):
        MANUAL = "manual", _("Manual (check-ins)")
        COMPUTED = "computed", _("Computed from a metric")

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Increase to the target")
        DECREASE = "decrease", _("Decrease to the target")
        STAY_ABOVE = "stay_above", _("Stay at or above the target")
        STAY_BELOW = "stay_below", _("Stay at or below the target")

    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        on_delete=models.PROTECT,
        related_name="key_results",
    )
    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(_("measured"), max_length=10, choices=Mode.choices, default=Mode.MANUAL)
    metric_key = models.CharField(
        _("metric"),
        max_length=60,
        blank=True,
        help_text=_("For computed key results: the metric's key, e.g. csat."),
    )
    metric_params = models.JSONField(
        _("metric parameters"),
        default=dict,
        blank=True,
        help_text=_('Filters of the metric, e.g. {"segment": "retail-shoppers"}.'),
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=12, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=4)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    current_value = models.DecimalField(
        _("current value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    current_at = models.DateTimeField(_("measured at"), null=True, blank=True)
    last_computed_value = models.DecimalField(
        _("last computed value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    last_computed_at = models.DateTimeField(_("last computed"), null=True, blank=True)
    next_action_at = models.DateTimeField(_("next computation"), null=True, blank=True)
    history = HistoricalRecords(
        excluded_fields=[
            "current_value",
            "current_at",
            "last_computed_value",
            "last_computed_at",
            "next_action_at",
            "updated_at",
        ]
    )

    class Meta:
        ordering = ["objective", "id"]
        verbose_name = _("key result")
        verbose_name_plural = _("key results")
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="manual", metric_key="")
                | (Q(mode="computed") & ~Q(metric_key="")),
                name="keyresult_metric_matches_mode",
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="keyresult_weight_positive"),
        ]
        indexes = [
            # compute_key_results scanner: computed key results whose next computation is due.
            models.Index(
                fields=["next_action_at"],
                name="keyresult_compute_due_idx",
                condition=Q(mode="computed"),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def metric_words(self) -> str:
        """The computed key result's metric in words (never `key param=value`)."""
        from qms.registry import registry

        return registry.describe(self.metric_key, self.metric_params) if self.metric_key else ""

    @property
    def is_computed(self) -> bool:
        return self.mode == self.Mode.COMPUTED

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.mode == self.Mode.COMPUTED and not self.metric_key:
            raise ValidationError({"metric_key": _("Choose the metric that computes this value.")})
        if self.mode == self.Mode.MANUAL and self.metric_key:
            raise ValidationError(
                {"metric_key": _("A manual key result has no metric: leave it empty.")}
            )


class CheckIn(models.Model):
    """One measurement of a key result. Append-only: nothing updates or deletes a row
    (no service, no admin change, no API route; a database trigger refuses UPDATE, and on
    PostgreSQL also DELETE). A correction is a new check-in.

    `source=computed` rows are written by the compute scanner when a computed value
    changes (see `services.key_result_compute`)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Check-in")
        COMPUTED = "computed", _("Computed")

    key_result = models.ForeignKey(
        KeyResult,
        verbose_name=_("key result"),
        on_delete=models.PROTECT,
        related_name="checkins",
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    confidence = models.PositiveSmallIntegerField(
        _("confidence (0-10)"),
        null=True,
        blank=True,
        help_text=_("How sure are you the target will be reached? 0 = not at all, 10 = sure."),
    )
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objective_checkins",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    due_on = models.DateField(
        _("was due on"),
        null=True,
        blank=True,
        help_text=_("The check-in date the objective was due for; on time if made by then."),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=10),
                name="checkin_confidence_0_10",
            ),
        ]
        indexes = [
            # Check-in history of a key result, newest first.
            models.Index(fields=["key_result", "-at"], name="checkin_keyresult_at_idx"),
            # checkins_on_time metric: check-ins due in a period.
            models.Index(fields=["due_on"], name="checkin_due_on_idx"),
        ]

    def __str__(self):
        return f"{self.key_result}: {self.value} ({self.at:%Y-%m-%d})"

    @property
    def on_time(self) -> bool | None:
        if self.due_on is None:
            return None
        return timezone.localdate(self.at) <= self.due_on


class ObjectiveAnalysis(BaseModel):
    """The end-of-period analysis of an objective that missed its target (ISO 9001
    clause 6.2.2 e: how results are evaluated). The corrective-actions app later opens
    an action where `corrective_action_needed` is set."""

    objective = models.OneToOneField(
        Objective,
        verbose_name=_("objective"),
        on_delete=models.PROTECT,
        related_name="analysis",
    )
    text = models.TextField(_("analysis"))
    corrective_action_needed = models.BooleanField(_("corrective action needed"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="objective_analyses",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("objective analysis")
        verbose_name_plural = _("objective analyses")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="objectiveanalysis_text_required"),
        ]

    def __str__(self):
        return f"{self.objective}: {self.text[:40]}"


def today() -> dt.date:
    return timezone.localdate()
