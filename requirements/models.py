"""The requirements register (stated / implied / statutory; must-be / performance /
delighter), its review and lifecycle, and the deployment of requirements to departments
with acknowledgements by the heads and reads by staff.

The tables keep the names they had while these models lived in the customers app."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Segment, Topic
from qms.models import BaseModel
from qms.workflow import TransitionLog


class KeptTableHistoricalRecords(HistoricalRecords):
    """History whose many-to-many history tables keep the names they had in the customers
    app (simple-history has `table_name` for the history table but no option for the
    tables of `m2m_fields`)."""

    def get_meta_options_m2m(self, through_model):
        options = super().get_meta_options_m2m(through_model)
        options["db_table"] = f"customers_{self.get_history_model_name(through_model).lower()}"
        return options


class Requirement(BaseModel):
    """A customer requirement in the register (guide section II and point 1)."""

    class Kind(models.TextChoices):
        STATUTORY = "statutory", _("Statutory or regulatory")
        CONTRACTUAL = "contractual", _("Contractual")
        STATED = "stated", _("Stated by the customer")
        IMPLIED = "implied", _("Implied or anticipated future need")
        DELIGHTER = "delighter", _("Delighter that exceeds expectations")

    class Kano(models.TextChoices):
        MUST_BE = "must_be", _("Must-be")
        PERFORMANCE = "performance", _("Performance")
        ATTRACTIVE = "attractive", _("Attractive")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        DEPLOYED = "deployed", _("Deployed")
        RETIRED = "retired", _("Retired")

    class Importance(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")
        CRITICAL = 4, _("Critical")

    # The guide's three levels: identify needs, meet requirements, exceed expectations.
    KANO_BY_KIND = {
        Kind.STATUTORY: Kano.MUST_BE,
        Kind.CONTRACTUAL: Kano.MUST_BE,
        Kind.STATED: Kano.PERFORMANCE,
        Kind.IMPLIED: Kano.PERFORMANCE,
        Kind.DELIGHTER: Kano.ATTRACTIVE,
    }

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requirements",
        help_text=_("Leave empty when the requirement concerns every customer."),
    )
    importance = models.PositiveSmallIntegerField(
        _("importance"), choices=Importance.choices, default=Importance.MEDIUM
    )
    acceptance_criterion = models.CharField(
        _("acceptance criterion"),
        max_length=300,
        blank=True,
        help_text=_("Measurable where possible, e.g. “checkout wait under 5 minutes”."),
    )
    reference = models.CharField(
        _("regulation or contract reference"),
        max_length=300,
        blank=True,
        help_text=_("Required for statutory and contractual requirements."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_requirements",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("topics"),
        blank=True,
        related_name="requirements",
        db_table="customers_requirement_topics",
    )
    revision = models.PositiveIntegerField(
        _("revision"),
        default=1,
        editable=False,
        help_text=_(
            "Goes up when the substance (title, description, acceptance criterion, kind) "
            "of a reviewed requirement changes; departments then acknowledge it again."
        ),
    )
    revised_at = models.DateTimeField(_("current revision since"), default=timezone.now)
    history = KeptTableHistoricalRecords(
        m2m_fields=[topics], table_name="customers_historicalrequirement"
    )

    class Meta:
        db_table = "customers_requirement"
        ordering = ["-importance", "title"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["statutory", "contractual"]) | ~Q(reference=""),
                name="requirement_reference_for_statutory_contractual",
            ),
        ]
        indexes = [
            # Register filters by status and kind.
            models.Index(fields=["status", "kind"], name="requirement_status_kind_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def kano(self) -> str:
        return self.KANO_BY_KIND[self.kind]

    def get_kano_display(self) -> str:
        return self.Kano(self.kano).label

    # Kano class → the guide's level (section II): must-be needs are met, performance
    # needs are identified, attractive ones exceed expectations.
    GUIDE_LEVEL_BY_KANO = {
        Kano.MUST_BE: _("Meet requirements"),
        Kano.PERFORMANCE: _("Identify needs"),
        Kano.ATTRACTIVE: _("Exceed expectations"),
    }

    @property
    def guide_level(self) -> str:
        return self.GUIDE_LEVEL_BY_KANO[self.kano]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind in (self.Kind.STATUTORY, self.Kind.CONTRACTUAL) and not self.reference:
            raise ValidationError(
                {
                    "reference": _(
                        "Name the regulation or contract clause for a statutory or "
                        "contractual requirement."
                    )
                }
            )


# --- Requirements register and deployment ---
# The lifecycle (proposed → under review → accepted → deployed → retired), the review that
# must precede acceptance, and the deployment of a requirement to departments with their
# commitments, acknowledgements by the head and reads by staff (guide points 1 and 3).
# Rules live in requirements/services.py.

DEFAULT_ACK_DAYS = 7


class RequirementReview(BaseModel):
    """The review recorded before acceptance: can the organisation meet it?

    A "yes" lets the quality manager accept the requirement (for the revision reviewed);
    a "no" sends the requirement back to *proposed* with the note as the reason.
    """

    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("requirement"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    revision = models.PositiveIntegerField(_("revision reviewed"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="requirement_reviews",
    )
    can_meet = models.BooleanField(_("the organisation can meet it"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        db_table = "customers_requirementreview"
        ordering = ["-created_at", "-id"]
        verbose_name = _("requirement review")
        verbose_name_plural = _("requirement reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(can_meet=True) | ~Q(note=""),
                name="requirement_review_note_when_no",
            ),
        ]
        indexes = [
            # Acceptance guard: the latest review of a requirement.
            models.Index(fields=["requirement", "-created_at"], name="req_review_latest_idx"),
        ]

    def __str__(self):
        answer = _("yes") if self.can_meet else _("no")
        return f"{self.requirement} r{self.revision}: {answer}"


class RequirementTransition(BaseModel, TransitionLog):
    """One step of the lifecycle, with who took it, when, and why (the kernel's log row;
    BaseModel first, so `created_at` keeps its verbose name and `updated_at` stays)."""

    object_field = "requirement"

    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("requirement"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Requirement.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Requirement.Status.choices)
    revision = models.PositiveIntegerField(_("revision"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requirement_transitions",
    )

    class Meta:
        db_table = "customers_requirementtransition"
        ordering = ["-created_at", "-id"]
        verbose_name = _("requirement transition")
        verbose_name_plural = _("requirement transitions")

    def __str__(self):
        return f"{self.requirement}: {self.from_status or '∅'} → {self.to_status}"


class Deployment(BaseModel):
    """A requirement deployed to one department, with that department's own commitment.

    `acknowledged_*` describe the head's acknowledgement of the *current* revision; a
    change of substance clears them (the old acknowledgement stays in
    `DeploymentAcknowledgement`). `next_action_at`/`reminder_step` drive the overdue
    acknowledgement scanner: step 0 → first reminder, 1 → second reminder, 2 → escalation
    to the quality managers, 3 → done.
    """

    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("requirement"),
        on_delete=models.CASCADE,
        related_name="deployments",
    )
    department = models.ForeignKey(
        "qms.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="requirement_deployments",
    )
    commitment = models.TextField(
        _("commitment"),
        help_text=_("What this department does to meet the need, e.g. “ID scan in 10 s”."),
    )
    ack_days = models.PositiveSmallIntegerField(
        _("days to acknowledge"),
        default=DEFAULT_ACK_DAYS,
        validators=[MinValueValidator(1)],
        help_text=_("The head is reminded when the acknowledgement is this many days late."),
    )
    activated_at = models.DateTimeField(_("deployed at"), null=True, blank=True)
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledged_revision = models.PositiveIntegerField(
        _("acknowledged revision"), null=True, blank=True
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="acknowledged_deployments",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    ack_comment = models.TextField(_("head's comment"), blank=True)
    next_action_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    reminder_step = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    history = HistoricalRecords(table_name="customers_historicaldeployment")

    class Meta:
        db_table = "customers_deployment"
        ordering = ["requirement__title", "department__name"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "department"], name="deployment_requirement_department"
            ),
            models.CheckConstraint(
                condition=Q(ack_days__gte=1), name="deployment_ack_days_positive"
            ),
        ]
        indexes = [
            # remind_overdue_acknowledgements scanner: rows whose next reminder is due.
            models.Index(
                fields=["next_action_at"],
                name="deployment_ack_due_idx",
                condition=Q(next_action_at__isnull=False),
            ),
            # Brief list and coverage page: one department's deployments.
            models.Index(fields=["department", "requirement"], name="deployment_department_idx"),
        ]

    def __str__(self):
        return f"{self.requirement} → {self.department.code}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_revision == self.requirement.revision


class DeploymentAcknowledgement(BaseModel):
    """The head's acknowledgement of one revision of a deployed need (a log kept forever;
    a changed commitment may be acknowledged again within the same revision)."""

    deployment = models.ForeignKey(
        Deployment,
        verbose_name=_("deployment"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    revision = models.PositiveIntegerField(_("revision"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        related_name="deployment_acknowledgements",
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        db_table = "customers_deploymentacknowledgement"
        ordering = ["-created_at", "-id"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    def __str__(self):
        return f"{self.deployment} r{self.revision} by {self.user}"


class BriefRead(BaseModel):
    """A staff member read their department's brief of a need (one revision)."""

    deployment = models.ForeignKey(
        Deployment, verbose_name=_("deployment"), on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        on_delete=models.CASCADE,
        related_name="brief_reads",
    )
    revision = models.PositiveIntegerField(_("revision"))

    class Meta:
        db_table = "customers_briefread"
        ordering = ["-created_at", "-id"]
        verbose_name = _("brief read")
        verbose_name_plural = _("brief reads")
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "user", "revision"], name="brief_read_once_per_revision"
            ),
        ]
        indexes = [
            # Read coverage: reads of a deployment's current revision.
            models.Index(fields=["deployment", "revision"], name="brief_read_revision_idx"),
        ]

    def __str__(self):
        return f"{self.user} read {self.deployment} r{self.revision}"


class DecisionCitation(BaseModel):
    """A management review decision (ISO 9001 9.3.3) cites a customer need it concerns.
    Kept here, not on the decision: the organisation core (`qms`) does not know
    requirements; this app adds the needs to the review page through `record_panels`."""

    decision = models.ForeignKey(
        "qms.ReviewDecision",
        verbose_name=_("review decision"),
        on_delete=models.CASCADE,
        related_name="requirement_citations",
    )
    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("requirement"),
        on_delete=models.CASCADE,
        related_name="decision_citations",
    )
    cited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["decision", "requirement"]
        verbose_name = _("decision citing a requirement")
        verbose_name_plural = _("decisions citing requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "requirement"], name="decision_citation_unique"
            ),
        ]
        indexes = [
            # Requirement page and trace: the decisions citing one requirement.
            models.Index(fields=["requirement", "decision"], name="decision_citation_req_idx"),
        ]

    def __str__(self):
        return f"{self.decision} → {self.requirement}"
