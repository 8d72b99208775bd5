"""Receipt codes (docs/architecture.md section 13): a transactional survey bound to a
receipt or booking. The receipt prints a short code, or a QR code carrying it; the
customer answers once per code, before it expires.

Two ways to make codes:
- **issued** in a batch through the API (`receipt_batch_issue`): random codes stored here;
- **derived** by the till from the order reference, without calling the portal: the code
  is the first 8 characters (base 32) of HMAC-SHA256(the collector's receipt key,
  "<order reference>:<issue date>"). The portal checks it by recomputing it for each day
  of the validity period, and records it when it is used (so it is used once).

A code whose order reference is a known purchase (`research.Purchase.external_id`) links
the answers to the purchase and its customer.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.exceptions import ApplicationError
from research.models import Purchase

from .models import Collector, ReceiptBatch, ReceiptCode

CODE_LENGTH = 8
BATCH_MAX = 10000
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ReceiptProblem(ApplicationError):
    """Why a receipt code does not open the survey: `kind` is unknown, expired or used."""

    def __init__(self, message, *, kind: str):
        super().__init__(message)
        self.kind = kind


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:16]


def receipt_key(collector: Collector) -> str:
    """The collector's secret for derived codes (what the till is configured with)."""
    raw = hmac.new(
        settings.SECRET_KEY.encode(), f"places.receipt:{collector.code}".encode(), hashlib.sha256
    )
    return raw.hexdigest()


def derive_code(collector: Collector, order_ref: str, day: dt.date) -> str:
    digest = hmac.new(
        bytes.fromhex(receipt_key(collector)),
        f"{order_ref.strip()}:{day.isoformat()}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.b32encode(digest).decode()[:CODE_LENGTH]


@transaction.atomic
def receipt_batch_issue(
    *, collector: Collector, size: int, expires_after_days: int | None = None, created_by=None
) -> tuple[ReceiptBatch, list[str]]:
    """`size` new random codes for the collector, valid for `expires_after_days`."""
    if not 1 <= size <= BATCH_MAX:
        raise ApplicationError(
            _("Issue between 1 and %(max)s codes at a time.") % {"max": BATCH_MAX}
        )
    days = expires_after_days or collector.receipt_days
    if not 1 <= days <= 366:
        raise ApplicationError(_("Codes are valid for 1 to 366 days."))
    expires = timezone.now() + dt.timedelta(days=days)
    batch = ReceiptBatch.objects.create(
        collector=collector, size=size, expires_at=expires, created_by=created_by
    )
    codes: set[str] = set()
    taken = set()
    while len(codes) < size:
        wanted = {
            "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            for _ in range(size - len(codes))
        }
        taken = set(
            ReceiptCode.objects.filter(collector=collector, code__in=wanted).values_list(
                "code", flat=True
            )
        )
        codes |= wanted - taken
    ReceiptCode.objects.bulk_create(
        [ReceiptCode(collector=collector, batch=batch, code=c, expires_at=expires) for c in codes]
    )
    return batch, sorted(codes)


def receipt_check(
    *, collector: Collector, code: str, order_ref: str = "", now: dt.datetime | None = None
) -> ReceiptCode:
    """The receipt code that opens the survey (unsaved when it is a derived code not used
    yet). Raises ReceiptProblem (unknown, expired, used)."""
    now = now or timezone.now()
    code = normalise(code)
    order_ref = (order_ref or "").strip()[:80]
    if not code:
        raise ReceiptProblem(_("Enter the code printed on your receipt."), kind="unknown")
    stored = ReceiptCode.objects.filter(collector=collector, code=code).first()
    if stored is not None:
        if stored.used_at is not None:
            raise ReceiptProblem(_("This receipt code has already been used."), kind="used")
        if stored.expires_at <= now:
            raise ReceiptProblem(_("This receipt code has expired."), kind="expired")
        return stored
    if order_ref:
        today = timezone.localdate(now)
        for age in range(0, 367):
            day = today - dt.timedelta(days=age)
            if hmac.compare_digest(derive_code(collector, order_ref, day), code):
                if age > collector.receipt_days:
                    raise ReceiptProblem(_("This receipt code has expired."), kind="expired")
                purchase = Purchase.objects.filter(external_id=order_ref).first()
                expires = timezone.make_aware(
                    dt.datetime.combine(
                        day + dt.timedelta(days=collector.receipt_days + 1), dt.time()
                    )
                )
                return ReceiptCode(
                    collector=collector,
                    code=code,
                    order_ref=order_ref,
                    purchase=purchase,
                    customer_id=purchase.customer_id if purchase else None,
                    expires_at=expires,
                )
    raise ReceiptProblem(
        _("We do not recognise this receipt code. Check it against your receipt."), kind="unknown"
    )


def receipt_claim(*, receipt: ReceiptCode, now: dt.datetime) -> ReceiptCode:
    """Mark the code used, once: a second claim (a second tab, a reused code) raises
    ReceiptProblem. Runs inside the submit's transaction."""
    if receipt.pk is None:
        receipt.used_at = now
        try:
            with transaction.atomic():
                receipt.save()
        except IntegrityError:
            raise ReceiptProblem(
                _("This receipt code has already been used."), kind="used"
            ) from None
        return receipt
    updated = ReceiptCode.objects.filter(pk=receipt.pk, used_at__isnull=True).update(used_at=now)
    if not updated:
        raise ReceiptProblem(_("This receipt code has already been used."), kind="used")
    receipt.used_at = now
    return receipt
