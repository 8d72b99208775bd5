"""Satisfaction measurement: waves that send a survey version (surveys/), personal
invitations, responses with typed answers, and the follow-up cases that close the loop
with an unhappy customer.

Invariants live in the database (docs/architecture.md section 7.2): one response per
invitation, one answer per (response, question[, choice]), link hashes unique.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Customer, Segment, Topic
from qms.models import BaseModel
from surveys.models import Choice, Question, Survey, SurveyVersion


class Wave(BaseModel):
    """One sending of a survey version to an audience. The audience is frozen when the
    wave starts: an invitation row per customer (suppressed ones with their reason)."""

    class Kind(models.TextChoices):
        ONE_OFF = "one_off", _("One-off")
        RECURRING = "recurring", _("Recurring (every N days per customer)")
        TRANSACTIONAL = "transactional", _("Transactional (one invitation per trigger)")

    class Trigger(models.TextChoices):
        NONE = "", _("Only through the API")
        COMPLAINT_CLOSED = "complaint_closed", _("When a complaint is closed")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    survey_version = models.ForeignKey(
        SurveyVersion,
        verbose_name=_("survey version"),
        on_delete=models.PROTECT,
        related_name="waves",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ONE_OFF)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_waves",
        help_text=_("Leave empty to survey every active customer."),
    )
    language = models.CharField(
        _("only customers speaking"),
        max_length=10,
        choices=Customer.Language.choices,
        blank=True,
    )
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    send_window_start = models.TimeField(_("send from (local time)"), default="09:00")
    send_window_end = models.TimeField(_("send until (local time)"), default="20:00")
    expires_after_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=14)
    max_reminders = models.PositiveSmallIntegerField(_("reminders at most"), default=2)
    reminder_interval_days = models.PositiveSmallIntegerField(
        _("days between reminders"), default=3
    )
    contact_cap_days = models.PositiveSmallIntegerField(
        _("contact-frequency cap (days)"),
        null=True,
        blank=True,
        help_text=_(
            "No customer is surveyed more than once in this many days, across all surveys. "
            "Empty: the organisation default."
        ),
    )
    recurrence_days = models.PositiveSmallIntegerField(
        _("survey each customer again after (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Recurring waves only: counted from the customer's last invitation of this "
            "wave, e.g. 30 (monthly) or 91 (quarterly)."
        ),
    )
    trigger = models.CharField(
        _("invite automatically"),
        max_length=30,
        choices=Trigger.choices,
        blank=True,
        help_text=_(
            "Transactional waves only: also invite the customer by themselves when this "
            "happens (the API can always ask for an invitation)."
        ),
    )
    trigger_delay_hours = models.PositiveSmallIntegerField(
        _("invite after (hours)"),
        default=24,
        help_text=_("How long after the event the invitation goes out, e.g. 24."),
    )
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(
        _("invitations sent"),
        default=0,
        editable=False,
        help_text=_("Kept by the sending scanner, so the response rate needs no count."),
    )
    # When the first and the last of its invitations were sent (kept with `sent_count`):
    # a wave sent wholly inside a period gives the period's response rate from its counts.
    first_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_interval_days__gte=1), name="wave_reminder_interval_min"
            ),
            models.CheckConstraint(condition=Q(expires_after_days__gte=1), name="wave_expiry_min"),
        ]
        indexes = [
            # start_due_waves scanner: scheduled/running waves whose next action has come.
            models.Index(
                fields=["next_action_at"],
                name="wave_due_idx",
                condition=Q(next_action_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.RECURRING and (self.recurrence_days or 0) < 7:
            raise ValidationError(
                {"recurrence_days": _("A recurring wave needs an interval of at least 7 days.")}
            )
        if self.trigger and self.kind != self.Kind.TRANSACTIONAL:
            raise ValidationError(
                {"trigger": _("Only a transactional wave invites customers on an event.")}
            )

    @property
    def survey(self) -> Survey:
        return self.survey_version.survey

    def cap_days(self) -> int:
        if self.contact_cap_days is not None:
            return self.contact_cap_days
        return int(getattr(settings, "SATISFACTION_CONTACT_CAP_DAYS", 30))


class Invitation(BaseModel):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        STARTED = "started", _("Started")
        COMPLETED = "completed", _("Completed")
        EXPIRED = "expired", _("Expired")
        SUPPRESSED = "suppressed", _("Suppressed")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        NO_CONSENT = "no_consent", _("No consent to surveys")
        OPTED_OUT = "opted_out", _("Opted out of surveys")
        CAPPED = "capped", _("Surveyed recently (contact-frequency cap)")
        NO_EMAIL = "no_email", _("No e-mail address")
        INACTIVE = "inactive", _("Customer inactive")

    OPEN_STATES = (State.SENT, State.OPENED, State.STARTED)
    # States that count as "surveyed" for the contact-frequency cap.
    CONTACT_STATES = (
        State.SCHEDULED,
        State.SENT,
        State.OPENED,
        State.STARTED,
        State.COMPLETED,
        State.EXPIRED,
    )

    # No index of their own: (wave, state) and the unique (wave, customer, trigger_ref)
    # start with the wave, the cap index (customer, scheduled_at) with the customer.
    wave = models.ForeignKey(
        Wave,
        verbose_name=_("wave"),
        on_delete=models.CASCADE,
        related_name="invitations",
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        db_index=False,
    )
    # The customer's segment when the invitation was made (segment at the time of the
    # event): the response rate by segment counts the invitation here even after the
    # customer moves, as answers keep the segment they were given in.
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment when invited"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    trigger_ref = models.CharField(
        _("trigger reference"),
        max_length=80,
        blank=True,
        help_text=_("Transactional invitations: what triggered it, e.g. stay:1234."),
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SCHEDULED
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    suppressed_at = models.DateTimeField(_("suppressed"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    draft_answers = models.JSONField(_("saved answers"), default=dict, blank=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "customer", "trigger_ref"], name="invitation_wave_customer_unique"
            ),
        ]
        indexes = [
            # send_due_invitations scanner: open invitations whose next action has come.
            models.Index(
                fields=["next_action_at"],
                name="invitation_due_idx",
                condition=Q(next_action_at__isnull=False),
            ),
            # Contact-frequency cap: a customer's invitations in the last N days.
            models.Index(fields=["customer", "scheduled_at"], name="invitation_cap_idx"),
            # Wave detail: counts by state; response rate by wave.
            models.Index(fields=["wave", "state"], name="invitation_wave_state_idx"),
            # response_rate metric by period.
            models.Index(fields=["sent_at"], name="invitation_sent_idx"),
        ]

    def __str__(self):
        return f"{self.wave} → {self.customer_id} ({self.state})"

    def save(self, *args, **kwargs):
        if self._state.adding and self.segment_id is None and self.customer_id:
            self.segment_id = self.customer.segment_id
        super().save(*args, **kwargs)


class InvitationLink(models.Model):
    """A personal link sent in one e-mail (the invitation or a reminder). Only the
    SHA-256 of the random token is stored: a leaked database does not leak links."""

    invitation = models.ForeignKey(
        Invitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="links"
    )
    token_hash = models.CharField(_("token hash"), max_length=64)
    step = models.PositiveSmallIntegerField(_("step"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["invitation", "step"]
        verbose_name = _("invitation link")
        verbose_name_plural = _("invitation links")
        constraints = [
            # The public page looks a link up by this hash.
            models.UniqueConstraint(fields=["token_hash"], name="invitationlink_hash_unique"),
        ]

    def __str__(self):
        return f"link {self.step} of invitation {self.invitation_id}"


class Response(BaseModel):
    """A submitted questionnaire. One per invitation, enforced by the database: a double
    click, a second tab or a retry stores nothing more."""

    # Empty for a walk-in's answers (a place's QR code or kiosk, the `places` app): they
    # come through no invitation; the wave is then the place collector's. No index of its
    # own: the unique constraint on the invitation is one.
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    wave = models.ForeignKey(
        Wave, verbose_name=_("wave"), on_delete=models.CASCADE, related_name="responses"
    )
    # No index of its own: (survey, submitted_at) starts with it.
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="responses",
        db_index=False,
    )
    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
        help_text=_("Empty for anonymous surveys."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    dissatisfied = models.BooleanField(
        _("dissatisfied"),
        default=False,
        help_text=_("NPS 0-6 or CSAT 1-3: counts in driver analysis."),
    )
    may_contact = models.BooleanField(_("agreed to be contacted"), default=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["invitation"], name="response_one_per_invitation"),
        ]
        indexes = [
            # Analysis: responses of a survey by period (response counts, driver base).
            models.Index(fields=["survey", "submitted_at"], name="response_survey_date_idx"),
        ]

    def __str__(self):
        return f"{self.survey} response {self.pk}"


class Answer(models.Model):
    """One typed answer. Survey, wave, segment, question code and submission time are
    copied from the response so that analysis reads one table (docs/architecture.md §8)."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    choice = models.ForeignKey(
        Choice,
        verbose_name=_("choice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answers",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_answers",
    )
    value_int = models.SmallIntegerField(_("value"), null=True, blank=True)
    value_text = models.TextField(_("text"), blank=True)
    # Denormalised for one-table analysis.
    # No index of its own: (survey, kind, submitted_at) starts with it.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question_code = models.CharField(_("question code"), max_length=40)
    kind = models.CharField(_("type"), max_length=20, choices=Question.Kind.choices)
    submitted_at = models.DateTimeField(_("submitted"))
    dissatisfied = models.BooleanField(_("respondent dissatisfied"), default=False)

    class Meta:
        ordering = ["response", "question__position", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(choice__isnull=True),
                name="answer_one_per_question",
            ),
            models.UniqueConstraint(
                fields=["response", "question", "choice"],
                condition=Q(choice__isnull=False),
                name="answer_one_per_choice",
            ),
        ]
        indexes = [
            # Analysis and metrics: a survey's answers by kind and period.
            models.Index(fields=["survey", "kind", "submitted_at"], name="answer_survey_kind_idx"),
            # Metrics across surveys by kind/question code and period.
            models.Index(fields=["kind", "submitted_at"], name="answer_kind_date_idx"),
            # Comments list: a survey's free-text answers.
            models.Index(
                fields=["survey", "submitted_at"],
                name="answer_text_idx",
                condition=Q(kind="text"),
            ),
        ]

    def __str__(self):
        return f"{self.question_code}={self.value_int if self.value_int is not None else ''}"


