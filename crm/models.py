"""CRM: interactions, preferences, bookings and checklists, complaints (ISO 10002) and
erasure records (guide point 5 and the loyalty benefit of section III). Rules live in
crm/services.py; reads in crm/selectors.py.

The tables keep the names they had while these models lived in the customers app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Customer, Segment, Topic
from qms.models import BaseModel
from qms.workflow import TransitionLog
from research.models import Interview, Purchase, Ticket


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
        db_table = "customers_interaction"
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
        db_table = "customers_preference"
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
        db_table = "customers_booking"
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
        db_table = "customers_checklistitem"
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
    # The customer's segment when the complaint was received (segment at the time of the
    # event): segment filters count the complaint here even after the customer moves.
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment when received"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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
    history = HistoricalRecords(table_name="customers_historicalcomplaint")

    class Meta:
        db_table = "customers_complaint"
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

    def save(self, *args, **kwargs):
        if self._state.adding and self.segment_id is None and self.customer_id:
            self.segment_id = self.customer.segment_id
        super().save(*args, **kwargs)

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


class ComplaintEvent(BaseModel, TransitionLog):
    """One step of a complaint, with who took it, when, and the note (the kernel's log
    row; BaseModel first, so `created_at` keeps its verbose name and `updated_at` stays)."""

    object_field = "complaint"

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

    class Meta:
        db_table = "customers_complaintevent"
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
        db_table = "customers_complaintcounter"
        verbose_name = _("complaint counter")
        verbose_name_plural = _("complaint counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


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
        db_table = "customers_erasurerecord"
        ordering = ["-created_at", "-id"]
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")

    def __str__(self):
        return f"#{self.customer_id_erased} {self.created_at:%Y-%m-%d}"
