"""Replenishment reminders: prediction rule, consent, opt-out, once per cycle, cap."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import services as crm_services
from crm.tasks import send_replenishment_reminders_task
from customers import contact_cap
from customers.models import Consent, ContactLog
from qms.models import Message
from tests.customers.factories import ConsentFactory, CustomerFactory
from tests.research.factories import PurchaseFactory

pytestmark = pytest.mark.django_db

D = dt.date(2026, 3, 1)


def _days(*offsets):
    return [D + dt.timedelta(days=o) for o in offsets]


def test_no_prediction_from_one_or_two_purchases():
    assert crm_services.replenishment_predict([]) is None
    assert crm_services.replenishment_predict(_days(0)) is None
    assert crm_services.replenishment_predict(_days(0, 7)) is None


def test_three_regular_purchases_predict_the_next():
    assert crm_services.replenishment_predict(_days(0, 7, 14)) == D + dt.timedelta(days=21)


def test_irregular_gaps_use_the_median():
    # gaps 7, 30, 6, 8 → median 7.5 → rounds to 8 (banker's rounding of 7.5 is 8)
    assert crm_services.replenishment_predict(_days(0, 7, 37, 43, 51)) == D + dt.timedelta(days=59)
    # gaps 7, 60, 7 → median 7: one long holiday does not move the prediction
    assert crm_services.replenishment_predict(_days(0, 7, 67, 74)) == D + dt.timedelta(days=81)


def test_same_day_purchases_count_once():
    assert crm_services.replenishment_predict(_days(0, 0, 7)) is None


def _shopper(*, consent=True, days_ago=(20, 13, 6)):
    customer = CustomerFactory(email="shopper@example.com")
    if consent is not None:
        ConsentFactory(customer=customer, channel=Consent.Channel.REMINDERS, granted=consent)
    now = timezone.now()
    for days in days_ago:
        PurchaseFactory(
            customer=customer, product="Eggs (12)", purchased_at=now - dt.timedelta(days=days)
        )
    return customer


def test_reminder_goes_out_once_per_cycle_with_an_opt_out_link():
    customer = _shopper()
    # Run-out = 6 days ago + 7 = tomorrow: inside the 2-day lead window.
    assert crm_services.replenishment_send_due() == 1
    assert send_replenishment_reminders_task() == 0  # the scanner run twice: still one
    message = Message.objects.get(kind="replenishment_reminder")
    assert message.subject == "Your Eggs (12) are almost used up"
    predicted = timezone.localdate() + dt.timedelta(days=1)
    assert message.key == f"replenish:{customer.pk}:Eggs (12):{predicted.isoformat()}"
    assert "/customers/reminders/opt-out/" in message.body
    assert ContactLog.objects.filter(customer=customer).count() == 1


def test_a_new_purchase_starts_a_new_cycle():
    customer = _shopper()
    crm_services.replenishment_send_due()
    PurchaseFactory(customer=customer, product="Eggs (12)", purchased_at=timezone.now())
    later = timezone.now() + dt.timedelta(days=6)
    assert crm_services.replenishment_send_due(now=later) == 1
    assert Message.objects.filter(kind="replenishment_reminder").count() == 2


@pytest.mark.parametrize("consent", [None, False])
def test_no_reminder_without_consent(consent):
    _shopper(consent=consent)
    assert crm_services.replenishment_send_due() == 0
    assert not Message.objects.exists()


def test_no_reminder_outside_the_window():
    _shopper(days_ago=(30, 23, 16))  # ran out 2 days ago
    _shopper(days_ago=(16, 9, 2))  # runs out in 5 days
    assert crm_services.replenishment_send_due() == 0


def test_the_shared_contact_cap_holds_reminders_back():
    customer = _shopper()
    now = timezone.now()
    for n in range(contact_cap.CONTACT_CAP_MAX):
        contact_cap.contact_record(
            customer=customer, kind="survey_invitation", now=now, key=f"s{n}"
        )
    assert crm_services.replenishment_send_due(now=now) == 0


def test_batches_cover_every_customer():
    for _ in range(3):
        _shopper()
    assert crm_services.replenishment_send_due(batch_size=2) == 3


def test_opt_out_link_records_the_withdrawal(client):
    customer = _shopper()
    url = reverse("crm:replenishment-opt-out", args=[crm_services.opt_out_token(customer)])
    page = client.get(url)
    assert page.status_code == 200
    assert Consent.objects.get(
        customer=customer, channel="reminders"
    ).granted  # GET changes nothing
    done = client.post(url)
    assert done.status_code == 200 and "no more reminders" in done.content.decode()
    consent = Consent.objects.get(customer=customer, channel="reminders")
    assert not consent.granted and consent.method == Consent.Method.OPT_OUT_LINK
    assert consent.history.count() == 2
    # ...and no reminder goes out any more
    assert crm_services.replenishment_send_due() == 0


def test_tampered_opt_out_link_is_a_friendly_404(client):
    customer = _shopper()
    token = crm_services.opt_out_token(customer)
    response = client.get(reverse("crm:replenishment-opt-out", args=[token[:-2] + "xx"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert client.post(reverse("crm:replenishment-opt-out", args=["nope"])).status_code == 404
