"""Voice of the customer: customers and their consent, segments, the shared topic
vocabulary, and the requirements register."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import BaseModel


class Segment(BaseModel):
    """A group of customers the organisation serves differently (e.g. "Business
    travellers", "Young families")."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [models.UniqueConstraint(fields=["code"], name="segment_code_unique")]

    def __str__(self):
        return self.name


class Customer(BaseModel):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        PERSON = "person", _("Person")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        CHINESE = "zh-hans", _("Simplified Chinese")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200)
    external_ref = models.CharField(
        _("external reference"),
        max_length=60,
        blank=True,
        help_text=_("The customer's number in your CRM or ERP; used to match imports."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="customer_external_ref_unique",
            ),
        ]
        indexes = [
            # Customer list search and sort by name.
            models.Index(fields=["name"], name="customer_name_idx"),
            # Survey audiences and filters by segment.
            models.Index(fields=["segment", "is_active"], name="customer_segment_active_idx"),
        ]

    def __str__(self):
        return self.name


class Contact(BaseModel):
    """A person at an organisation customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.name} ({self.customer})"


class Consent(BaseModel):
    """Whether a customer agreed to be contacted on a channel, and when and how."""

    class Channel(models.TextChoices):
        SURVEYS = "surveys", _("Surveys")
        REMINDERS = "reminders", _("Reminders")
        MARKETING = "marketing", _("Marketing")

    class Method(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        CONTRACT = "contract", _("Contract")
        IMPORT = "import", _("Import")
        OPT_OUT_LINK = "opt_out_link", _("Opt-out link")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("given or withdrawn at"))
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer", "channel"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "channel"], name="consent_customer_channel_unique"
            ),
        ]

    def __str__(self):
        state = _("yes") if self.granted else _("no")
        return f"{self.customer}: {self.get_channel_display()} = {state}"


class Topic(BaseModel):
    """One shared vocabulary of what customers talk about ("queue time", "battery life"),
    used by tickets, interviews, survey driver questions and requirements alike."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("code"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Renaming a topic re-labels evidence from every source: auditors see who did it.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [models.UniqueConstraint(fields=["slug"], name="topic_slug_unique")]

    def __str__(self):
        return self.name


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
        Topic, verbose_name=_("topics"), blank=True, related_name="requirements"
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
    history = HistoricalRecords(m2m_fields=[topics])

    class Meta:
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


# --- Research sources ------------------------------------------------------------------
# Guide point 1: after-sales work orders, purchases and in-depth interviews, each coded to
# the shared Topic vocabulary so evidence from every source adds up in the Pareto analysis.


class Ticket(BaseModel):
    """An after-sales work order, imported from the service desk (CSV or API)."""

    external_id = models.CharField(
        _("external id"),
        max_length=60,
        help_text=_("The work order's number in the service desk; re-imports match on it."),
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    product = models.CharField(_("product"), max_length=120, blank=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="tickets"
    )
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("after-sales ticket")
        verbose_name_plural = _("after-sales tickets")
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="ticket_external_id_unique"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="ticket_closed_after_opened",
            ),
        ]
        indexes = [
            # Pareto and the ticket_volume metric: count by topic within a period.
            models.Index(fields=["opened_at", "topic"], name="ticket_opened_topic_idx"),
            # Pareto drill-down: a topic's tickets, newest first.
            models.Index(fields=["topic", "opened_at"], name="ticket_topic_opened_idx"),
            # Customer detail page: the customer's tickets.
            models.Index(fields=["customer", "opened_at"], name="ticket_customer_opened_idx"),
        ]

    def __str__(self):
        return f"{self.external_id}: {self.topic}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.closed_at and self.opened_at and self.closed_at < self.opened_at:
            raise ValidationError({"closed_at": _("A ticket cannot close before it opens.")})


class Purchase(BaseModel):
    """A purchase line from the shop or ERP (big-data analysis of buying behaviour; the
    CRM issue uses it for replenishment reminders)."""

    external_id = models.CharField(
        _("external id"),
        max_length=60,
        help_text=_("The order line's number in the shop or ERP; re-imports match on it."),
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="purchases"
    )
    product = models.CharField(_("product"), max_length=120)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    purchased_at = models.DateTimeField(_("purchased"))

    class Meta:
        ordering = ["-purchased_at", "-id"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="purchase_external_id_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="purchase_amount_not_negative"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="purchase_quantity_positive"),
        ]
        indexes = [
            # Customer detail page and replenishment: a customer's purchases by date.
            models.Index(fields=["customer", "purchased_at"], name="purchase_customer_date_idx"),
            # Purchase list filtered by period.
            models.Index(fields=["purchased_at"], name="purchase_date_idx"),
        ]

    def __str__(self):
        return f"{self.external_id}: {self.product} × {self.quantity}"


