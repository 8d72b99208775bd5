"""The shared contact-frequency cap (customers/contact_cap.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from customers import contact_cap
from customers.models import ContactLog, Customer
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_allowed_until_the_cap_then_again_after_the_window(customer):
    now = timezone.now()
    assert contact_cap.contact_allowed(customer=customer, now=now)
    contact_cap.contact_record(customer=customer, kind="a", now=now - dt.timedelta(days=1))
    assert contact_cap.contact_allowed(customer=customer, now=now)
    contact_cap.contact_record(customer=customer, kind="b", now=now)
    assert not contact_cap.contact_allowed(customer=customer, now=now)
    later = now + dt.timedelta(days=contact_cap.CONTACT_CAP_DAYS)
    assert contact_cap.contact_allowed(customer=customer, now=later)


def test_channels_are_capped_separately(customer):
    now = timezone.now()
    for n in range(3):
        contact_cap.contact_record(customer=customer, kind="a", now=now, channel="sms", key=f"k{n}")
    assert contact_cap.contact_allowed(customer=customer, channel="email", now=now)
    assert not contact_cap.contact_allowed(customer=customer, channel="sms", now=now)


def test_a_key_is_recorded_once(customer):
    now = timezone.now()
    assert contact_cap.contact_record(customer=customer, kind="a", now=now, key="x")
    assert contact_cap.contact_record(customer=customer, kind="a", now=now, key="x") is None
    assert ContactLog.objects.count() == 1


def test_annotation_for_a_whole_audience(customer, django_assert_max_num_queries):
    other = CustomerFactory()
    now = timezone.now()
    for n in range(contact_cap.CONTACT_CAP_MAX):
        contact_cap.contact_record(customer=customer, kind="a", now=now, key=f"k{n}")
    with django_assert_max_num_queries(1):
        capped = dict(
            contact_cap.annotate_contact_capped(Customer.objects.all(), now=now).values_list(
                "pk", "contact_capped"
            )
        )
    assert capped == {customer.pk: True, other.pk: False}
