"""Loyalty and complaint-handling metrics of the CRM, registered in
CrmConfig.ready(). Every number is aggregated in the database.

- repeat_purchase_rate: of the customers who bought in the period, the share (%) who
  placed two or more orders in it — the guide's 65%.
- complaint_rate: complaints received in the period per 1,000 orders (`per="orders"`,
  the default) or per 1,000 buying customers (`per="customers"`); filters `segment`
  (code) and `topic` (slug).

An order is what research.orders says (order reference, else customer + purchase
time). A segment filter counts each purchase and complaint in the segment the customer
was in when it happened (`Purchase.segment`, `Complaint.segment`).
- complaint_response_compliance: of the complaints received in the period whose first
  response is due or given, the share (%) decided within the target of their severity
  (COMPLAINT_TARGET_DAYS, counted from receipt).
- customer_retention: of the customers who bought in the previous period of the same
  length, the share (%) who bought again in this period.
"""

import datetime as dt

from django.db.models import Case, Count, DateTimeField, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.selectors import day_start
from qms.exceptions import ApplicationError
from qms.registry import (
    NOTHING_SKIPPED,
    ORDER_RULE,
    PERIOD_EVENT_DAY,
    SEGMENT_AT_EVENT,
    Definition,
    Direction,
    MetricValue,
    Param,
    Period,
    registry,
)
from research.orders import count_orders, order_key, purchases_in

from .models import COMPLAINT_TARGET_DAYS, Complaint


def _bounds(period: Period):
    return day_start(period.start), day_start(period.end + dt.timedelta(days=1))


def _purchases(period: Period, segment: str = ""):
    return purchases_in(period, segment)


def repeat_purchase_rate(*, period: Period, segment: str = "") -> MetricValue:
    per_customer = (
        _purchases(period, segment)
        .order_by()
        .values("customer")
        .annotate(occasions=Count(order_key(), distinct=True))
    )
    totals = per_customer.aggregate(
        buyers=Count("customer"), repeaters=Count("customer", filter=Q(occasions__gte=2))
    )
    if not totals["buyers"]:
        return MetricValue(value=None, n=0, detail={"segment": segment})
    return MetricValue(
        value=round(100 * totals["repeaters"] / totals["buyers"], 1),
        n=totals["buyers"],
        detail={"segment": segment, "repeaters": totals["repeaters"]},
    )


def _complaints(period: Period, segment: str = "", topic: str = ""):
    start, end = _bounds(period)
    qs = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    if segment:
        qs = qs.filter(segment__code=segment)
    if topic:
        qs = qs.filter(topic__slug=topic)
    return qs


def complaint_rate(
    *, period: Period, per: str = "orders", segment: str = "", topic: str = ""
) -> MetricValue:
    if per not in ("orders", "customers", "customer"):
        raise ApplicationError(_("“per” is “orders” or “customers”."))
    complaints = _complaints(period, segment, topic).count()
    purchases = _purchases(period, segment)
    if per == "orders":
        base = purchases.aggregate(n=count_orders())["n"]
    else:
        base = purchases.aggregate(n=Count("customer", distinct=True))["n"]
    detail = {"complaints": complaints, "per": per, "base": base, "segment": segment}
    if not base:
        return MetricValue(value=None, n=0, detail=detail)
    return MetricValue(value=round(1000 * complaints / base, 2), n=base, detail=detail)


def _target_expression():
    return Case(
        *[
            When(severity=severity, then=F("received_at") + dt.timedelta(days=days))
            for severity, days in COMPLAINT_TARGET_DAYS.items()
        ],
        output_field=DateTimeField(),
    )


def complaint_response_compliance(
    *, period: Period, segment: str = "", topic: str = ""
) -> MetricValue:
    now = timezone.now()
    qs = _complaints(period, segment, topic).annotate(target=_target_expression())
    qs = qs.filter(Q(first_decided_at__isnull=False) | Q(target__lte=now))
    totals = qs.aggregate(
        total=Count("id"),
        in_time=Count("id", filter=Q(first_decided_at__lte=F("target"))),
    )
    if not totals["total"]:
        return MetricValue(value=None, n=0)
    return MetricValue(
        value=round(100 * totals["in_time"] / totals["total"], 1),
        n=totals["total"],
        detail={"in_time": totals["in_time"]},
    )


