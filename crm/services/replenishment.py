"""Replenishment reminders: the predicted run-out of a product a customer buys again
and again, the opt-out link."""

from __future__ import annotations

import datetime as dt
import statistics

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers import contact_cap
from customers.models import Consent, Customer
from qms.services import message_queue
from qms.workflow import locked
from research.models import Purchase

from ._common import base_url

# --- Replenishment reminders -----------------------------------------------------------

# Rule: a customer's repurchase interval for a product is the MEDIAN gap (in days)
# between consecutive purchases of it, predicted only from at least
# REPLENISH_MIN_PURCHASES purchases (two gaps); the median keeps one irregular gap from
# moving the prediction. Run-out = last purchase + median gap. The reminder goes
# REPLENISH_LEAD_DAYS before the run-out (and until the run-out day, if a scan was
# missed), once per product and predicted cycle (the message key holds the date).
REPLENISH_MIN_PURCHASES = 3
REPLENISH_LEAD_DAYS = 2
REPLENISH_BATCH = 500
OPT_OUT_SALT = "customers.replenishment-opt-out"


def replenishment_predict(dates: list[dt.date]) -> dt.date | None:
    """The predicted run-out date from a product's purchase dates, or None."""
    days = sorted(set(dates))
    if len(days) < REPLENISH_MIN_PURCHASES:
        return None
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    median = statistics.median(gaps)
    if median < 1:
        return None
    return days[-1] + dt.timedelta(days=round(median))


def opt_out_token(customer: Customer) -> str:
    return signing.dumps({"c": customer.pk}, salt=OPT_OUT_SALT)


def opt_out_customer(token: str) -> Customer | None:
    """The customer a signed opt-out token names, or None if tampered."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
        return Customer.objects.get(pk=data["c"])
    except (signing.BadSignature, KeyError, TypeError, Customer.DoesNotExist):
        return None


@transaction.atomic
def replenishment_opt_out(*, customer: Customer) -> Consent:
    """The customer's opt-out link: reminders consent withdrawn (history kept)."""
    consent = locked(
        Consent.objects.filter(customer=customer, channel=Consent.Channel.REMINDERS),
        skip_locked=False,
    ).first()
    now = timezone.now()
    if consent is None:
        consent = Consent(customer=customer, channel=Consent.Channel.REMINDERS)
    elif not consent.granted:
        return consent
    consent.granted = False
    consent.recorded_at = now
    consent.method = Consent.Method.OPT_OUT_LINK
    consent.note = ""
    consent.full_clean()
    consent.save()
    return consent


def _reminder_text(customer: Customer, product: str, predicted: dt.date) -> tuple[str, str]:
    link = base_url() + reverse("crm:replenishment-opt-out", args=[opt_out_token(customer)])
    with translation.override(customer.language):
        subject = str(_("Your %(product)s are almost used up") % {"product": product})
        body = str(
            _(
                "Dear %(name)s,\n\nYou usually buy %(product)s about now: by our count they "
                "run out around %(date)s. We thought a reminder might help.\n\n"
                "No more reminders? Open this link: %(link)s"
            )
            % {
                "name": customer.name,
                "product": product,
                "date": predicted.isoformat(),
                "link": link,
            }
        )
    return subject, body


def replenishment_send_due(*, now: dt.datetime | None = None, batch_size: int = REPLENISH_BATCH):
    """Scanner: for every customer who granted the reminders consent (in batches of
    `batch_size` customers, one purchase query per batch, each batch one transaction),
    predict each product's run-out and queue a reminder in the lead window, once per
    product and cycle, within the shared contact cap. Returns reminders queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    consenting = (
        Customer.objects.filter(
            is_active=True,
            consents__channel=Consent.Channel.REMINDERS,
            consents__granted=True,
        )
        .exclude(email="")
        .order_by("pk")
    )
    sent = 0
    last_pk = 0
    while True:
        batch = list(consenting.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        by_id = {c.pk: c for c in batch}
        dates: dict[tuple[int, str], list[dt.date]] = {}
        for customer_id, product, moment in (
            Purchase.objects.filter(customer_id__in=by_id)
            .order_by()
            .values_list("customer_id", "product", "purchased_at")
            .iterator(chunk_size=5000)
        ):
            dates.setdefault((customer_id, product), []).append(timezone.localdate(moment))
        with transaction.atomic():
            for (customer_id, product), days in sorted(dates.items()):
                predicted = replenishment_predict(days)
                if predicted is None:
                    continue
                if not (predicted - dt.timedelta(days=REPLENISH_LEAD_DAYS) <= today <= predicted):
                    continue
                customer = by_id[customer_id]
                key = f"replenish:{customer.pk}:{product}:{predicted.isoformat()}"
                from qms.models import Message

                if Message.objects.filter(key=key).exists():
                    continue
                if not contact_cap.contact_allowed(customer=customer, channel="email", now=now):
                    continue
                subject, body = _reminder_text(customer, product, predicted)
                message_queue(
                    key=key,
                    kind="replenishment_reminder",
                    recipient=customer.email,
                    subject=subject,
                    body=body,
                )
                contact_cap.contact_record(
                    customer=customer, kind="replenishment_reminder", now=now, key=key
                )
                sent += 1
    return sent
