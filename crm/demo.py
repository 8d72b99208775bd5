"""Demo part of the CRM (guide point 5 and the loyalty benefit of section III).

- The high-end hotel: a regular guest (C-HG-001) who likes a room facing the sea and
  sugar-free coffee has an upcoming stay; its checklist asks Front desk (FD) for the
  room and Housekeeping (HK) for the coffee, which 'housekeeping' already prepared.
- The supermarket: a long-standing shopper (C-RS-EGG) buys eggs about every 7 days, has
  consented to reminders, and is due for "Your eggs are almost used up".
- Retail shoppers' repeat purchase rate over the past year comes out at about 65%
  (13 of 20 buying customers bought more than once).
- A few hotel complaints in different states, one of them overdue.

Idempotent: everything is found by a natural key (external ref/id, the booking's note,
the complaint's description) and left alone when present.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from customers.models import Consent, Customer, Segment, Topic
from qms.models import Department, User
from research.models import Purchase

from . import services
from .models import Booking, ChecklistItem, Complaint, Interaction, Preference

HOTEL_GUEST = "C-HG-001"
HOTEL_BOOKING_NOTE = "Anniversary stay, 3 nights (demo)"
EGG_SHOPPER = "C-RS-EGG"
EGG_PRODUCT = "Eggs (12)"
# Extra retail shoppers so that 13 of 20 buyers in the past year are repeat buyers.
EXTRA_SHOPPERS = [(f"C-RS-1{n:02d}", 2 if n <= 2 else 1) for n in range(1, 10)]

COMPLAINTS = [
    # customer ref, topic, department, severity, days ago, final step, description, remedy
    (
        "C-HG-002",
        "cleanliness",
        "HK",
        "high",
        4,
        "investigate",
        "The room was not cleaned on the second day of my stay.",
        "A refund of one night.",
    ),
    (
        "C-HG-003",
        "check-in-wait",
        "FD",
        "medium",
        2,
        "accept",
        "I waited 25 minutes at check-in after a long flight.",
        "An apology.",
    ),
    (
        "C-HG-004",
        "check-in-wait",
        "FD",
        "critical",
        3,
        "",
        "My booking was lost and I was sent to another hotel at midnight.",
        "Compensation for the taxi and the night.",
    ),
]


def _created(was: bool) -> int:
    return 1 if was else 0


def load(*, stdout) -> int:
    now = timezone.now()
    created = 0
    departments = {d.code: d for d in Department.objects.filter(code__in=["FD", "HK"])}
    users = {u.username: u for u in User.objects.filter(username__in=["frontdesk", "housekeeping"])}
    created += _hotel(now, departments, users)
    created += _eggs(now)
    created += _repeat_buyers(now)
    created += _complaints(now, departments, users)
    # Timeline rows for every demo purchase, ticket and interview.
    while True:
        written = services.interactions_mirror_sources()
        created += written
        if not written:
            break
    # The replenishment scanner, once, so the eggs reminder is in the outbox at once.
    services.replenishment_send_due(now=now)
    if stdout is not None and created:
        stdout.write(f"crm: {created} demo rows created")
    return created


def _hotel(now, departments, users) -> int:
    guest = Customer.objects.filter(external_ref=HOTEL_GUEST).first()
    if guest is None or "FD" not in departments or "HK" not in departments:
        return 0
    created = 0
    for category, value, note, code in [
        (Preference.Category.ROOM, "Room facing the sea", "High floor if possible", "FD"),
        (Preference.Category.FOOD_DRINK, "Sugar-free coffee", "In the room on arrival", "HK"),
    ]:
        _pref, was = Preference.objects.get_or_create(
            customer=guest,
            category=category,
            value=value,
            defaults={
                "note": note,
                "source": Preference.Source.CUSTOMER_SAID,
                "last_confirmed_on": (now - dt.timedelta(days=20)).date(),
                "department": departments[code],
            },
        )
        created += _created(was)
    _call, was = Interaction.objects.get_or_create(
        external_id="DEMO-CALL-HG-001",
        defaults={
            "customer": guest,
            "kind": Interaction.Kind.CALL,
            "channel": Interaction.Channel.PHONE,
            "occurred_at": now - dt.timedelta(days=5),
            "department": departments["FD"],
            "summary": "Called to book the anniversary stay; asked again for a sea view.",
            "logged_by": users.get("frontdesk"),
        },
    )
    created += _created(was)
    booking = Booking.objects.filter(customer=guest, note=HOTEL_BOOKING_NOTE).first()
    if booking is None:
        booking = services.booking_create(
            customer=guest,
            kind=Booking.Kind.BOOKING,
            starts_at=(now + dt.timedelta(days=3)).replace(hour=15, minute=0, second=0),
            department=departments["FD"],
            note=HOTEL_BOOKING_NOTE,
            actor=users.get("frontdesk"),
        )
        created += 1 + booking.checklist.count()
        coffee = ChecklistItem.objects.filter(
            booking=booking, preference__value="Sugar-free coffee"
        ).first()
        if coffee is not None and users.get("housekeeping") is not None:
            services.checklist_item_set(item=coffee, actor=users["housekeeping"])
    return created


def _shopper(ref, name, segment, now, *, consent: bool) -> tuple[Customer, int]:
    customer, was = Customer.objects.get_or_create(
        external_ref=ref,
        defaults={
            "name": name,
            "segment": segment,
            "email": f"{ref.lower()}@example.com",
        },
    )
    created = _created(was)
    # Every demo customer has a recorded answer on every channel.
    for channel, granted in [
        (Consent.Channel.SURVEYS, True),
        (Consent.Channel.REMINDERS, consent),
        (Consent.Channel.MARKETING, False),
    ]:
        _c, was = Consent.objects.get_or_create(
            customer=customer,
            channel=channel,
            defaults={
                "granted": granted,
                "method": Consent.Method.IN_PERSON,
                "recorded_at": now - dt.timedelta(days=400),
                "note": "Loyalty card sign-up",
            },
        )
        created += _created(was)
    return customer, created


def _eggs(now) -> int:
    segment = Segment.objects.filter(code="retail-shoppers").first()
    if segment is None:
        return 0
    customer, created = _shopper(EGG_SHOPPER, "Margaret Long", segment, now, consent=True)
    # 52 purchases, the last 6 days ago, gaps of 6-8 days (median 7): the eggs run out
    # tomorrow, so the reminder (2 days ahead) is due now.
    gaps = [7, 6, 8, 7, 7, 8, 6]
    moments = []
    moment = now - dt.timedelta(days=6)
    for number in range(52):
        moments.append(moment)
        moment -= dt.timedelta(days=gaps[number % len(gaps)])
    rows = [
        Purchase(
            external_id=f"ORD-EGG-{number:03d}",
            customer=customer,
            segment_id=customer.segment_id,
            product=EGG_PRODUCT,
            quantity=1,
            amount=Decimal("3.20"),
            purchased_at=moment.replace(hour=10, minute=0, second=0, microsecond=0),
        )
        for number, moment in enumerate(reversed(moments), start=1)
    ]
    existing = set(
        Purchase.objects.filter(external_id__startswith="ORD-EGG-").values_list(
            "external_id", flat=True
        )
    )
    missing = [p for p in rows if p.external_id not in existing]
    Purchase.objects.bulk_create(missing)
    return created + len(missing)


def _repeat_buyers(now) -> int:
    segment = Segment.objects.filter(code="retail-shoppers").first()
    if segment is None:
        return 0
    created = 0
    rows = []
    for index, (ref, count) in enumerate(EXTRA_SHOPPERS):
        customer, was = _shopper(ref, f"Shopper {ref[-3:]}", segment, now, consent=False)
        created += was
        for line in range(1, count + 1):
            rows.append(
                Purchase(
                    external_id=f"ORD-{ref}-{line}",
                    customer=customer,
                    segment_id=customer.segment_id,
                    product="Bread",
                    quantity=1,
                    amount=Decimal("2.40"),
                    purchased_at=now - dt.timedelta(days=30 + index * 20 + line * 9),
                )
            )
    existing = set(
        Purchase.objects.filter(external_id__in=[p.external_id for p in rows]).values_list(
            "external_id", flat=True
        )
    )
    missing = [p for p in rows if p.external_id not in existing]
    Purchase.objects.bulk_create(missing)
    return created + len(missing)


STEPS_TO = {
    "investigate": ["assess", "investigate"],
    "accept": ["assess", "investigate", "decide", "accept"],
    "": [],
}


def _complaints(now, departments, users) -> int:
    created = 0
    for ref, slug, code, severity, days, final, description, remedy in COMPLAINTS:
        customer = Customer.objects.filter(external_ref=ref).first()
        topic = Topic.objects.filter(slug=slug).first()
        department = departments.get(code)
        if customer is None or topic is None or department is None:
            continue
        if Complaint.objects.filter(customer=customer, description=description).exists():
            continue
        actor = department.head or users.get("frontdesk")
        complaint = services.complaint_intake(
            customer=customer,
            description=description,
            remedy_sought=remedy,
            topic=topic,
            severity=severity,
            department=department,
            received_at=now - dt.timedelta(days=days),
            actor=actor,
        )
        created += 1
        for step in STEPS_TO[final]:
            services.complaint_transition(
                complaint=complaint,
                action=step,
                actor=actor,
                decision="We apologise; the next two nights are on us." if step == "decide" else "",
            )
    return created