def customer_retention(*, period: Period, segment: str = "") -> MetricValue:
    length = (period.end - period.start).days + 1
    previous = Period(period.start - dt.timedelta(days=length), period.start - dt.timedelta(days=1))
    previous_buyers = _purchases(previous, segment).values("customer")
    retained_buyers = _purchases(period, segment).values("customer")
    from customers.models import Customer

    totals = Customer.objects.filter(pk__in=previous_buyers).aggregate(
        total=Count("id"), retained=Count("id", filter=Q(pk__in=retained_buyers))
    )
    if not totals["total"]:
        return MetricValue(value=None, n=0)
    return MetricValue(
        value=round(100 * totals["retained"] / totals["total"], 1),
        n=totals["total"],
        detail={"retained": totals["retained"]},
    )


def register():
    registry.register(
        key="repeat_purchase_rate",
        definition=Definition(
            counted=_("Buying customers who placed two or more orders in the period."),
            base=_("Customers who placed at least one order in the period."),
            period=_(
                "Orders by the day they were bought, in the organisation's time zone (TIME_ZONE)."
            ),
            segment=SEGMENT_AT_EVENT,
            skipped=ORDER_RULE,
        ),
        label=_("Repeat purchase rate"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=repeat_purchase_rate,
        description=_(
            "Customers who bought on two or more occasions in the period, over customers "
            "who bought at least once."
        ),
        parameters=("segment",),
        app_label="customers",
    )
    registry.register(
        key="complaint_rate",
        definition=Definition(
            counted=_(
                "Complaints received in the period (with a topic: complaints about that topic)."
            ),
            base=_(
                "Orders placed in the period (per 1,000 orders), or customers who bought in the "
                "period (per 1,000 buying customers)."
            ),
            period=_(
                "Complaints by the day received, orders by the day bought, in the organisation's "
                "time zone (TIME_ZONE)."
            ),
            segment=SEGMENT_AT_EVENT,
            skipped=ORDER_RULE,
        ),
        label=_("Complaint rate"),
        unit=_("per 1,000"),
        direction=Direction.LOWER_IS_BETTER,
        compute=complaint_rate,
        description=_("Complaints received per 1,000 orders, or per 1,000 buying customers."),
        parameters=(
            Param(
                "per",
                _("Counted per"),
                "choice",
                choices=(("orders", _("1,000 orders")), ("customers", _("1,000 buying customers"))),
            ),
            "segment",
            "topic",
        ),
        app_label="customers",
    )
    registry.register(
        key="complaint_response_compliance",
        definition=Definition(
            counted=_(
                "Complaints whose first decision came within the target days of their severity, "
                "counted from receipt."
            ),
            base=_(
                "Complaints received in the period whose first decision is given or already due."
            ),
            period=PERIOD_EVENT_DAY,
            segment=SEGMENT_AT_EVENT,
            skipped=_("A complaint not yet decided and not yet due is left out until it is."),
        ),
        label=_("Complaint response-time compliance"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=complaint_response_compliance,
        description=_("Complaints decided within the target of their severity."),
        parameters=("segment", "topic"),
        app_label="customers",
    )
    registry.register(
        key="customer_retention",
        definition=Definition(
            counted=_("Customers of the base who bought again in this period."),
            base=_("Customers who bought in the previous period of the same length."),
            period=_(
                "This period and the one of the same length just before it, by the day of purchase"
                " in the organisation's time zone (TIME_ZONE)."
            ),
            segment=_(
                "Purchases made in the segment in both periods (the segment when buying, kept on "
                "the purchase)."
            ),
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Customer retention"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=customer_retention,
        description=_(
            "Customers who bought in the previous period of the same length and bought "
            "again in this one."
        ),
        parameters=("segment",),
        app_label="customers",
    )
