"""Texts from every source and their topic codings (docs/architecture.md section 12).

A `Text` points at its source record (a ticket, a survey answer, a complaint, an
interview) through a content type and id, so the apps to the left never import the
sources. Each text has zero or more `Coding` rows, one per topic, each saying where it
came from (imported with the record, a keyword rule, the model, a person). A person's
coding is never replaced by a rule or the model."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Topic
from qms.models import BaseModel, Department


class Text(BaseModel):
    """What a customer (or an agent about a customer) wrote, kept whole."""

    class Kind(models.TextChoices):
        TICKET = "ticket", _("After-sales ticket")
        SURVEY_COMMENT = "survey_comment", _("Survey comment")
        COMPLAINT = "complaint", _("Complaint")
        INTERVIEW_NOTE = "interview_note", _("Interview notes")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be coded")
        CODED = "coded", _("Coded")
        QUEUED = "queued", _("In the coding queue")
        NO_TOPIC = "none", _("Fits no topic (a person said so)")
        EMPTY = "empty", _("Empty, skipped")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        CHINESE = "zh", _("Chinese")
        OTHER = "other", _("Other language")

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("source id"))
    source = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="texts",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="texts",
    )
    body = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)
    written_at = models.DateTimeField(_("written"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    suggested_topic = models.ForeignKey(
        Topic,
        verbose_name=_("best suggestion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_confidence = models.FloatField(_("confidence of the suggestion"), null=True)
    # [[topic id, confidence], ...], best first, as the model said when it last coded.
    suggestions = models.JSONField(_("suggestions"), default=list, blank=True)
    coded_at = models.DateTimeField(_("coded"), null=True, blank=True)

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name = _("text")
        verbose_name_plural = _("texts")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="coding_text_source_unique"
            ),
        ]
        indexes = [
            # The coding task: pending texts in id order, batch by batch.
            models.Index(fields=["status", "id"], name="coding_text_status_idx"),
            # The queue, grouped by the best suggestion.
            models.Index(fields=["suggested_topic", "status"], name="coding_text_suggestion_idx"),
            # Pareto and evidence counts: a kind's texts within a period.
            models.Index(fields=["kind", "written_at"], name="coding_text_kind_written_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.object_id}"

    @property
    def other_language(self) -> bool:
        return self.language == self.Language.OTHER


class ModelVersion(BaseModel):
    """One trained model: the file, when and on how much it learned, and how well it did
    on the confirmed codings it did not see."""

    data = models.BinaryField(_("model file"), editable=False)
    trained_at = models.DateTimeField(_("trained"))
    n_examples = models.PositiveIntegerField(_("examples"), default=0)
    accuracy = models.FloatField(_("accuracy on held-back codings"), null=True, blank=True)
    metrics = models.JSONField(_("measures"), default=dict, blank=True)
    is_active = models.BooleanField(_("in use"), default=False)
    load_error = models.TextField(_("load error"), blank=True)

    class Meta:
        ordering = ["-trained_at", "-id"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="coding_one_active_model"
            ),
        ]

    def __str__(self):
        return _("Model %(id)s of %(when)s") % {
            "id": self.pk,
            "when": self.trained_at.strftime("%Y-%m-%d %H:%M"),
        }


class Coding(BaseModel):
    """One topic given to one text, by whom or what, and how sure."""

    class Origin(models.TextChoices):
        IMPORTED = "imported", _("Imported with the record")
        RULE = "rule", _("Keyword rule")
        MODEL = "model", _("Model")
        PERSON = "person", _("Person")

    text = models.ForeignKey(
        Text, verbose_name=_("text"), on_delete=models.CASCADE, related_name="codings"
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="codings"
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    confidence = models.FloatField(_("confidence"), default=1.0)
    model_version = models.ForeignKey(
        ModelVersion,
        verbose_name=_("model version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="codings",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        ordering = ["text", "-confidence", "id"]
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        constraints = [
            # A task delivered twice, or a rule and the model agreeing, code once.
            models.UniqueConstraint(fields=["text", "topic"], name="coding_text_topic_unique"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="coding_confidence_range",
            ),
        ]
        indexes = [
            # Pareto and evidence: codings counted by topic.
            models.Index(fields=["topic", "text"], name="coding_topic_text_idx"),
            # Training: the confirmed codings, newest first.
            models.Index(fields=["origin", "confirmed_at"], name="coding_origin_confirmed_idx"),
        ]

    def __str__(self):
        return f"{self.text}: {self.topic} ({self.get_origin_display()})"


class TopicKeyword(BaseModel):
    """A word or phrase that, found in a text, codes it to the topic."""

    class Language(models.TextChoices):
        ANY = "", _("Any language")
        ENGLISH = "en", _("English")
        CHINESE = "zh", _("Chinese")

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="keywords"
    )
    phrase = models.CharField(_("word or phrase"), max_length=120)
    language = models.CharField(
        _("language"), max_length=4, choices=Language.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["topic", "phrase"]
        verbose_name = _("topic keyword")
        verbose_name_plural = _("topic keywords")
        constraints = [
            models.UniqueConstraint(fields=["topic", "phrase"], name="coding_keyword_unique"),
        ]

    def __str__(self):
        return f"{self.topic}: {self.phrase}"


class CandidateTopic(BaseModel):
    """A group of texts that fit no topic well, found by the weekly clustering: maybe a
    new complaint is emerging."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Made a topic")
        DISMISSED = "dismissed", _("Dismissed")

    top_terms = models.JSONField(_("typical words"), default=list)
    example_text_ids = models.JSONField(_("example texts"), default=list)
    size = models.PositiveIntegerField(_("texts"), default=0)
    # [{"on": "2026-12-01", "size": 12}, ...], oldest first: one entry per clustering run.
    size_history = models.JSONField(_("size by week"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic made from it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        ordering = ["status", "-size", "-id"]
        verbose_name = _("candidate topic")
        verbose_name_plural = _("candidate topics")

    def __str__(self):
        return ", ".join(self.top_terms[:3]) or str(self.pk)

    @property
    def growth(self) -> int:
        """How many texts the group gained since the run before (0 when new)."""
        if len(self.size_history) < 2:
            return 0
        return self.size_history[-1]["size"] - self.size_history[-2]["size"]

    @property
    def emerging(self) -> bool:
        return self.growth > 0