class Interview(BaseModel):
    """An in-depth interview with one customer or a group of a segment (e.g. a mom
    group), to find implicit needs of core users."""

    title = models.CharField(
        _("title"), max_length=200, help_text=_("E.g. “Mom group, Hangzhou, March”.")
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    held_on = models.DateField(_("date"))
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(segment__isnull=False),
                name="interview_customer_or_segment",
            ),
        ]
        indexes = [
            # Interview list and Pareto: interviews within a period.
            models.Index(fields=["held_on"], name="interview_held_on_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.customer_id is None and self.segment_id is None:
            raise ValidationError(
                _("Name the customer interviewed, or the segment of the group interviewed.")
            )


class InterviewFinding(BaseModel):
    """One thing learned in an interview, coded to a topic and optionally to a candidate
    requirement, with the customer's own words."""

    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.CASCADE, related_name="findings"
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="findings"
    )
    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("candidate requirement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    note = models.TextField(
        _("finding or quote"), help_text=_("What was learned, in the customer's words if possible.")
    )

    class Meta:
        ordering = ["interview", "id"]
        verbose_name = _("interview finding")
        verbose_name_plural = _("interview findings")
        indexes = [
            # Pareto: findings counted by topic; drill-down lists a topic's findings.
            models.Index(fields=["topic", "interview"], name="finding_topic_interview_idx"),
        ]

    def __str__(self):
        return f"{self.interview}: {self.topic}"


# --- Requirements register and deployment ---
# The lifecycle (proposed → under review → accepted → deployed → retired), the review that
# must precede acceptance, and the deployment of a requirement to departments with their
# commitments, acknowledgements by the head and reads by staff (guide points 1 and 3).
# Rules live in customers/requirement_services.py.

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


class RequirementTransition(BaseModel):
    """One step of the lifecycle, with who took it, when, and why."""

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
    note = models.TextField(_("note"), blank=True)

    class Meta:
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
    history = HistoricalRecords()

    class Meta:
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


# --- CRM: interactions, preferences, complaints, replenishment ---
# Guide point 5 (manage customer relationships systematically) and the loyalty benefit of
# section III. Rules live in customers/crm_services.py; reads in crm_selectors.py.


class Interaction(BaseModel):
    """One row per contact with a customer: the single table the Customer 360 timeline
    reads with one indexed query (`interaction_timeline_idx`), keyset-paginated.

    Logged interactions (calls, e-mails, visits…) are written here directly. Purchases,
    tickets, interviews, complaints and bookings get a *mirror* row that points at the
    source (one-to-one, unique) — written by their service, or by the mirror scanner for
    rows imported through the import engine — so the timeline never UNIONs tables.
    """

    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        PURCHASE = "purchase", _("Purchase")
        BOOKING = "booking", _("Booking")
        VISIT = "visit", _("Visit")
        CALL = "call", _("Call")
        EMAIL = "email", _("E-mail")
        COMPLAINT = "complaint", _("Complaint")
        TICKET = "ticket", _("After-sales ticket")
        INTERVIEW = "interview", _("Interview")
        SURVEY_RESPONSE = "survey_response", _("Survey response")

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        WEB = "web", _("Web or app")
        CHAT = "chat", _("Chat")
        LETTER = "letter", _("Letter")
        SYSTEM = "system", _("Imported from another system")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="interactions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.IN_PERSON
    )
    occurred_at = models.DateTimeField(_("when"))
    department = models.ForeignKey(
        "qms.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer_interactions",
    )
    summary = models.TextField(_("summary"), blank=True)
    external_id = models.CharField(
        _("external id"),
        max_length=60,
        blank=True,
        help_text=_("The interaction's id in the system it came from; re-imports match on it."),
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="logged_interactions",
    )
    # Optional links to the source row of a mirrored interaction.
    purchase = models.OneToOneField(
        Purchase, null=True, blank=True, on_delete=models.CASCADE, related_name="interaction"
    )
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="interaction"
    )
    interview = models.ForeignKey(
        Interview, null=True, blank=True, on_delete=models.CASCADE, related_name="interactions"
    )
    complaint = models.OneToOneField(
        "Complaint", null=True, blank=True, on_delete=models.CASCADE, related_name="interaction"
    )
    booking = models.OneToOneField(
        "Booking", null=True, blank=True, on_delete=models.CASCADE, related_name="interaction"
    )
    link = models.URLField(_("link"), blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="interaction_external_id_unique",
            ),
            models.UniqueConstraint(
                fields=["interview", "customer"],
                condition=Q(interview__isnull=False),
                name="interaction_interview_customer_unique",
            ),
        ]
        indexes = [
            # Customer 360 timeline: one customer's interactions, newest first, keyset.
            models.Index(
                fields=["customer", "-occurred_at", "-id"], name="interaction_timeline_idx"
            ),
            # complaint_rate per orders: orders and purchases counted within a period.
            models.Index(fields=["kind", "occurred_at"], name="interaction_kind_date_idx"),
        ]

    def __str__(self):
        return f"{self.customer}: {self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class Preference(BaseModel):
    """What a customer likes, so every department can serve them personally (a room
    facing the sea, sugar-free coffee, an aisle seat, a vegetarian meal)."""

    class Category(models.TextChoices):
        ROOM = "room", _("Room")
        FOOD_DRINK = "food_drink", _("Food and drink")
        SEAT = "seat", _("Seat")
        MEAL = "meal", _("Meal")
        COMMUNICATION = "communication", _("Communication")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        CUSTOMER_SAID = "customer_said", _("The customer told us")
        OBSERVED = "observed", _("Observed by staff")
        SURVEY = "survey", _("Survey")
        BOOKING = "booking", _("Booking form")
        IMPORT = "import", _("Import")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="preferences"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    value = models.CharField(_("preference"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.CUSTOMER_SAID
    )
    last_confirmed_on = models.DateField(_("last confirmed"), null=True, blank=True)
    department = models.ForeignKey(
        "qms.Department",
        verbose_name=_("prepared by department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer_preferences",
        help_text=_(
            "The department that prepares this before a booking or visit (e.g. Housekeeping "
            "for the coffee). Empty: the department that logs the booking."
        ),
    )

    class Meta:
        ordering = ["customer", "category", "value"]
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "category", "value"], name="preference_unique_value"
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.value}"


