"""Research sources (guide point 1): after-sales work orders, purchases and in-depth
interviews, each coded to the shared Topic vocabulary so evidence from every source adds
up in the Pareto analysis.

The tables keep the names they had while these models lived in the customers app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Customer, Segment, Topic
from qms.models import BaseModel
from requirements.models import Requirement


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
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text=_(
            "The topic the service desk gave, if it exports one; the ticket's text is "
            "coded to topics either way."
        ),
    )
    description = models.TextField(
        _("what the customer said"), blank=True, help_text=_("The customer's own words.")
    )
    agent_notes = models.TextField(_("agent's notes"), blank=True)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        db_table = "customers_ticket"
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
        return self.external_id

    @property
    def text(self) -> str:
        """What is coded: the customer's words, then the agent's notes."""
        return "\n\n".join(part for part in (self.description, self.agent_notes) if part.strip())

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
    order_ref = models.CharField(
        _("order reference"),
        max_length=60,
        blank=True,
        help_text=_(
            "The order this line belongs to (lines of one order share it). Without one, a "
            "line's order is its customer and purchase time (research.orders)."
        ),
    )
    # The customer's segment when the purchase was made (segment at the time of the
    # event): segment filters count the purchase here even after the customer moves.
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment at purchase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        db_table = "customers_purchase"
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

    def save(self, *args, **kwargs):
        if self._state.adding and self.segment_id is None and self.customer_id:
            self.segment_id = self.customer.segment_id
        super().save(*args, **kwargs)


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
    history = HistoricalRecords(table_name="customers_historicalinterview")

    class Meta:
        db_table = "customers_interview"
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
        db_table = "customers_interviewfinding"
        ordering = ["interview", "id"]
        verbose_name = _("interview finding")
        verbose_name_plural = _("interview findings")
        indexes = [
            # Pareto: findings counted by topic; drill-down lists a topic's findings.
            models.Index(fields=["topic", "interview"], name="finding_topic_interview_idx"),
        ]

    def __str__(self):
        return f"{self.interview}: {self.topic}"
