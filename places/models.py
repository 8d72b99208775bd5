"""Feedback where the customer is: places (a dining room, a front desk, a checkout lane),
the collectors that publish one survey version there (a QR code, a short URL) and the
walk-ins' answers with where and when they were given.

A walk-in's answers become a satisfaction `Response` on the collector's own wave (so
analysis, tallies and metrics count them like any other); `PlaceResponse` is this app's
record of the submission and points at that response (docs/architecture.md section 13).
A suspect submission (a burst from one address, identical answers) is held here with
its answers and becomes a response only when a person accepts it, so it counts nowhere
until then.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Segment
from qms.models import BaseModel, Department
from satisfaction.models import Response, Wave
from surveys.models import SurveyVersion


class Place(BaseModel):
    """Where customers are asked: it belongs to a department, optionally a segment."""

    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="places"
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The customers usually met here, if they are one segment."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="place_name_per_department"
            ),
        ]

    def __str__(self):
        return self.name


class Collector(BaseModel):
    """One survey version published at a place: its QR code, poster and short URL
    (/p/<code>/). Its answers are stored on its own wave."""

    place = models.ForeignKey(
        Place, verbose_name=_("place"), on_delete=models.CASCADE, related_name="collectors"
    )
    survey_version = models.ForeignKey(
        SurveyVersion, verbose_name=_("survey version"), on_delete=models.PROTECT, related_name="+"
    )
    wave = models.OneToOneField(
        Wave, verbose_name=_("wave"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("short code"), max_length=16, unique=True)
    active = models.BooleanField(_("collecting"), default=True)
    receipt_required = models.BooleanField(
        _("only with a receipt code"),
        default=False,
        help_text=_("Customers enter (or scan) the code printed on their receipt; each code once."),
    )
    receipt_days = models.PositiveSmallIntegerField(_("receipt codes valid for (days)"), default=14)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["place", "-created_at", "-id"]
        verbose_name = _("place collector")
        verbose_name_plural = _("place collectors")

    def __str__(self):
        return f"{self.place} · {self.survey_version}"


class ReceiptBatch(BaseModel):
    """Codes issued together (through the API) for a till or a booking system to print."""

    collector = models.ForeignKey(
        Collector, verbose_name=_("collector"), on_delete=models.CASCADE, related_name="batches"
    )
    size = models.PositiveIntegerField(_("codes"))
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("receipt code batch")
        verbose_name_plural = _("receipt code batches")

    def __str__(self):
        return f"{self.collector} · {self.size}"


class ReceiptCode(models.Model):
    """One receipt's code: issued in a batch, or derived by the till from the order
    reference (an HMAC, so the till needs no call) and recorded here when it is used.
    Used once (the unique code per collector and `used_at` decide), until `expires_at`."""

    collector = models.ForeignKey(
        Collector, verbose_name=_("collector"), on_delete=models.CASCADE, related_name="receipts"
    )
    batch = models.ForeignKey(
        ReceiptBatch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="codes",
    )
    code = models.CharField(_("code"), max_length=16)
    order_ref = models.CharField(_("order reference"), max_length=80, blank=True)
    purchase = models.ForeignKey(
        "research.Purchase",
        verbose_name=_("purchase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["collector", "code"]
        verbose_name = _("receipt code")
        verbose_name_plural = _("receipt codes")
        constraints = [
            models.UniqueConstraint(fields=["collector", "code"], name="receipt_code_once"),
        ]

    def __str__(self):
        return self.code


class KioskDevice(BaseModel):
    """A tablet locked to one collector by a device token the quality manager issues (its
    URL is shown once; the database keeps only the token's hash) and can revoke."""

    collector = models.ForeignKey(
        Collector, verbose_name=_("collector"), on_delete=models.CASCADE, related_name="kiosks"
    )
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last answer"), null=True, blank=True)

    class Meta:
        ordering = ["collector", "name", "id"]
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")

    def __str__(self):
        return self.name


class PlaceResponse(models.Model):
    """A walk-in's submission at a place. Accepted ones point at their satisfaction
    response; held ones (suspect) keep their answers here until a person accepts or
    rejects them; rejected ones keep nothing but the fact."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("Counted")
        HELD = "held", _("Held as suspect")
        REJECTED = "rejected", _("Rejected")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        BURST = "burst", _("Many answers from one address in a short time")
        IDENTICAL = "identical", _("The same answers as several others just before")

    collector = models.ForeignKey(
        Collector, verbose_name=_("collector"), on_delete=models.CASCADE, related_name="responses"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), on_delete=models.CASCADE, related_name="responses"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response = models.OneToOneField(
        Response,
        verbose_name=_("response"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="place_response",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="place_responses",
        help_text=_("Only when the customer left contact details and agreed to be contacted."),
    )
    receipt = models.OneToOneField(
        ReceiptCode,
        verbose_name=_("receipt code"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="place_response",
    )
    kiosk = models.ForeignKey(
        KioskDevice,
        verbose_name=_("kiosk"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
    )
    # A kiosk's answers carry a key made in the page: one sent twice (a retry after a
    # network drop) is stored once.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    reason = models.CharField(
        _("why held"), max_length=20, choices=Reason.choices, blank=True, default=""
    )
    draft = models.JSONField(_("answers while held"), default=dict, blank=True)
    contact = models.JSONField(_("contact details while held"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    submitted_at = models.DateTimeField(_("submitted"))
    address_key = models.CharField(max_length=32, blank=True)
    answers_key = models.CharField(max_length=32, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("place response")
        verbose_name_plural = _("place responses")
        indexes = [
            # Suspect checks at submit: a place's recent answers from one address / with
            # the same answers.
            models.Index(fields=["place", "submitted_at"], name="placeresp_place_time_idx"),
            # Held list: a department's held submissions.
            models.Index(
                fields=["department", "submitted_at"],
                name="placeresp_held_idx",
                condition=Q(state="held"),
            ),
        ]

    def __str__(self):
        return f"{self.place} {self.submitted_at:%Y-%m-%d %H:%M}"
