"""The organisation core's part of the demo beyond people and departments: interested
parties and the clothing brand's "triple win" (guide point 6). Idempotent."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from .models import DashboardSettings, InterestedParty, PartyConflict, TileTarget, User

PARTIES = [
    # name, category, influence, interest, needs
    (
        "Customers",
        "customers",
        5,
        5,
        "Good products at fair prices, delivered on time; service that remembers them.",
    ),
    (
        "Employees",
        "employees",
        4,
        5,
        "Safe work, reasonable hours (no “996” schedules), fair pay, a say in how work is done.",
    ),
    (
        "Suppliers",
        "suppliers",
        3,
        4,
        "Stable, long-term orders and a reasonable margin; paid on time; no squeeze on price "
        "that forces cheaper raw materials.",
    ),
    (
        "Shareholders",
        "shareholders",
        5,
        3,
        "Sustainable, stable returns; reputation protected.",
    ),
    (
        "Local community",
        "community",
        2,
        3,
        "Jobs, low noise and traffic, environmental care (e.g. eco-friendly packaging).",
    ),
    (
        "Food safety regulator",
        "regulators",
        5,
        2,
        "Compliance with food safety standards; records available for inspection.",
    ),
]

TRIPLE_WIN = {
    "title": "Lower prices for customers without squeezing suppliers or staff",
    "description": (
        "Customers ask for lower clothing prices. Cutting supplier prices would lower the "
        "quality of raw materials; more overtime would drive staff away and harm quality."
    ),
    "decision": (
        "Centralise procurement with fewer, long-term suppliers and optimise the sewing "
        "process instead of cutting supplier prices or adding overtime."
    ),
    "rationale": (
        "Volume commitments lower unit costs while keeping supplier margins; process "
        "optimisation removes the overtime that peaks created. Everyone gains: a triple win."
    ),
    "outcomes": (
        "Customers: product prices 10% lower\n"
        "Suppliers: stable long-term orders with a reasonable profit\n"
        "Employees: less overtime and higher job satisfaction"
    ),
}


# Dashboard targets the demo's quality manager has set (objectives give others).
DEMO_TARGETS = (
    ("csat", Decimal("85")),
    ("response_rate", Decimal("30")),
    ("complaint_compliance", Decimal("95")),
    ("followups_on_time", Decimal("90")),
)


def load(*, stdout) -> int:
    created = 0
    owner = User.objects.filter(username="quality").first()
    review = timezone.localdate() + dt.timedelta(days=180)
    parties = {}
    for name, category, influence, interest, needs in PARTIES:
        party, was_created = InterestedParty.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "influence": influence,
                "interest": interest,
                "needs": needs,
                "review_date": review,
                "owner": owner,
            },
        )
        parties[category] = party
        created += was_created
    if not PartyConflict.objects.filter(title=TRIPLE_WIN["title"]).exists():
        conflict = PartyConflict.objects.create(
            **TRIPLE_WIN,
            status=PartyConflict.Status.DECIDED,
            decided_by=owner,
            decided_at=timezone.now(),
        )
        conflict.parties.set([parties["customers"], parties["suppliers"], parties["employees"]])
        created += 1
    # The dashboard reads its numbers against targets and a minimum number of answers.
    if not DashboardSettings.objects.exists():
        DashboardSettings.objects.create(min_n=10, at_risk_margin_pct=10)
        created += 1
    for tile, target in DEMO_TARGETS:
        _target, was_created = TileTarget.objects.get_or_create(
            tile=tile, defaults={"target": target}
        )
        created += was_created
    return created
