"""Organisation core: people, roles, departments, and the outgoing message log."""

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class BaseModel(models.Model):
    """Every table records when a row was created and last changed."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who signs in. The organisation-wide role sits here; department roles
    (head, staff) come from `Department.head` and `Membership`."""

    class Role(models.TextChoices):
        QUALITY_MANAGER = "quality_manager", _("Quality manager")
        VIEWER = "viewer", _("Read-only viewer")
        MEMBER = "member", _("Department member")

    role = models.CharField(
        _("organisation role"),
        max_length=20,
        choices=Role.choices,
        default=Role.MEMBER,
        help_text=_(
            "Quality managers have full rights; viewers read everything; members see "
            "the departments they head or belong to."
        ),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_quality_manager(self) -> bool:
        return self.is_active and (self.role == self.Role.QUALITY_MANAGER or self.is_superuser)

    @property
    def can_view_all(self) -> bool:
        """Quality managers and viewers read every department's records."""
        return self.is_quality_manager or (self.is_active and self.role == self.Role.VIEWER)


class Department(BaseModel):
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(
        _("code"),
        max_length=20,
        help_text=_("Short unique code, e.g. FD for the front desk."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        User,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="department_code_unique"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="department_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Membership(BaseModel):
    """A staff member of a department. Heads are named on the department itself."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["department__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="membership_user_department_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.department.code}"


class Message(BaseModel):
    """The outbox and message log (docs/architecture.md section 4).

    Every message the system sends is first written here with a unique key such as
    `membership-added:42`. A retried task, a second beat or a double click finds the
    row and sends nothing more.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Uncertain: may have been sent")

    key = models.CharField(_("key"), max_length=200)
    kind = models.CharField(_("kind"), max_length=60)
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    next_action_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Delivery bookkeeping (docs/architecture.md section 4): the batch that holds the
    # row's lease, the id of the attempt now in flight, and the Message-ID header every
    # attempt of this message carries (so a mail client can tell a resend is the same).
    lease_owner = models.CharField(_("lease owner"), max_length=32, blank=True, db_default="")
    attempt_id = models.CharField(_("attempt"), max_length=32, blank=True, db_default="")
    message_id = models.CharField(_("Message-ID header"), max_length=255, blank=True, db_default="")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["key"], name="message_key_unique"),
        ]
        indexes = [
            # send_due_messages scanner: pending rows whose next_action_at has come.
            models.Index(
                fields=["next_action_at"],
                name="message_pending_due_idx",
                condition=Q(status="pending"),
            ),
            # The recovery scan: rows left "being sent" whose lease ran out.
            models.Index(
                fields=["next_action_at"],
                name="message_sending_due_idx",
                condition=Q(status="sending"),
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient} ({self.get_status_display()})"


# --- Interested parties and balance (guide point 6, ISO 9001 clause 4.2) --------------


class InterestedParty(BaseModel):
    """Someone whose needs the organisation must balance against its customers'."""

    class Category(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        EMPLOYEES = "employees", _("Employees")
        SUPPLIERS = "suppliers", _("Suppliers")
        SHAREHOLDERS = "shareholders", _("Shareholders")
        COMMUNITY = "community", _("Community")
        REGULATORS = "regulators", _("Regulators")
        OTHER = "other", _("Other")

    class Level(models.IntegerChoices):
        VERY_LOW = 1, _("Very low")
        LOW = 2, _("Low")
        MEDIUM = 3, _("Medium")
        HIGH = 4, _("High")
        VERY_HIGH = 5, _("Very high")

    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    needs = models.TextField(
        _("needs and expectations"),
        help_text=_("What this party needs from the organisation, and expects of it."),
    )
    influence = models.PositiveSmallIntegerField(
        _("influence"), choices=Level.choices, default=Level.MEDIUM
    )
    interest = models.PositiveSmallIntegerField(
        _("interest"), choices=Level.choices, default=Level.MEDIUM
    )
    review_date = models.DateField(_("next review"))
    owner = models.ForeignKey(
        User,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_parties",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("interested party")
        verbose_name_plural = _("interested parties")
        constraints = [
            models.UniqueConstraint(fields=["name"], name="interested_party_name_unique"),
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5, interest__gte=1, interest__lte=5),
                name="interested_party_levels_1_to_5",
            ),
        ]
        indexes = [
            # "Reviews due" on the register and the management review: review_date <= today.
            models.Index(fields=["review_date"], name="party_review_date_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def quadrant(self) -> str:
        """The power/interest grid's advice for this party."""
        high_power, high_interest = self.influence >= 3, self.interest >= 3
        if high_power and high_interest:
            return _("Manage closely")
        if high_power:
            return _("Keep satisfied")
        if high_interest:
            return _("Keep informed")
        return _("Monitor")


class ImpactAssessment(BaseModel):
    """The expected impact of a plan (an objective, a corrective-action plan, ...) on one
    interested party. A negative impact needs a mitigation or a recorded approval by a
    quality manager before the plan can go ahead."""

    class Impact(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")

    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    party = models.ForeignKey(
        InterestedParty,
        verbose_name=_("interested party"),
        on_delete=models.PROTECT,
        related_name="impacts",
    )
    impact = models.CharField(_("expected impact"), max_length=10, choices=Impact.choices)
    note = models.TextField(_("note"), blank=True)
    mitigation = models.TextField(
        _("mitigation"),
        blank=True,
        help_text=_("How a negative impact on this party is avoided or reduced."),
    )
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_reason = models.TextField(_("reason for approval"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["party__category", "party__name"]
        verbose_name = _("impact assessment")
        verbose_name_plural = _("impact assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "party"], name="impact_target_party_unique"
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approval_reason=""),
                name="impact_approval_has_reason",
            ),
        ]
        indexes = [
            # The impacts of one plan, shown on the plan's page and checked before it proceeds.
            models.Index(fields=["target_type", "target_id"], name="impact_target_idx"),
        ]

    def __str__(self):
        return f"{self.party}: {self.get_impact_display()}"

    @property
    def is_blocking(self) -> bool:
        return (
            self.impact == self.Impact.NEGATIVE
            and not self.mitigation.strip()
            and self.approved_at is None
        )


class PartyConflict(BaseModel):
    """Requirements of interested parties that pull against each other, and how the
    organisation decided to balance them."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what pulls against what"))
    parties = models.ManyToManyField(
        InterestedParty, verbose_name=_("parties"), related_name="conflicts"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decision = models.TextField(_("decision"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    outcomes = models.TextField(
        _("outcome per party"),
        blank=True,
        help_text=_("One line per party, e.g. “Suppliers: stable long-term orders”."),
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[parties])

    class Meta:
        ordering = ["status", "-created_at"]
        verbose_name = _("conflict between parties")
        verbose_name_plural = _("conflicts between parties")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(decision="") & ~Q(rationale="")),
                name="conflict_decided_has_decision_and_rationale",
            ),
        ]

    def __str__(self):
        return self.title


# --- Management review (ISO 9001 clause 9.3) ------------------------------------------


class ManagementReview(BaseModel):
    """A management review for a period. Its inputs are compiled by the portal from the
    metrics registry and the registers; when the review is held they are frozen as a
    snapshot, so the record shows what top management saw."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")

    title = models.CharField(_("title"), max_length=200)
    period_label = models.CharField(
        _("period"), max_length=10, help_text=_("2026, 2026-Q3 or 2026-07")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    meeting_date = models.DateField(_("meeting date"))
    chair = models.ForeignKey(
        User, verbose_name=_("chair"), on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.TextField(_("attendees"), blank=True)
    resources_note = models.TextField(
        _("adequacy of resources"), blank=True, help_text=_("ISO 9001 9.3.2 d")
    )
    improvement_note = models.TextField(
        _("opportunities for improvement"), blank=True, help_text=_("ISO 9001 9.3.2 f")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    inputs_snapshot = models.JSONField(_("inputs as presented"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-meeting_date", "-id"]
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="review_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(held_at__isnull=False),
                name="review_held_has_time",
            ),
        ]

    def __str__(self):
        return self.title


class ReviewDecision(BaseModel):
    """An output of a management review: a decision or action with an owner and a due
    date, tracked to closure and shown in the next review."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", _("Opportunity for improvement")
        CHANGE = "change", _("Change to the quality management system")
        RESOURCES = "resources", _("Resource needed")

    review = models.ForeignKey(
        ManagementReview,
        verbose_name=_("review"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("decision"), max_length=300)
    owner = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="review_decisions"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "due_date", "id"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False),
                name="review_decision_closed_has_time",
            ),
        ]
        indexes = [
            # "Open decisions from earlier reviews" on every new review and on owners' homes.
            models.Index(fields=["status", "due_date"], name="review_decision_open_idx"),
        ]

    def __str__(self):
        return self.title


# --- The organisation as customers see it ----------------------------------------------


class Branding(BaseModel):
    """The organisation's name, logo, main colour and contact, shown on the customer's
    survey pages, the thank-you page and the e-mails. One row (pk 1), edited by the
    quality manager (qms.branding reads it, cached)."""

    name = models.CharField(
        _("organisation name"),
        max_length=120,
        blank=True,
        help_text=_("As customers know you, e.g. Harbour View Hotel."),
    )
    main_colour = models.CharField(
        _("main colour"),
        max_length=7,
        default="#0b5ed7",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Pick a colour, e.g. #0b5ed7."))],
        help_text=_(
            "The bar at the top of the survey pages, buttons and e-mails. The text on it "
            "is black or white, whichever reads better."
        ),
    )
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_type = models.CharField(_("logo type"), max_length=40, blank=True, editable=False)
    contact_email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_("Shown to customers on the survey pages, e.g. for a link that does not work."),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("organisation and branding")
        verbose_name_plural = _("organisation and branding")

    def __str__(self):
        return self.name or "—"


class DashboardSettings(BaseModel):
    """How the quality dashboard reads its numbers, set by the quality manager (one row):
    the minimum number of answers below which a tile greys and says “too few answers”,
    and how close to its target a tile is “at risk” rather than “off target”."""

    min_n = models.PositiveIntegerField(
        _("minimum answers to read a number"),
        default=10,
        help_text=_(
            "A tile or a month in a trend with fewer answers than this is shown as "
            "“too few answers” instead of a number that swings on one response."
        ),
    )
    at_risk_margin_pct = models.PositiveSmallIntegerField(
        _("at-risk margin (%)"),
        default=10,
        help_text=_(
            "A number that misses its target by less than this share of the target is "
            "“at risk”; further away it is “off target”."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dashboard settings")
        verbose_name_plural = _("dashboard settings")

    def __str__(self):
        return str(_("Dashboard settings"))

    @classmethod
    def current(cls) -> "DashboardSettings":
        return cls.objects.order_by("pk").first() or cls(min_n=10, at_risk_margin_pct=10)


class TileTarget(BaseModel):
    """A target for a dashboard tile set by the quality manager, used where no active
    objective's key result targets the tile's metric."""

    tile = models.CharField(_("tile"), max_length=40)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tile"]
        verbose_name = _("tile target")
        verbose_name_plural = _("tile targets")
        constraints = [models.UniqueConstraint(fields=["tile"], name="tiletarget_tile_unique")]

    def __str__(self):
        return f"{self.tile}: {self.target}"


# --- Evidence by clause (issue 21) -------------------------------------------------------


class EvidencePack(BaseModel):
    """The evidence pack of a period (PDF, or a ZIP of CSVs) built by a Celery task when
    it is large (`qms.evidence_pack`). The row is the outbox: the scanner re-kicks one
    still queued and queues again one whose worker died."""

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        ZIP = "zip", _("ZIP of CSV files")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    PENDING_STATES = (State.QUEUED, State.RUNNING)

    period_label = models.CharField(_("period"), max_length=10)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    language = models.CharField(_("language"), max_length=10, default="en")
    requested_by = models.ForeignKey(
        User,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="evidence/", max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evidence pack")
        verbose_name_plural = _("evidence packs")
        indexes = [
            # The scanner: packs still queued or running.
            models.Index(
                fields=["state", "created_at"],
                name="evidence_pack_pending_idx",
                condition=Q(state__in=["queued", "running"]),
            ),
        ]

    def __str__(self):
        return f"{self.period_label} {self.format}"


# Webhooks out (their own module, docs/architecture.md "Webhooks out").
from .webhook_models import WebhookDelivery, WebhookEndpoint  # noqa: E402, F401


class ScannerRun(models.Model):
    """When each periodic scanner last finished (one row per Celery task name), written
    by the worker after the task succeeds (qms/observability.py). /readyz and the system
    page read it: a scanner that stopped running means beat or every worker is down."""

    task = models.CharField(_("task"), max_length=100, unique=True)
    finished_at = models.DateTimeField(_("finished"))

    class Meta:
        verbose_name = _("scanner run")
        verbose_name_plural = _("scanner runs")

    def __str__(self):
        return f"{self.task} at {self.finished_at:%Y-%m-%d %H:%M:%S}"
