"""This app's part of the demo organisation, loaded by `manage.py load_demo` after the
apps to its left (the customers app's segments, topics and customers). Must be
idempotent: a second run changes nothing.

The guide's examples come out of this data:
- a phone maker's after-sales tickets, which arrive as text only (what the customer
  said, in English or Chinese, and the agent's shorthand): the coding app codes them by
  keyword rules and the model learned from the tickets people coded, and "battery life"
  comes out as the top topic;
- a home-appliance maker's tickets, where "refrigerator noise" tops its products;
- diaper interviews in mom groups, where "diaper breathability" tops "diaper absorbency",
  also coded from the interview notes in Chinese and English.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from coding import services as coding_services
from coding.models import Coding, ModelVersion, Text
from customers.demo import CUSTOMER_GROUPS, SEGMENTS, TOPICS
from customers.models import Customer, Segment, Topic
from qms.models import User

from .imports import record_ticket_texts
from .models import Interview, InterviewFinding, Purchase, Ticket
from .services import interview_record_text

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

# What the customers said (the desk exports no topic for the phone maker): English and
# Chinese, typos and agent shorthand, some with no keyword at all (the model or the
# queue codes those).
TICKET_TEXTS = {
    "battery-life": [
        "Battery drains from 100% to 20% by lunch, barely used the phone",
        "phone only lasts half a day since the last month",
        "手机续航太差了，一天充三次",
        "新买的手机掉电快，待机一晚上掉了30%",
        "Batery dies fast when I use maps, have to carry a power bank",
        "My phone is dead before I get home from work",
        "电池不耐用，中午就没电了",
        "cust says phone needs charging twice a day, heats up",
        "撑不过半天，出门必须带充电宝",
        "The phone runs out of juice way too quickly",
        "battery health 78% after 8 months??",
        "Phone X2 电池 drains overnight even in flight mode",
    ],
    "screen-durability": [
        "Screen cracked after a small drop from the table",
        "屏幕裂了，只是从口袋掉出来",
        "scratches all over the display after two weeks",
        "dropped it once and the glass shattered",
        "手机碎屏，保护壳也没用",
    ],
    "charging-port": [
        "Charging port is loose, cable falls out",
        "充电口接触不良，要按着线才能充",
        "phone won't charge unless I wiggle the cable",
        "usb-c socket full of lint? cleaned, still not charging",
    ],
    "software-updates": [
        "After the update the phone is slow and apps crash",
        "系统更新以后很卡",
        "update failed twice, stuck on logo",
        "firmware upgrade reset all my settings",
    ],
    "eco-friendly-packaging": [
        "Too much plastic in the box for a small phone",
        "包装太多塑料，不环保",
    ],
    "refrigerator-noise": [
        "The fridge is very noisy at night, humming sound",
        "冰箱噪音很大，晚上嗡嗡响",
        "loud buzzing from the back of the refrigerator",
        "compressor clicks and rattles every few minutes",
    ],
    "delivery-time": [
        "Delivery was three days late",
        "送货太慢了，等了一周",
        "delivery slot missed, nobody called",
    ],
    "cleanliness": [
        "Unit arrived dirty inside",
        "冰箱里面不干净",
    ],
}
AGENT_NOTES = {
    "battery-life": ["adv. bg apps, batt calib", "batt replaced under warr.", ""],
    "screen-durability": ["scr repl.", ""],
    "charging-port": ["port module repl.", ""],
    "software-updates": ["reflashed fw", ""],
}
# Tickets a person already coded in the queue (each a training example for the model).
CONFIRMED_PER_TOPIC = 6

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
        (
            "Eight mothers of babies under 12 months; 90 minutes. "
            "妈妈们最关心的是透气：夏天一晚上宝宝屁股就红了。"
            "Several switch brands because of rash, not leaks."
        ),
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
        (
            "Six mothers and two fathers; toddlers 1–2 years. "
            "群里讨论最多的是红屁股和闷热。"
            "One father feels the surface to judge if it breathes."
        ),
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
        (
            "Video call with nine members of a parents' forum. "
            "Breathability is the top reason to recommend a brand; 吸水大家觉得都差不多。"
        ),
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
    segments = Segment.objects.in_bulk([code for code, _name, _d in SEGMENTS], field_name="code")
    topics = Topic.objects.in_bulk([slug for slug, _name, _d in TOPICS], field_name="slug")
    # The customers app's demo customers, group by group, in their order.
    refs = {
        prefix: [f"C-{prefix}-{number:03d}" for number in range(1, count + 1)]
        for prefix, _segment, count, _kind, _language in CUSTOMER_GROUPS
    }
    by_ref = {
        customer.external_ref: customer
        for customer in Customer.objects.filter(
            external_ref__in=[ref for group in refs.values() for ref in group]
        )
    }
    customers_by_group = {
        prefix: [by_ref[ref] for ref in group if ref in by_ref] for prefix, group in refs.items()
    }
    if not customers_by_group["PH"] or not customers_by_group["AP"]:
        return 0

    created += _tickets(
        "WO-PH",
        PHONE_TICKETS,
        PHONE_PRODUCTS,
        customers_by_group["PH"],
        topics,
        rng,
        now,
        with_topic=False,
    )
    created += _tickets(
        "WO-AP",
        APPLIANCE_TICKETS,
        APPLIANCE_PRODUCTS,
        customers_by_group["AP"],
        topics,
        rng,
        now,
        with_topic=True,
    )
    created += _purchases(customers_by_group, rng, now)
    created += _interviews(segments, topics, now)
    created += _code_texts()
    if stdout is not None and created:
        stdout.write(f"research: {created} demo rows created")
    return created


def _tickets(prefix, plan, products, customers, topics, rng, now, *, with_topic) -> int:
    """The phone maker's desk exports only the text (`with_topic=False`); the
    appliance maker's exports a topic too."""
    rows = []
    number = 0
    for slug, count in plan:
        texts = TICKET_TEXTS.get(slug, [""])
        notes = AGENT_NOTES.get(slug, [""])
        for index in range(count):
            number += 1
            opened = now - dt.timedelta(days=rng.randint(1, 170), hours=rng.randint(0, 23))
            closed = opened + dt.timedelta(days=rng.randint(1, 6)) if rng.random() < 0.85 else None
            rows.append(
                Ticket(
                    external_id=f"{prefix}-{number:04d}",
                    customer=customers[rng.randrange(len(customers))],
                    topic=topics[slug] if with_topic else None,
                    description=texts[index % len(texts)],
                    agent_notes=notes[index % len(notes)],
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
    record_ticket_texts(external_ids=[t.external_id for t in missing])
    if not with_topic:
        _confirm_some(prefix, plan, topics)
    return len(missing)


def _confirm_some(prefix, plan, topics) -> None:
    """The first tickets of each topic were coded by the quality manager in the queue."""
    person = User.objects.filter(username="quality").first()
    if person is None:
        return
    number = 0
    ids = []
    for slug, count in plan:
        for index in range(count):
            number += 1
            if index < CONFIRMED_PER_TOPIC:
                ids.append((f"{prefix}-{number:04d}", topics[slug]))
    tickets = Ticket.objects.in_bulk([ref for ref, _topic in ids], field_name="external_id")
    texts = {
        t.object_id: t
        for t in Text.objects.filter(
            kind=Text.Kind.TICKET, object_id__in=[t.pk for t in tickets.values()]
        )
    }
    now = timezone.now()
    for ref, topic in ids:
        text = texts.get(tickets[ref].pk) if ref in tickets else None
        if text is None:
            continue
        Coding.objects.get_or_create(
            text=text,
            topic=topic,
            defaults={
                "origin": Coding.Origin.PERSON,
                "confirmed_by": person,
                "confirmed_at": now,
            },
        )
        Text.objects.filter(pk=text.pk).update(status=Text.Status.CODED, coded_at=now)


def _code_texts() -> int:
    """Code what arrived: the rules first; then a model learned from what people coded
    codes the rest it is sure of, and leaves the others in the queue."""
    coding_services.code_pending()
    if not ModelVersion.objects.exists() and coding_services.model_train() is not None:
        coding_services.recode_queue()
        coding_services.code_pending()
    return 0


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
                        segment_id=customer.segment_id,
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
        interview_record_text(interview=interview)
        for slug, note in findings:
            _finding, was = InterviewFinding.objects.get_or_create(
                interview=interview, topic=topics[slug], note=note
            )
            created += _created(was)
    return created