class Booking(BaseModel):
    """An upcoming booking, visit or order logged by staff; it turns the customer's
    preferences into a preparation checklist for the departments concerned."""

    class Kind(models.TextChoices):
        BOOKING = "booking", _("Booking")
        VISIT = "visit", _("Visit")
        ORDER = "order", _("Order")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="bookings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BOOKING)
    starts_at = models.DateTimeField(_("arrives or starts"))
    department = models.ForeignKey(
        "qms.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="customer_bookings",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="logged_bookings",
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("booking or visit")
        verbose_name_plural = _("bookings and visits")
        indexes = [
            # Upcoming bookings list: by start, soonest first.
            models.Index(fields=["starts_at"], name="booking_starts_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.customer} {self.starts_at:%Y-%m-%d}"


class ChecklistItem(BaseModel):
    """One preference to prepare for one booking, by one department."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="checklist"
    )
    preference = models.ForeignKey(
        Preference,
        verbose_name=_("preference"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checklist_items",
    )
    department = models.ForeignKey(
        "qms.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="checklist_items",
    )
    text = models.CharField(_("prepare"), max_length=300)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prepared_checklist_items",
    )
    prepared_at = models.DateTimeField(_("prepared at"), null=True, blank=True)

    class Meta:
        ordering = ["booking", "department__code", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "preference"],
                condition=Q(preference__isnull=False),
                name="checklist_item_once_per_preference",
            ),
        ]
        indexes = [
            # Department checklist page: a department's items.
            models.Index(fields=["department", "booking"], name="checklist_department_idx"),
        ]

    def __str__(self):
        return f"{self.booking}: {self.text}"


# Response-time targets by severity (ISO 10002), in days from receipt to the decision.
COMPLAINT_TARGET_DAYS = {"critical": 1, "high": 3, "medium": 7, "low": 14}
# An overdue complaint reminds its owner at the target, then the quality managers this
# many days later if it is still undecided.
COMPLAINT_ESCALATE_AFTER_DAYS = 2


class Complaint(BaseModel):
    """A complaint handled per ISO 10002: received → acknowledged → assessing →
    investigating → decided → closed (the customer accepts) or back to investigating
    (the customer rejects the outcome)."""

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSESSING = "assessing", _("Assessing")
        INVESTIGATING = "investigating", _("Investigating")
        DECIDED = "decided", _("Decided, awaiting the customer")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = ("received", "acknowledged", "assessing", "investigating", "decided")

    reference = models.CharField(_("reference"), max_length=20, editable=False)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    description = models.TextField(_("what happened"))
    remedy_sought = models.TextField(_("remedy the customer seeks"), blank=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="complaints"
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    department = models.ForeignKey(
        "qms.Department",
        verbose_name=_("department concerned"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_complaints",
    )
    channel = models.CharField(
        _("received through"),
        max_length=20,
        choices=Interaction.Channel.choices,
        default=Interaction.Channel.IN_PERSON,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received"))
    due_at = models.DateTimeField(_("respond by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    first_decided_at = models.DateTimeField(_("first decision"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    response_round = models.PositiveSmallIntegerField(_("response round"), default=1)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Ready for the corrective-actions app, which builds the other side.
    escalated = models.BooleanField(_("escalated to a corrective action"), default=False)
    escalation_note = models.TextField(_("escalation note"), blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # Overdue scanner: 0 → remind the owner, 1 → remind the quality managers, 2 → done.
    next_action_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    reminder_step = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="complaint_reference_unique"),
        ]
        indexes = [
            # remind_overdue_complaints scanner: rows whose next reminder is due.
            models.Index(
                fields=["next_action_at"],
                name="complaint_due_idx",
                condition=Q(next_action_at__isnull=False),
            ),
            # Complaint list: a department's complaints by status, newest first.
            models.Index(
                fields=["department", "status", "-received_at"], name="complaint_dept_status_idx"
            ),
            # complaint metrics: complaints received within a period.
            models.Index(fields=["received_at"], name="complaint_received_idx"),
            # Customer 360: the customer's open complaints.
            models.Index(fields=["customer", "status"], name="complaint_customer_idx"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def clock_running(self) -> bool:
        return self.status not in (self.Status.DECIDED, self.Status.CLOSED)

    @property
    def is_overdue(self) -> bool:
        return self.clock_running and self.due_at < timezone.now()

    @property
    def time_left(self):
        return self.due_at - timezone.now()


class ComplaintEvent(BaseModel):
    """One step of a complaint, with who took it, when, and the note."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Complaint.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Complaint.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_events",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")

    def __str__(self):
        return f"{self.complaint}: {self.from_status or '∅'} → {self.to_status}"


class ComplaintCounter(models.Model):
    """The last complaint number used in a year; locked while a reference is issued."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("complaint counter")
        verbose_name_plural = _("complaint counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


class ContactLog(BaseModel):
    """Every unsolicited contact sent to a customer (survey invitation, replenishment
    reminder…), read by the shared contact-frequency cap in customers/contact_cap.py."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contact_log"
    )
    channel = models.CharField(_("channel"), max_length=20, default="email")
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("message key"), max_length=200, blank=True)
    contacted_at = models.DateTimeField(_("contacted"))

    class Meta:
        ordering = ["-contacted_at", "-id"]
        verbose_name = _("contact log entry")
        verbose_name_plural = _("contact log")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="contact_log_key_unique"
            ),
        ]
        indexes = [
            # contact_allowed: a customer's recent contacts on a channel.
            models.Index(
                fields=["customer", "channel", "contacted_at"], name="contact_log_recent_idx"
            ),
        ]

    def __str__(self):
        return f"{self.customer}: {self.kind} {self.contacted_at:%Y-%m-%d}"


class ErasureRecord(BaseModel):
    """A customer erased on request: who, when, why (the personal data itself is gone)."""

    customer_id_erased = models.PositiveBigIntegerField(_("customer id"))
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="customer_erasures",
    )
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")

    def __str__(self):
        return f"#{self.customer_id_erased} {self.created_at:%Y-%m-%d}"
