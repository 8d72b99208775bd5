"""Metrics of the research sources, registered in `ResearchConfig.ready()`."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from coding.models import Coding, Text
from customers.selectors import day_start
from qms.registry import (
    PERIOD_EVENT_DAY,
    Definition,
    Direction,
    MetricValue,
    Period,
    registry,
)

from .models import Ticket


def ticket_volume(*, period: Period, topic: str = "", segment: str = "") -> MetricValue:
    """After-sales tickets opened in the period, optionally for one topic (slug) and one
    customer segment (code). Counted in the database."""
    qs = Ticket.objects.filter(
        opened_at__gte=day_start(period.start),
        opened_at__lt=day_start(period.end + dt.timedelta(days=1)),
    )
    if topic:
        qs = qs.filter(
            id__in=Coding.objects.filter(text__kind=Text.Kind.TICKET, topic__slug=topic).values(
                "text__object_id"
            )
        )
    if segment:
        qs = qs.filter(customer__segment__code=segment)
    count = qs.count()
    if count == 0 and not Ticket.objects.exists():
        # Nothing imported yet: "no data", not a perfect zero.
        return MetricValue(value=None, n=0)
    return MetricValue(value=count, n=count, detail={"topic": topic, "segment": segment})


def register():
    registry.register(
        key="ticket_volume",
        definition=Definition(
            counted=_(
                "After-sales tickets opened in the period (with a topic: tickets coded to it)."
            ),
            base=_("The count itself (n is the same number)."),
            period=PERIOD_EVENT_DAY,
            segment=_("The customer's segment today (tickets do not keep a segment of their own)."),
            skipped=_("No tickets imported at all gives “no data”; none in the period gives 0."),
        ),
        label=_("After-sales ticket volume"),
        unit=_("tickets"),
        direction=Direction.LOWER_IS_BETTER,
        compute=ticket_volume,
        description=_(
            "After-sales work orders opened in the period; filter by topic (code) and "
            "customer segment (code)."
        ),
        parameters=("topic", "segment"),
        app_label="customers",
    )
