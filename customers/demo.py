"""This app's part of the demo organisation, loaded by `manage.py load_demo` after the
apps to its left. Must be idempotent: a second run changes nothing.

The guide's examples come out of this data:
- a phone maker's after-sales tickets, where "battery life" is the top topic;
- a home-appliance maker's tickets, where "refrigerator noise" tops its products;
- diaper interviews in mom groups, where "diaper breathability" tops "diaper absorbency".
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from qms.models import User

from .models import (
    Consent,
    Contact,
    Customer,
    Interview,
    InterviewFinding,
    Purchase,
    Segment,
    Ticket,
    Topic,
)

SEGMENTS = [
    # code, name, description
    ("smartphone-owners", "Smartphone owners", "People who bought our phones."),
    ("appliance-owners", "Home appliance owners", "Owners of our refrigerators and washers."),
    ("young-families", "Young families", "Parents of babies and toddlers (mom groups)."),
    ("hotel-guests", "Hotel guests", "Leisure and business guests of the hotel."),
    ("retail-shoppers", "Retail shoppers", "Regular shoppers of the supermarket."),
    ("restaurant-diners", "Restaurant diners", "Guests of the restaurant."),
]

TOPICS = [
    # slug, name, description
    ("queue-time", "Queue time", "Waiting in line for a table or a service."),
    ("refrigerator-noise", "Refrigerator noise", "Compressor and fan noise of refrigerators."),
    ("battery-life", "Battery life", "How long a phone runs on one charge."),
    ("diaper-breathability", "Diaper breathability", "Skin stays dry and cool; no rash."),
    ("diaper-absorbency", "Diaper absorbency", "How much a diaper holds without leaking."),
    ("eco-friendly-packaging", "Eco-friendly packaging", "Less plastic, recyclable packs."),
    ("checkout-wait", "Checkout wait", "Time spent waiting at the checkout."),
    ("cleanliness", "Cleanliness", "Clean rooms, floors, carts and restrooms."),
    ("screen-durability", "Screen durability", "Cracked or scratched phone screens."),
    ("charging-port", "Charging port", "Loose or broken charging ports."),
    ("software-updates", "Software updates", "Updates that fail or slow the phone down."),
    ("check-in-wait", "Check-in wait", "Time from arrival to holding the room key."),
    ("delivery-time", "Delivery time", "How fast orders arrive."),
]

# (prefix, segment code, count, kind, language, names)
CUSTOMER_GROUPS = [
    ("PH", "smartphone-owners", 24, Customer.Kind.PERSON, "en"),
    ("AP", "appliance-owners", 12, Customer.Kind.PERSON, "en"),
    ("YF", "young-families", 12, Customer.Kind.PERSON, "zh-hans"),
    ("HG", "hotel-guests", 8, Customer.Kind.PERSON, "en"),
    ("RS", "retail-shoppers", 10, Customer.Kind.PERSON, "en"),
    ("RD", "restaurant-diners", 6, Customer.Kind.PERSON, "en"),
]

FIRST = ["Mei", "Li", "Ana", "Tom", "Sara", "Wei", "Omar", "Ines", "Jun", "Lena", "Raj", "Yu"]
LAST = ["Chen", "Garcia", "Smith", "Wang", "Okafor", "Silva", "Müller", "Zhang", "Kim", "Rossi"]

ORGANISATIONS = [
    # ref, name, segment, contacts (name, title, e-mail, primary)
    (
        "C-ORG-001",
        "Lakeside Travel Agency",
        "hotel-guests",
        [
            ("Nora Lake", "Group bookings", "nora@lakeside.example", True),
            ("Paul Reed", "Accounts", "paul@lakeside.example", False),
        ],
    ),
    (
        "C-ORG-002",
        "Sunrise Kindergarten",
        "young-families",
        [("Hui Zhou", "Head teacher", "hui@sunrise.example", True)],
    ),
]

# Phone maker's after-sales work orders: battery life is what users care about most.
PHONE_TICKETS = [
    ("battery-life", 84),
    ("screen-durability", 37),
    ("charging-port", 26),
    ("software-updates", 18),
    ("eco-friendly-packaging", 5),
]
PHONE_PRODUCTS = ["Phone X2", "Phone X2 Pro", "Phone Lite 5"]
# Home-appliance maker: customers complain most about loud refrigerators.
APPLIANCE_TICKETS = [
    ("refrigerator-noise", 41),
    ("delivery-time", 14),
    ("cleanliness", 6),
]
APPLIANCE_PRODUCTS = ["CoolBox 300 refrigerator", "CoolBox 450 refrigerator", "AquaWash 8"]

RESOLUTIONS = {
    "battery-life": "Battery replaced; advised on background apps.",
    "screen-durability": "Screen replaced under warranty.",
    "charging-port": "Charging port module replaced.",
    "software-updates": "Update re-installed; settings restored.",
    "eco-friendly-packaging": "Forwarded to packaging team.",
    "refrigerator-noise": "Compressor mounts replaced; noise reduced.",
    "delivery-time": "Apologised; delivery slot rebooked.",
    "cleanliness": "Unit cleaned on site.",
}

# Mom-group interviews: breathability matters much more than absorbency.
INTERVIEWS = [
    (
        "Mom group, Hangzhou",
        "young-families",
        None,
        40,
        "Eight mothers of babies under 12 months; 90 minutes.",
        [
            (
                "diaper-breathability",
                "“In summer his skin is red after a night; I want it to breathe.”",
            ),
            ("diaper-breathability", "Most mothers change brands because of rash, not leaks."),
            ("diaper-breathability", "“Thin and airy matters more to me than holding more.”"),
            ("diaper-absorbency", "Leaks at night are rare with every brand they tried."),
            ("eco-friendly-packaging", "Younger mothers ask for less plastic in the packs."),
        ],
    ),
    (
        "Mom group, Suzhou",
        "young-families",
        None,
        25,
        "Six mothers and two fathers; toddlers 1–2 years.",
        [
            (
                "diaper-breathability",
                "“Heat rash is the first thing we talk about in our chat group.”",
            ),
            ("diaper-breathability", "They feel the diaper's surface to judge if it breathes."),
            ("diaper-absorbency", "“It should last the whole night.”"),
            ("diaper-breathability", "Would pay more for a breathable layer."),
        ],
    ),
    (
        "Mom group, online forum",
        "young-families",
        None,
        10,
        "Video call with nine members of a parents' forum.",
        [
            ("diaper-breathability", "Breathability is the top reason to recommend a brand."),
            ("diaper-absorbency", "Absorbency is expected; nobody praises it."),
            ("diaper-breathability", "“Dry skin in the morning, that is what I look for.”"),
            ("eco-friendly-packaging", "Ask for a recyclable box instead of a plastic bag."),
            ("diaper-absorbency", "Bigger sizes leak at the legs when the baby turns."),
        ],
    ),
    (
        "Regular guest, check-in experience",
        "hotel-guests",
        "C-HG-001",
        20,
        "A business traveller staying twice a month.",
        [
            ("check-in-wait", "“After a flight I want my key in a minute, not fifteen.”"),
            ("cleanliness", "Room was ready but the bathroom was not spotless."),
        ],
    ),
]


def _created(created: bool) -> int:
    return 1 if created else 0


def load(*, stdout) -> int:
    """Create what is missing; return the number of rows created."""
    rng = random.Random(2026)
    now = timezone.now()
    created = 0

    segments = {}
    for code, name, description in SEGMENTS:
        segment, was = Segment.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        segments[code] = segment
        created += _created(was)

    topics = {}
    for slug, name, description in TOPICS:
        topic, was = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        topics[slug] = topic
        created += _created(was)

    customers_by_group: dict[str, list[Customer]] = {}
    for prefix, segment_code, count, kind, language in CUSTOMER_GROUPS:
        group = customers_by_group.setdefault(prefix, [])
        for number in range(1, count + 1):
            ref = f"C-{prefix}-{number:03d}"
            name = f"{FIRST[(number * 7 + len(prefix)) % len(FIRST)]} "
            name += LAST[(number * 3 + ord(prefix[0])) % len(LAST)]
            customer, was = Customer.objects.get_or_create(
                external_ref=ref,
                defaults={
                    "name": name,
                    "kind": kind,
                    "segment": segments[segment_code],
                    "language": language,
                    "email": f"{ref.lower()}@example.com",
                },
            )
            created += _created(was)
            group.append(customer)
            created += _consents(customer, number, now)

    for ref, name, segment_code, contacts in ORGANISATIONS:
        customer, was = Customer.objects.get_or_create(
            external_ref=ref,
            defaults={
                "name": name,
                "kind": Customer.Kind.ORGANISATION,
                "segment": segments[segment_code],
                "email": contacts[0][2],
            },
        )
        created += _created(was)
        created += _consents(customer, 1, now)
        for contact_name, title, email, primary in contacts:
            _contact, was = Contact.objects.get_or_create(
                customer=customer,
                name=contact_name,
                defaults={"job_title": title, "email": email, "is_primary": primary},
            )
            created += _created(was)

    created += _tickets(
        "WO-PH", PHONE_TICKETS, PHONE_PRODUCTS, customers_by_group["PH"], topics, rng, now
    )
    created += _tickets(
        "WO-AP",
        APPLIANCE_TICKETS,
        APPLIANCE_PRODUCTS,
        customers_by_group["AP"],
        topics,
        rng,
        now,
    )
    created += _purchases(customers_by_group, rng, now)
    created += _interviews(segments, topics, now)
    # The requirements register and the hotel's deployment (after segments and topics).
    from . import requirement_demo

    created += requirement_demo.load(stdout=stdout)
    from . import crm_demo  # CRM: hotel checklist, eggs reminder, loyalty figures

    created += crm_demo.load(stdout=stdout)
    if stdout is not None and created:
        stdout.write(f"customers: {created} demo rows created")
    return created


def _consents(customer, number, now) -> int:
    created = 0
    plan = [
        (Consent.Channel.SURVEYS, True, Consent.Method.WEB_FORM),
        (Consent.Channel.REMINDERS, number % 3 != 0, Consent.Method.EMAIL),
        (Consent.Channel.MARKETING, number % 2 == 0, Consent.Method.IN_PERSON),
    ]
    for channel, granted, method in plan:
        _consent, was = Consent.objects.get_or_create(
            customer=customer,
            channel=channel,
            defaults={
                "granted": granted,
                "method": method,
                "recorded_at": now - dt.timedelta(days=200 + number),
            },
        )
        created += _created(was)
    return created


def _tickets(prefix, plan, products, customers, topics, rng, now) -> int:
    rows = []
    number = 0
    for slug, count in plan:
        for _ in range(count):
            number += 1
            opened = now - dt.timedelta(days=rng.randint(1, 170), hours=rng.randint(0, 23))
            closed = opened + dt.timedelta(days=rng.randint(1, 6)) if rng.random() < 0.85 else None
            rows.append(
                Ticket(
                    external_id=f"{prefix}-{number:04d}",
                    customer=customers[rng.randrange(len(customers))],
                    topic=topics[slug],
                    product=products[rng.randrange(len(products))],
                    opened_at=opened,
                    closed_at=closed if closed and closed < now else None,
                    resolution=RESOLUTIONS.get(slug, "") if closed and closed < now else "",
                )
            )
    existing = set(
        Ticket.objects.filter(external_id__startswith=f"{prefix}-").values_list(
            "external_id", flat=True
        )
    )
    missing = [t for t in rows if t.external_id not in existing]
    Ticket.objects.bulk_create(missing)
    return len(missing)


PRODUCTS = {
    "RS": [
        ("Eggs (12)", Decimal("3.20")),
        ("Milk 1 l", Decimal("1.10")),
        ("Bread", Decimal("2.40")),
    ],
    "YF": [("Diapers size 3 (60)", Decimal("18.90")), ("Baby wipes", Decimal("3.50"))],
    "PH": [("Phone case", Decimal("19.00")), ("Charger 30 W", Decimal("25.00"))],
}


def _purchases(customers_by_group, rng, now) -> int:
    rows = []
    for prefix, products in PRODUCTS.items():
        for customer_index, customer in enumerate(customers_by_group[prefix]):
            for line in range(1, 5):
                product, price = products[(customer_index + line) % len(products)]
                quantity = rng.randint(1, 3)
                rows.append(
                    Purchase(
                        external_id=f"ORD-{customer.external_ref}-{line}",
                        customer=customer,
                        product=product,
                        quantity=quantity,
                        amount=price * quantity,
                        purchased_at=now - dt.timedelta(days=rng.randint(1, 120)),
                    )
                )
    existing = set(
        Purchase.objects.filter(external_id__startswith="ORD-C-").values_list(
            "external_id", flat=True
        )
    )
    missing = [p for p in rows if p.external_id not in existing]
    Purchase.objects.bulk_create(missing)
    return len(missing)


def _interviews(segments, topics, now) -> int:
    interviewer = User.objects.filter(username="quality").first()
    if interviewer is None:
        return 0
    created = 0
    for title, segment_code, customer_ref, days_ago, notes, findings in INTERVIEWS:
        customer = (
            Customer.objects.filter(external_ref=customer_ref).first() if customer_ref else None
        )
        interview, was = Interview.objects.get_or_create(
            title=title,
            defaults={
                "segment": segments[segment_code],
                "customer": customer,
                "held_on": (now - dt.timedelta(days=days_ago)).date(),
                "interviewer": interviewer,
                "notes": notes,
            },
        )
        created += _created(was)
        for slug, note in findings:
            _finding, was = InterviewFinding.objects.get_or_create(
                interview=interview, topic=topics[slug], note=note
            )
            created += _created(was)
    return created
