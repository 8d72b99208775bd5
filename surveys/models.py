"""Survey authoring: surveys, their versioned questionnaires (questions, choices,
show-if conditions) and the alert rules that say which answers open a follow-up case.

The tables keep the names they had in the satisfaction app (issue 17 moved the models,
not the data): `db_table` and the history models' `table_name` say so.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Topic
from qms.models import BaseModel


def _pick(obj, field: str, language: str | None = None) -> str:
    """The text of `field` in `language` (English fields end in _en, Chinese in
    _zh_hans), falling back to English when the translation is empty."""
    language = (language or translation.get_language() or "en").lower()
    if language.startswith("zh"):
        text = getattr(obj, f"{field}_zh_hans", "")
        if text:
            return text
    return getattr(obj, f"{field}_en", "")


class Survey(BaseModel):
    class Purpose(models.TextChoices):
        RELATIONSHIP = "relationship", _("Relationship (periodic)")
        TRANSACTIONAL = "transactional", _("Transactional (after an interaction)")
        AD_HOC = "ad_hoc", _("Ad hoc")

    class IdentityMode(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        CONFIDENTIAL = "confidential", _("Confidential (analysts see no identities)")
        ANONYMOUS = "anonymous", _("Anonymous")

    class Languages(models.TextChoices):
        BOTH = "both", _("English and Simplified Chinese")
        EN = "en", _("English only")
        ZH_HANS = "zh-hans", _("Simplified Chinese only")

    title = models.CharField(_("title (English)"), max_length=200)
    # The bilingual texts added after the first release have a database default too, so
    # rows written without them (code of the previous release during a deploy, the
    # historical states of older migrations) are valid.
    title_zh_hans = models.CharField(
        _("title (Simplified Chinese)"), max_length=200, blank=True, db_default=""
    )
    languages = models.CharField(
        _("sent in"),
        max_length=10,
        choices=Languages.choices,
        default=Languages.EN,
        db_default=Languages.EN,
        help_text=_(
            "The languages customers receive the survey in. Every text the customer sees "
            "must be written in each of them before a version can be published."
        ),
    )
    code = models.SlugField(
        _("code"), max_length=60, help_text=_("Short unique code used in metrics and exports.")
    )
    description = models.TextField(_("description"), blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.RELATIONSHIP
    )
    identity_mode = models.CharField(
        _("identity mode"),
        max_length=20,
        choices=IdentityMode.choices,
        default=IdentityMode.IDENTIFIED,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_surveys",
    )
    history = HistoricalRecords(table_name="satisfaction_historicalsurvey")

    class Meta:
        db_table = "satisfaction_survey"
        ordering = ["title", "id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [models.UniqueConstraint(fields=["code"], name="survey_code_unique")]

    def __str__(self):
        return self.title

    def title_in(self, language=None) -> str:
        """The title in `language`, falling back to English."""
        language = (language or translation.get_language() or "en").lower()
        if language.startswith("zh") and self.title_zh_hans:
            return self.title_zh_hans
        return self.title

    @property
    def sent_languages(self) -> tuple[str, ...]:
        """The language codes the survey is sent in ("en", "zh-hans")."""
        if self.languages == self.Languages.BOTH:
            return ("en", "zh-hans")
        return (self.languages,)


class SurveyVersion(BaseModel):
    """One version of a survey's questions. A published version never changes: editing
    starts a new draft, and reports join versions through the questions' stable codes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_zh_hans = models.TextField(_("introduction (Simplified Chinese)"), blank=True)
    thanks_en = models.TextField(_("thank-you text (English)"), blank=True, db_default="")
    thanks_zh_hans = models.TextField(
        _("thank-you text (Simplified Chinese)"), blank=True, db_default=""
    )
    invitation_subject_en = models.CharField(
        _("invitation subject (English)"), max_length=200, blank=True, db_default=""
    )
    invitation_subject_zh_hans = models.CharField(
        _("invitation subject (Simplified Chinese)"), max_length=200, blank=True, db_default=""
    )
    invitation_body_en = models.TextField(
        _("invitation message (English)"), blank=True, db_default=""
    )
    invitation_body_zh_hans = models.TextField(
        _("invitation message (Simplified Chinese)"), blank=True, db_default=""
    )
    reminder_subject_en = models.CharField(
        _("reminder subject (English)"), max_length=200, blank=True, db_default=""
    )
    reminder_subject_zh_hans = models.CharField(
        _("reminder subject (Simplified Chinese)"), max_length=200, blank=True, db_default=""
    )
    reminder_body_en = models.TextField(_("reminder message (English)"), blank=True, db_default="")
    reminder_body_zh_hans = models.TextField(
        _("reminder message (Simplified Chinese)"), blank=True, db_default=""
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(table_name="satisfaction_historicalsurveyversion")

    class Meta:
        db_table = "satisfaction_surveyversion"
        ordering = ["survey", "-number"]
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "number"], name="surveyversion_number_unique"
            ),
            models.UniqueConstraint(
                fields=["survey"],
                condition=Q(status="draft"),
                name="surveyversion_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="surveyversion_published_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.survey} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    # The texts a customer reads besides the questions, each in English and Chinese.
    # The e-mail messages are the paragraph the portal puts above the personal link.
    CUSTOMER_TEXTS = (
        "intro",
        "thanks",
        "invitation_subject",
        "invitation_body",
        "reminder_subject",
        "reminder_body",
    )

    def intro(self, language=None) -> str:
        return _pick(self, "intro", language)

    def thanks(self, language=None) -> str:
        return _pick(self, "thanks", language)

    def text_in(self, name: str, language=None) -> str:
        """One of CUSTOMER_TEXTS in `language`, falling back to English."""
        return _pick(self, name, language)


