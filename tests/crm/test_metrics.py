"""Loyalty and complaint metrics, registered and computed in the database."""

import datetime as dt

import pytest
from django.utils import timezone

from crm import metrics as crm_metrics
from crm import services as crm_services
from qms.registry import Period, registry
from tests.customers.factories import CustomerFactory, SegmentFactory
from tests.research.factories import PurchaseFactory

pytestmark = pytest.mark.django_db


def _period(days=30):
    today = timezone.localdate()
    return Period(today - dt.timedelta(days=days - 1), today)


def _buy(customer, *days_ago):
    for days in days_ago:
        PurchaseFactory(customer=customer, purchased_at=timezone.now() - dt.timedelta(days=days))


def test_all_four_are_registered():
    keys = {m.key for m in registry.all()}
    assert {
        "repeat_purchase_rate",
        "complaint_rate",
        "complaint_response_compliance",
        "customer_retention",
    } <= keys


def test_repeat_purchase_rate_by_segment(django_assert_max_num_queries):
    shoppers = SegmentFactory(code="retail-shoppers")
    for n in range(20):
        customer = CustomerFactory(segment=shoppers)
        _buy(customer, *((1, 5) if n < 13 else (2,)))
    _buy(CustomerFactory(), 1, 2, 3)  # another segment
    _buy(CustomerFactory(segment=shoppers), 90)  # outside the period
    with django_assert_max_num_queries(1):
        value = crm_metrics.repeat_purchase_rate(period=_period(), segment="retail-shoppers")
    assert value.value == 65.0 and value.n == 20


def test_no_purchases_no_value():
    assert crm_metrics.repeat_purchase_rate(period=_period()).value is None


def test_complaint_rate_per_orders_and_per_customer(make_complaint, topic):
    customer = CustomerFactory()
    _buy(customer, *range(1, 11))  # 10 orders by 1 customer
    _buy(CustomerFactory(), 3)  # 1 more order, 1 more customer
    make_complaint()
    make_complaint()
    per_orders = crm_metrics.complaint_rate(period=_period())
    assert per_orders.value == round(2000 / 11, 2)
    per_customer = crm_metrics.complaint_rate(period=_period(), per="customers")
    assert per_customer.value == 1000.0
    assert crm_metrics.complaint_rate(period=_period(), topic="other").value == 0


def test_response_compliance(make_complaint, front_desk_head):
    in_time = make_complaint(severity="low")
    for step, extra in (("assess", {}), ("decide", {"decision": "ok"})):
        in_time = crm_services.complaint_transition(
            complaint=in_time, action=step, actor=front_desk_head, **extra
        )
    make_complaint(severity="critical", received_at=timezone.now() - dt.timedelta(days=3))  # late
    make_complaint(severity="low")  # not due yet: not counted
    value = crm_metrics.complaint_response_compliance(period=_period())
    assert value.value == 50.0 and value.n == 2


def test_customer_retention():
    kept, lost = CustomerFactory(), CustomerFactory()
    _buy(kept, 40, 5)
    _buy(lost, 45)
    _buy(CustomerFactory(), 2)  # new customer: not in the base
    value = crm_metrics.customer_retention(period=_period())
    assert value.value == 50.0 and value.n == 2
