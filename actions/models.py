"""Corrective actions (ISO 9001 clause 10.2, guide point 4 second half): from a survey
finding, a follow-up case, complaints, a missed objective or an internal finding to a
verified, measured effect.

Sources are child rows (`ActionSource`), so a merged duplicate carries its sources to the
surviving action and a source's page can list the actions opened from it. A complaint
source is a foreign key to `crm.Complaint` (`ActionSource.complaint`), one source per
complaint.

Escalation rule (section 4 of docs/architecture.md): overdue is measured against the ORIGINAL
due date (`due_date`, never changed). An extension (`ActionExtension`) records a new date
with a reason and moves `current_due_date`, shown on the pages; it does not reset the
escalation of the original date, which carries on owner → department head → quality
manager, each level once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Topic
from objectives.models import Objective, ObjectiveAnalysis
from qms.models import BaseModel, Department
from qms.registry import registry
from qms.workflow import TransitionLog
from satisfaction.models import FollowUpCase, Wave


class SourceKind(models.TextChoices):
    SURVEY_FINDING = "survey_finding", _("Survey finding")
    FOLLOWUP_CASE = "followup_case", _("Detractor follow-up case")
    COMPLAINT = "complaint", _("Complaint")
    MISSED_OBJECTIVE = "missed_objective", _("Missed objective")
    INTERNAL = "internal", _("Internal finding")
    MANUAL = "manual", _("By hand")


class CorrectiveAction(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONTAINMENT = "containment", _("Containment")
        ROOT_CAUSE = "root_cause", _("Root-cause analysis")
        PLANNED = "planned", _("Planned")
        IMPLEMENTING = "implementing", _("Implementing")
        EFFECTIVENESS_CHECK = "effectiveness_check", _("Effectiveness check")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        CANCELLED = "cancelled", _("Cancelled")
        NO_ACTION_NEEDED = "no_action_needed", _("No action needed")

    class RootCauseMethod(models.TextChoices):
        NONE = "", _("—")
        FIVE_WHYS = "five_whys", _("5 whys")
        CAUSE_CATEGORIES = "cause_categories", _("Cause categories (fishbone)")

    class Verdict(models.TextChoices):
        NONE = "", _("Not checked")
        PASS = "pass", _("Effective")
        FAIL = "fail", _("Not effective")
        INSUFFICIENT = "insufficient_data", _("Insufficient data")

    TERMINAL = (Status.CLOSED, Status.CANCELLED, Status.NO_ACTION_NEEDED)
    # The owner is chased while the action waits on people (not on data or on nobody).
    ESCALATING = (
        Status.OPEN,
        Status.CONTAINMENT,
        Status.ROOT_CAUSE,
        Status.PLANNED,
        Status.IMPLEMENTING,
        Status.REOPENED,
    )
    CAUSE_CATEGORIES = ("people", "method", "machine", "material", "measurement", "environment")

    reference = models.CharField(_("reference"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("problem description"), blank=True)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_actions",
    )
    source_kind = models.CharField(
        _("opened from"), max_length=20, choices=SourceKind.choices, default=SourceKind.MANUAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    justification = models.TextField(
        _("justification"),
        blank=True,
        help_text=_("Why the action was cancelled or no action is needed."),
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # D3: containment
    containment = models.TextField(_("containment"), blank=True)
    containment_not_needed = models.BooleanField(_("containment not needed"), default=False)
    # D4: root cause
    root_cause_method = models.CharField(
        _("root-cause method"), max_length=20, choices=RootCauseMethod.choices, blank=True
    )
    root_cause_whys = models.JSONField(_("the whys"), default=list, blank=True)
    root_cause_categories = models.JSONField(_("cause categories"), default=dict, blank=True)
    root_cause = models.TextField(_("root-cause statement"), blank=True)
    # Effectiveness criterion: the windows; the metrics are `EffectivenessCriterion` rows.
    baseline_start = models.DateField(_("baseline from"), null=True, blank=True)
    baseline_end = models.DateField(_("baseline until"), null=True, blank=True)
    followup_start = models.DateField(_("follow-up from"), null=True, blank=True)
    followup_end = models.DateField(_("follow-up until"), null=True, blank=True)
    min_n = models.PositiveIntegerField(
        _("minimum n"),
        default=10,
        help_text=_("Fewer observations than this in either window gives “insufficient data”."),
    )
    # Verification
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("implemented by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="implemented_actions",
    )
    verdict = models.CharField(
        _("verdict"), max_length=20, choices=Verdict.choices, blank=True, default=""
    )
    measured_at = models.DateTimeField(_("measured at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verified_actions",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Deadlines
    due_date = models.DateField(
        _("original due date"), help_text=_("Escalation runs against this date.")
    )
    current_due_date = models.DateField(_("current due date"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    next_action_at = models.DateTimeField(_("next effectiveness check"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="action_reference_unique"),
            # Cancelled and "no action needed" always carry a written justification.
            models.CheckConstraint(
                condition=~Q(status__in=["cancelled", "no_action_needed"]) | ~Q(justification=""),
                name="action_terminal_has_justification",
            ),
            # Closing needs a passed check verified by someone other than the implementer.
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(verdict="pass") & Q(verified_by__isnull=False)),
                name="action_closed_is_verified",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True)
                | Q(implemented_by__isnull=True)
                | ~Q(verified_by=models.F("implemented_by")),
                name="action_verifier_not_implementer",
            ),
            models.CheckConstraint(
                condition=Q(baseline_start__isnull=True)
                | Q(baseline_end__isnull=True)
                | Q(baseline_end__gte=models.F("baseline_start")),
                name="action_baseline_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(followup_start__isnull=True)
                | Q(followup_end__isnull=True)
                | Q(followup_end__gte=models.F("followup_start")),
                name="action_followup_window_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("id")), name="action_not_own_duplicate"
            ),
        ]
        indexes = [
            # Board and API list: newest first (the default ordering), paginated.
            models.Index(fields=["-created_at", "-id"], name="action_newest_idx"),
            # Board: filter by status within a department, newest first.
            models.Index(fields=["department", "status"], name="action_dept_status_idx"),
            # Similar-actions panel: the actions on one topic.
            models.Index(fields=["topic", "status"], name="action_topic_status_idx"),
            # My actions: the actions a person owns.
            models.Index(fields=["owner", "status"], name="action_owner_status_idx"),
            # check_effectiveness scanner: actions whose follow-up window has ended.
            models.Index(
                fields=["next_action_at"],
                name="action_check_due_idx",
                condition=Q(next_action_at__isnull=False),
            ),
            # escalate_overdue scanner: actions whose next reminder level has come.
            models.Index(
                fields=["next_escalation_at"],
                name="action_escalation_due_idx",
                condition=Q(next_escalation_at__isnull=False),
            ),
            # Overdue filter and the actions_overdue metric: open actions by original due date.
            models.Index(fields=["due_date"], name="action_due_date_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def is_overdue(self) -> bool:
        return self.status in self.ESCALATING and self.due_date < timezone.localdate()

    @property
    def is_closable(self) -> bool:
        return self.status == self.Status.EFFECTIVENESS_CHECK and self.verdict == self.Verdict.PASS


class ActionSource(BaseModel):
    """What an action was opened from. One action may have several (merged duplicates
    carry theirs). Exactly the field(s) of its kind are set."""

    action = models.ForeignKey(
        CorrectiveAction,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="sources",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    wave = models.ForeignKey(
        Wave,
        verbose_name=_("survey wave"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_action_sources",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("driver topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_action_sources",
    )
    question_code = models.CharField(_("question code"), max_length=40, blank=True)
    followup_case = models.ForeignKey(
        FollowUpCase,
        verbose_name=_("follow-up case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_action_sources",
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_action_sources",
    )
    objective_analysis = models.ForeignKey(
        ObjectiveAnalysis,
        verbose_name=_("objective analysis"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_action_sources",
    )
    complaint = models.ForeignKey(
        "crm.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_action_sources",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["action", "id"]
        verbose_name = _("action source")
        verbose_name_plural = _("action sources")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="survey_finding") | Q(wave__isnull=False),
                name="actionsource_finding_has_wave",
            ),
            models.CheckConstraint(
                condition=~Q(kind="followup_case") | Q(followup_case__isnull=False),
                name="actionsource_followup_has_case",
            ),
            models.CheckConstraint(
                condition=~Q(kind="missed_objective")
                | Q(objective__isnull=False)
                | Q(objective_analysis__isnull=False),
                name="actionsource_objective_has_objective",
            ),
            models.CheckConstraint(
                condition=~Q(kind="complaint") | Q(complaint__isnull=False),
                name="actionsource_complaint_has_complaint",
            ),
        ]
        indexes = [
            # {% actions_for wave %}: the actions opened from one wave.
            models.Index(fields=["wave"], name="actionsource_wave_idx"),
            # {% actions_for case %} on a follow-up case's page.
            models.Index(fields=["followup_case"], name="actionsource_followup_idx"),
            # {% actions_for objective %} on an objective's page.
            models.Index(fields=["objective"], name="actionsource_objective_idx"),
            # The actions opened from a complaint, on the complaint's page.
            models.Index(fields=["complaint"], name="actionsource_complaint_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.action_id}"


class EffectivenessCriterion(BaseModel):
    """One number the effect is judged by (a metric of the registry with its parameters)
    and the target change between the action's baseline and follow-up windows. The
    action passes only when every criterion passes."""

    action = models.ForeignKey(
        CorrectiveAction,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    metric_key = models.CharField(_("metric"), max_length=60)
    metric_params = models.JSONField(_("metric parameters"), default=dict, blank=True)
    target_change_pct = models.DecimalField(
        _("target change (%)"),
        max_digits=7,
        decimal_places=2,
        help_text=_("Signed: -80 for complaints down 80 %, +25 for satisfaction up 25 %."),
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    baseline_n = models.PositiveIntegerField(_("baseline n"), null=True, blank=True)
    followup_value = models.DecimalField(
        _("follow-up value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    followup_n = models.PositiveIntegerField(_("follow-up n"), null=True, blank=True)
    change_pct = models.DecimalField(
        _("change (%)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    verdict = models.CharField(
        _("verdict"),
        max_length=20,
        choices=CorrectiveAction.Verdict.choices,
        blank=True,
        default="",
    )
    measured_at = models.DateTimeField(_("measured at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "id"]
        verbose_name = _("effectiveness criterion")
        verbose_name_plural = _("effectiveness criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "metric_key", "metric_params"],
                name="criterion_action_metric_unique",
            ),
            models.CheckConstraint(
                condition=~Q(target_change_pct=0), name="criterion_target_not_zero"
            ),
        ]

    def __str__(self):
        return self.words

    @property
    def words(self) -> str:
        """The criterion in words, everywhere it is shown: “Share of dissatisfied
        customers naming Check-in wait, Hotel stay pulse: target −50 %”."""
        return registry.describe(self.metric_key, self.metric_params, self.target_change_pct)

    @property
    def metric_words(self) -> str:
        """The metric and its parameters in words, without the target."""
        return registry.describe(self.metric_key, self.metric_params)


class Measure(BaseModel):
    """One step of the plan (D5/D6), with its owner, department and due date."""

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        DOING = "doing", _("Doing")
        DONE = "done", _("Done")

    action = models.ForeignKey(
        CorrectiveAction,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    title = models.CharField(_("measure"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_measures",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="action_measures",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.TODO
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "due_date", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(fields=["action", "title"], name="measure_action_title_unique"),
            models.CheckConstraint(
                condition=Q(status="done", done_at__isnull=False)
                | (~Q(status="done") & Q(done_at__isnull=True)),
                name="measure_done_has_date",
            ),
        ]
        indexes = [
            # My actions: the measures a person owns that are not done.
            models.Index(fields=["owner", "status"], name="measure_owner_status_idx"),
            # escalate_overdue scanner: measures whose next reminder level has come.
            models.Index(
                fields=["next_escalation_at"],
                name="measure_escalation_due_idx",
                condition=Q(next_escalation_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.DONE and self.due_date < timezone.localdate()


class ActionExtension(BaseModel):
    """A new due date with its reason. It moves `current_due_date`; escalation still runs
    against the original due date."""

    action = models.ForeignKey(
        CorrectiveAction,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    new_date = models.DateField(_("new due date"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["action", "at", "id"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
        ]

    def __str__(self):
        return f"{self.action_id} → {self.new_date}"


class ActionTransition(TransitionLog):
    """Every status change: who (empty for the scanner), when, from, to, and a note. The
    columns keep their first names (`by_id`, `at`) and the API its keys (`by`, `at`)."""

    object_field = "action"

    action = models.ForeignKey(
        CorrectiveAction,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=CorrectiveAction.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=CorrectiveAction.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_column="by_id",
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_column="at")

    class Meta:
        ordering = ["action", "created_at", "id"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        indexes = [
            # The action page's timeline: one action's transitions in order.
            models.Index(fields=["action", "created_at"], name="transition_action_at_idx"),
        ]