class Question(BaseModel):
    class Kind(models.TextChoices):
        NPS = "nps", _("Net Promoter Score (0-10)")
        CSAT = "csat", _("Satisfaction (CSAT, 1-5)")
        CES = "ces", _("Customer effort (CES, 1-7)")
        RATING = "rating", _("Rating scale with labels")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        DRIVER = "driver", _("Driver (what disappointed you most; choices map to topics)")
        TEXT = "text", _("Free text")
        CONSENT = "consent", _("Consent to be contacted")

    SCALES = {
        Kind.NPS: (0, 10),
        Kind.CSAT: (1, 5),
        Kind.CES: (1, 7),
        Kind.CONSENT: (0, 1),
    }
    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.DRIVER)
    SCALE_KINDS = (Kind.NPS, Kind.CSAT, Kind.CES, Kind.RATING)

    version = models.ForeignKey(
        SurveyVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Stable across versions: reports join versions by this code."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    text_en = models.CharField(_("question (English)"), max_length=500)
    text_zh_hans = models.CharField(_("question (Simplified Chinese)"), max_length=500, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=300, blank=True)
    help_zh_hans = models.CharField(_("help text (Simplified Chinese)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    multi_select = models.BooleanField(
        _("several answers allowed"),
        default=False,
        help_text=_(
            "Driver questions only: the customer may pick all that apply (“what "
            "disappointed you? pick all that apply”)."
        ),
    )
    scale_max = models.PositiveSmallIntegerField(
        _("scale points"), default=5, help_text=_("Rating scales only: 1 to this number.")
    )
    low_label_en = models.CharField(_("lowest label (English)"), max_length=60, blank=True)
    low_label_zh_hans = models.CharField(_("lowest label (Chinese)"), max_length=60, blank=True)
    high_label_en = models.CharField(_("highest label (English)"), max_length=60, blank=True)
    high_label_zh_hans = models.CharField(_("highest label (Chinese)"), max_length=60, blank=True)
    show_if_question = models.ForeignKey(
        "self",
        verbose_name=_("show only if the answer to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependants",
    )
    show_if_values = models.JSONField(
        _("is one of"),
        default=list,
        blank=True,
        help_text=_("Answer values (numbers or choice codes) that make this question appear."),
    )

    class Meta:
        db_table = "satisfaction_question"
        ordering = ["version", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_code_unique"),
            models.CheckConstraint(
                condition=Q(scale_max__gte=2) & Q(scale_max__lte=11),
                name="question_scale_max_range",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.text_en}"

    def text(self, language=None) -> str:
        return _pick(self, "text", language)

    def help(self, language=None) -> str:
        return _pick(self, "help", language)

    def low_label(self, language=None) -> str:
        return _pick(self, "low_label", language)

    def high_label(self, language=None) -> str:
        return _pick(self, "high_label", language)

    @property
    def is_scale(self) -> bool:
        return self.kind in self.SCALE_KINDS

    @property
    def has_choices(self) -> bool:
        return self.kind in self.CHOICE_KINDS

    @property
    def scale_range(self) -> tuple[int, int]:
        if self.kind == self.Kind.RATING:
            return (1, self.scale_max)
        return self.SCALES.get(self.kind, (0, 0))


class Choice(BaseModel):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveIntegerField(_("position"), default=0)
    text_en = models.CharField(_("text (English)"), max_length=200)
    text_zh_hans = models.CharField(_("text (Simplified Chinese)"), max_length=200, blank=True)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_choices",
    )

    class Meta:
        db_table = "satisfaction_choice"
        ordering = ["question", "position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="choice_code_unique"),
        ]

    def __str__(self):
        return self.text_en

    def text(self, language=None) -> str:
        return _pick(self, "text", language)


class AlertRule(BaseModel):
    """A condition on one answer that opens a follow-up case (closing the loop). Rules
    name the question by its stable code, so one rule spans every version that has the
    question; a version without it ignores the rule. A response that matches several
    rules opens one case, due after the shortest deadline among them."""

    class Condition(models.TextChoices):
        AT_MOST = "at_most", _("the score is at most")
        AT_LEAST = "at_least", _("the score is at least")
        CHOSEN = "chosen", _("any choice is made")
        CHOICE_IS = "choice_is", _("this choice is made")

    SCORE_CONDITIONS = (Condition.AT_MOST, Condition.AT_LEAST)
    CHOICE_CONDITIONS = (Condition.CHOSEN, Condition.CHOICE_IS)
    DEADLINE_MAX_HOURS = 720

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="alert_rules"
    )
    question_code = models.SlugField(
        _("question code"),
        max_length=40,
        help_text=_("The question's stable code: the rule applies to every version that has it."),
    )
    condition = models.CharField(_("fires when"), max_length=20, choices=Condition.choices)
    value = models.SmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        help_text=_("Score conditions only, e.g. 6 for “NPS at most 6”."),
    )
    choice_code = models.SlugField(
        _("choice code"),
        max_length=40,
        blank=True,
        help_text=_("“This choice is made” only: the code of the choice."),
    )
    deadline_hours = models.PositiveSmallIntegerField(
        _("deadline (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(DEADLINE_MAX_HOURS)],
        help_text=_("The case is due this many hours after the answer (1 to 720)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(table_name="satisfaction_historicalalertrule")

    class Meta:
        db_table = "satisfaction_alertrule"
        ordering = ["survey", "question_code", "id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        # The submit path reads a survey's active rules through the foreign key's index
        # on survey_id (and from the cache, see selectors.survey_alert_rules).
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_hours__gte=1) & Q(deadline_hours__lte=720),
                name="alertrule_deadline_range",
            ),
            models.CheckConstraint(
                condition=~Q(condition__in=["at_most", "at_least"]) | Q(value__isnull=False),
                name="alertrule_score_has_value",
            ),
            models.CheckConstraint(
                condition=~Q(condition="choice_is") | ~Q(choice_code=""),
                name="alertrule_choice_has_code",
            ),
        ]

    def __str__(self):
        question, choice_text = self.in_words()
        return f"{self.survey}: {question} {self.condition_text(choice_text)}"

    def in_words(self) -> tuple[str, str]:
        """The rule's question and choice in their own words (the user's language), from
        the newest version of the survey that has the question."""
        question = (
            Question.objects.filter(version__survey_id=self.survey_id, code=self.question_code)
            .order_by("-version__number")
            .first()
        )
        if question is None:
            return str(_("A question no longer in the survey")), ""
        choice = (
            question.choices.filter(code=self.choice_code).first() if self.choice_code else None
        )
        return question.text(), choice.text() if choice else ""

    def clean(self):
        errors = {}
        if self.condition in self.SCORE_CONDITIONS and self.value is None:
            errors["value"] = _("Give the score the answer is compared with.")
        if self.condition == self.Condition.CHOICE_IS and not self.choice_code:
            errors["choice_code"] = _("Choose the choice that opens a case.")
        if errors:
            raise ValidationError(errors)

    def condition_text(self, choice_text: str = "") -> str:
        """The condition in words, e.g. “at most 6” or “the choice “Long queue””."""
        if self.condition == self.Condition.AT_MOST:
            return _("at most %(value)s") % {"value": self.value}
        if self.condition == self.Condition.AT_LEAST:
            return _("at least %(value)s") % {"value": self.value}
        if self.condition == self.Condition.CHOSEN:
            return str(_("any choice"))
        if choice_text:
            return _("the choice “%(text)s”") % {"text": choice_text}
        return _("a choice no longer in the survey")
