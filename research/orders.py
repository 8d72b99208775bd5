"""What an order is: the one definition every number that counts orders uses
(complaints per 1,000 orders, the repeat-purchase rate's occasions, customer retention).

A purchase line belongs to the order named by its `order_ref`. A line without an
order reference is its own order together with the customer's other lines bought at the
same moment: customer + purchase time. Two lines of one order count once; two orders of
the same customer count twice. An order falls in the period of its lines' purchase time
(day in TIME_ZONE), and in the segment its lines were bought in (segment at the time of
the purchase, `Purchase.segment`).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat

from customers.selectors import day_start
from qms.registry import Period

from .models import Purchase


def order_key():
    """A text that is the same for every line of one order and differs between orders:
    "r:<order_ref>" or "c:<customer id>@<purchase time>"."""
    return Case(
        When(~Q(order_ref=""), then=Concat(Value("r:"), F("order_ref"))),
        default=Concat(
            Value("c:"),
            Cast("customer_id", CharField()),
            Value("@"),
            Cast("purchased_at", CharField()),
        ),
        output_field=CharField(),
    )


def count_orders():
    """The aggregate "number of distinct orders" over purchase lines."""
    return Count(order_key(), distinct=True)


def purchases_in(period: Period, segment: str = "") -> QuerySet[Purchase]:
    """Purchase lines bought in the period (days in TIME_ZONE), in the segment (code) the
    customer was in when buying."""
    qs = Purchase.objects.filter(
        purchased_at__gte=day_start(period.start),
        purchased_at__lt=day_start(period.end + dt.timedelta(days=1)),
    )
    if segment:
        qs = qs.filter(segment__code=segment)
    return qs


def order_count(period: Period, segment: str = "") -> int:
    return purchases_in(period, segment).aggregate(n=count_orders())["n"]
