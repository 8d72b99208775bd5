"""Voice of the customer, the register: customers and their consent and contacts,
segments, the shared topic vocabulary and the contact log. The requirements register,
the research sources and the CRM build on it in their own apps (requirements, research,
crm)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import BaseModel
from qms.timezones import validate_zone


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
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_zone],
        help_text=_(
            "Survey e-mails go out inside the send window in this time zone. Empty: the "
            "organisation's time zone."
        ),
    )
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


class ImportJob(BaseModel):
    """A large import (a CSV upload or a big API bulk body) run by a Celery task instead
    of the web request. The stored file is imported by the same engine, all-or-nothing,
    in one transaction that also turns the job "done". The row is the outbox:
    `import_jobs_process_due` kicks a job the broker never delivered, and a job whose
    heartbeat stopped (its worker was killed) is queued again or, after
    `IMPORT_MAX_ATTEMPTS`, marked failed with the reason. The file is deleted once the
    job has finished (it holds personal data); the bad-row report stays on the row."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected, nothing imported")
        FAILED = "failed", _("Failed, nothing imported")

    class Phase(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CHECKING = "checking", _("Checking every row")
        WRITING = "writing", _("Writing")
        FINISHED = "finished", _("Finished")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded file")
        API = "api", _("API bulk request")

    PENDING_STATES = (State.QUEUED, State.RUNNING)

    kind = models.CharField(_("kind"), max_length=40)
    label = models.CharField(_("what is imported"), max_length=80)
    # Dotted path of the engine's row schema (e.g. research.imports.TicketSchema): the
    # customers app runs other apps' imports without importing them.
    schema_path = models.CharField(_("row schema"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    file = models.FileField(_("file"), upload_to="imports/", max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    list_url = models.CharField(_("list page"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default="waiting")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    rows_total = models.PositiveIntegerField(_("rows (estimate)"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [
            # Import page: the recent jobs of one kind, newest first.
            models.Index(fields=["kind", "-created_at"], name="importjob_kind_idx"),
            # import_jobs_process_due scanner: jobs whose next check has come.
            models.Index(
                fields=["next_action_at"],
                name="importjob_due_idx",
                condition=Q(next_action_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.label} import {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING_STATES

    @property
    def percent(self) -> int:
        """Progress for the bar: checking is the first half, writing the second."""
        if self.state in (self.State.DONE, self.State.REJECTED, self.State.FAILED):
            return 100
        total = max(self.rows_total, self.rows_checked, 1)
        done = min(self.rows_checked, total) + min(self.rows_written, total)
        return min(99, int(100 * done / (2 * total)))