class FollowUpCase(BaseModel):
    """An unhappy customer to call back (closing the loop), opened by an alert rule."""

    class State(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        RESOLVED = "resolved", _("Resolved")
        NO_ACTION = "no_action", _("No action needed")

    OPEN_STATES = (State.NEW, State.CONTACTED)

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_follow_ups",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_follow_ups",
    )
    reason = models.CharField(_("why"), max_length=300)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    due_at = models.DateTimeField(_("due"))
    note = models.TextField(_("note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # A corrective action was opened from this case (the actions app lists it on the
    # case's page through `record_panels`; this app does not import it).
    action_opened_at = models.DateTimeField(_("corrective action opened"), null=True, blank=True)
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up case")
        verbose_name_plural = _("follow-up cases")
        constraints = [
            models.UniqueConstraint(fields=["response"], name="followup_one_per_response"),
        ]
        indexes = [
            # escalate_overdue_follow_ups scanner.
            models.Index(
                fields=["next_action_at"],
                name="followup_due_idx",
                condition=Q(next_action_at__isnull=False),
            ),
            # Case list filtered by state and owner.
            models.Index(fields=["state", "owner"], name="followup_state_owner_idx"),
        ]

    def __str__(self):
        return f"{self.customer} ({self.get_state_display()})"

    @property
    def is_overdue(self) -> bool:
        return self.state in self.OPEN_STATES and self.due_at < timezone.now()


class AnswerTally(models.Model):
    """Answers (and responses, kind "response") counted per day and value: the analysis
    reads these few thousand rows instead of a million answers (docs/architecture.md §8,
    "cached or materialised"). Filled by the `tally_answers` scanner from a watermark;
    answers newer than the watermark are read directly, so results are always exact.

    Keys without a value use 0 (segment, choice, topic) or -1 (value), not NULL, so that
    the unique constraint (and the upsert that relies on it) sees them as equal."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    segment_key = models.BigIntegerField(default=0)
    day = models.DateField()
    question_code = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    value_key = models.SmallIntegerField(default=-1)
    choice_key = models.BigIntegerField(default=0)
    topic_key = models.BigIntegerField(default=0)
    dissatisfied = models.BooleanField(default=False)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["survey", "day"]
        verbose_name = _("answer tally")
        verbose_name_plural = _("answer tallies")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "survey",
                    "wave",
                    "segment_key",
                    "day",
                    "question_code",
                    "kind",
                    "value_key",
                    "choice_key",
                    "topic_key",
                    "dissatisfied",
                ],
                name="answertally_key_unique",
            ),
        ]
        indexes = [
            # Analysis and metrics: a survey's tallies by kind and day.
            models.Index(fields=["survey", "kind", "day"], name="answertally_survey_kind_idx"),
            # Metrics across surveys by kind and day.
            models.Index(fields=["kind", "day"], name="answertally_kind_day_idx"),
        ]

    def __str__(self):
        return f"{self.question_code}={self.value_key} × {self.n}"


class TallyMark(models.Model):
    """How far the tallies have read: the last answer (or response) id counted."""

    name = models.CharField(max_length=20)
    last_id = models.BigIntegerField(default=0)
    # The time zone the tallies' days were counted in (TIME_ZONE then). Tallies built in
    # another zone than the current one are not read and are rebuilt by the scanner
    # (or `manage.py rebuild_tallies`): a day is always the day in the current zone.
    time_zone = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tally watermark")
        verbose_name_plural = _("tally watermarks")
        constraints = [models.UniqueConstraint(fields=["name"], name="tallymark_name_unique")]

    def __str__(self):
        return f"{self.name} ≤ {self.last_id}"


class ResponseExport(BaseModel):
    """A file of a survey's answers (CSV or XLSX) built by a Celery task for large
    surveys. The row is the outbox: `exports_process_due` re-kicks one still queued (the
    broker was down), requeues one stuck running (the worker died) and, a week after it
    was built, deletes the file. `next_action_at` holds when the scanner looks next."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired (file deleted)")

    PENDING_STATES = (State.QUEUED, State.RUNNING)

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="exports"
    )
    wave = models.ForeignKey(
        Wave,
        verbose_name=_("wave"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exports",
        help_text=_("Empty: every wave of the survey."),
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        default="en",
        help_text=_("The requester's language: column headings and the e-mail use it."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("response export")
        verbose_name_plural = _("response exports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="done") | (Q(completed_at__isnull=False) & ~Q(file="")),
                name="responseexport_done_has_file",
            ),
        ]
        indexes = [
            # Export list page: a survey's exports, newest first.
            models.Index(fields=["survey", "-created_at"], name="responseexport_survey_idx"),
            # process_due_exports scanner: rows whose next action has come.
            models.Index(
                fields=["next_action_at"],
                name="responseexport_due_idx",
                condition=Q(next_action_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.survey} {self.get_format_display()} export {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING_STATES
