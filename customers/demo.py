"""This app's part of the demo organisation, loaded by `manage.py load_demo` after the
apps to its left. Must be idempotent: a second run changes nothing.

The segments, topics and customers of the guide's examples (their tickets, purchases and
interviews are in research/demo.py, the requirements register in requirements/demo.py,
the CRM's hotel, eggs and complaints in crm/demo.py).
"""

import datetime as dt

from django.utils import timezone

from .models import Consent, Contact, Customer, Segment, Topic

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


def _created(created: bool) -> int:
    return 1 if created else 0


def load(*, stdout) -> int:
    """Create what is missing; return the number of rows created."""
    now = timezone.now()
    created = 0

    segments = {}
    for code, name, description in SEGMENTS:
        segment, was = Segment.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        segments[code] = segment
        created += _created(was)

    for slug, name, description in TOPICS:
        _topic, was = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        created += _created(was)

    for prefix, segment_code, count, kind, language in CUSTOMER_GROUPS:
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
