"""Demo part of the requirements register (guide section II and points 1 and 3): the
hotel's "zero-wait check-in" deployed to front desk, housekeeping and IT, a statutory
food-safety requirement, two delighters and the retail checkout wait.

Idempotent: segments, topics and departments are found by code/slug, requirements by
title; anything already there is left exactly as it is.
"""

from customers.models import Segment, Topic
from qms.models import Department, User

from . import services
from .models import Requirement

SEGMENTS = {
    "hotel-guests": "Hotel guests",
    "retail-shoppers": "Retail shoppers",
    "restaurant-diners": "Restaurant diners",
    "young-families": "Young families",
    "smartphone-owners": "Smartphone owners",
}
TOPICS = {
    "queue-time": "Queue time",
    "checkout-wait": "Checkout wait",
    "cleanliness": "Cleanliness",
    "check-in-wait": "Check-in wait",
}

# title, kind, segment, importance, criterion, reference, topics, final status,
# [(department code, commitment)], description
REQUIREMENTS = [
    (
        "Zero-wait check-in",
        Requirement.Kind.STATED,
        "hotel-guests",
        Requirement.Importance.CRITICAL,
        "Guests wait under 1 minute from the door to their room key",
        "",
        ["check-in-wait", "queue-time"],
        Requirement.Status.DEPLOYED,
        [
            ("FD", "Cut the ID scan at the desk from 30 s to 10 s."),
            ("HK", "Rooms ready 1 hour before the guest's predicted arrival."),
            ("IT", "Self-service check-in kiosks with face recognition."),
        ],
        "Guests told us the queue at the desk is the worst part of arriving.",
    ),
    (
        "Food handled to the national food safety standard",
        Requirement.Kind.STATUTORY,
        "restaurant-diners",
        Requirement.Importance.CRITICAL,
        "Zero non-conformities in the quarterly hygiene audit",
        "GB 14881-2013 General hygienic regulation for food production",
        ["cleanliness"],
        Requirement.Status.DEPLOYED,
        [("KT", "Follow the hygiene plan; record fridge temperatures twice a day.")],
        "A rigid requirement of regulation: food businesses must meet it (must-be).",
    ),
    (
        "Deliver half a day earlier than the promised next-day delivery",
        Requirement.Kind.DELIGHTER,
        "smartphone-owners",
        Requirement.Importance.MEDIUM,
        "Orders placed by 18:00 arrive by noon the next day",
        "",
        [],
        Requirement.Status.ACCEPTED,
        [],
        "Exceed expectations: beat our own next-day promise.",
    ),
    (
        "A small birthday cake for diners on their birthday",
        Requirement.Kind.DELIGHTER,
        "restaurant-diners",
        Requirement.Importance.LOW,
        "",
        "",
        [],
        Requirement.Status.PROPOSED,
        [],
        "The restaurant offers a small cake, unasked, when a guest celebrates a birthday.",
    ),
    (
        "Checkout wait under 5 minutes",
        Requirement.Kind.STATED,
        "retail-shoppers",
        Requirement.Importance.HIGH,
        "Checkout wait under 5 minutes at peak hours",
        "",
        ["checkout-wait", "queue-time"],
        Requirement.Status.UNDER_REVIEW,
        [],
        "Shoppers rank the checkout queue as their first complaint.",
    ),
]


def load(*, stdout) -> int:
    created = 0
    segments = {}
    for code, name in SEGMENTS.items():
        segments[code], was_created = Segment.objects.get_or_create(
            code=code, defaults={"name": name}
        )
        created += was_created
    topics = {}
    for slug, name in TOPICS.items():
        topics[slug], was_created = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
        created += was_created
    quality = User.objects.filter(username="quality").first()
    if quality is None:
        stdout.write("Requirements demo skipped: no 'quality' user.")
        return created
    for (
        title,
        kind,
        segment,
        importance,
        criterion,
        reference,
        topic_slugs,
        final,
        deployments,
        description,
    ) in REQUIREMENTS:
        if Requirement.objects.filter(title=title).exists():
            continue
        requirement = services.requirement_create(
            actor=quality,
            title=title,
            description=description,
            kind=kind,
            segment=segments[segment],
            importance=importance,
            acceptance_criterion=criterion,
            reference=reference,
            owner=quality,
            topics=[topics[s] for s in topic_slugs],
        )
        created += 1
        _advance(requirement, final, deployments, quality)
    created += _acknowledge_and_read()
    if stdout is not None and created:
        stdout.write(f"requirements: {created} demo rows created")
    return created


def _advance(requirement, final, deployments, quality) -> None:
    order = [s for s, _label in Requirement.Status.choices]
    target = order.index(final)
    if target >= order.index(Requirement.Status.UNDER_REVIEW):
        services.requirement_submit_for_review(requirement=requirement, actor=quality)
        services.requirement_review(
            requirement=requirement,
            actor=quality,
            can_meet=True,
            note="Operations confirmed the capacity.",
        )
    if target >= order.index(Requirement.Status.ACCEPTED):
        services.requirement_accept(requirement=requirement, actor=quality)
        for code, commitment in deployments:
            department = Department.objects.filter(code=code).first()
            if department is not None:
                services.deployment_create(
                    requirement=requirement,
                    department=department,
                    commitment=commitment,
                    actor=quality,
                )
    if target >= order.index(Requirement.Status.DEPLOYED) and requirement.deployments.exists():
        services.requirement_deploy(requirement=requirement, actor=quality)


def _acknowledge_and_read() -> int:
    """The front desk's head acknowledged zero-wait check-in and 'staff' read it."""
    requirement = Requirement.objects.filter(
        title="Zero-wait check-in", status=Requirement.Status.DEPLOYED
    ).first()
    if requirement is None:
        return 0
    deployment = requirement.deployments.filter(department__code="FD").first()
    if deployment is None:
        return 0
    created = 0
    head = User.objects.filter(username="frontdesk").first()
    if (
        head is not None
        and deployment.acknowledged_revision is None
        and deployment.department.head_id == head.pk
    ):
        services.deployment_acknowledge(
            deployment=deployment,
            actor=head,
            comment="Scanners ordered; the desk team trains on them next week.",
        )
        created += 1
    staff = User.objects.filter(username="staff").first()
    if (
        staff is not None
        and staff.memberships.filter(department=deployment.department).exists()
        and not deployment.reads.filter(user=staff).exists()
    ):
        services.brief_mark_read(deployment=deployment, actor=staff)
        created += 1
    return created
