"""Every registered metric computed by hand on one small fixed data set and compared with
the registry, the API and the dashboard, for three months and a quarter, with and without
each of two segments. A change to a definition (what is counted, the base, the period,
segment or order rule) shows up here as a failing test.

The data set has the awkward parts: a customer who moves from segment A to B between
January and February, an answer at noon on the last day of a month, skipped questions,
a dissatisfied respondent who names no driver, orders of several lines (by order
reference and by customer + purchase time), and a complaint never decided.

The "hand" side is plain Python over the lists below, written from the definitions on the
metrics page, never through the portal's code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from actions.models import CorrectiveAction
from crm.models import COMPLAINT_TARGET_DAYS, Complaint
from qms import dashboard
from qms.models import DashboardSettings, Department
from qms.registry import Period, registry
from requirements.models import Requirement
from research.models import Purchase, Ticket
from satisfaction.models import FollowUpCase, Invitation, Response
from surveys import services as survey_services
from surveys.models import Question
from tests.actions.factories import ActionFactory
from tests.customers.factories import CustomerFactory, SegmentFactory, TopicFactory
from tests.factories import DepartmentFactory
from tests.objectives.factories import ObjectiveFactory, RequirementFactory
from tests.satisfaction.factories import answered, published_survey, running_wave

pytestmark = pytest.mark.django_db

UTC = dt.UTC
JAN, FEB, MAR = (Period.parse(f"2026-{m:02d}") for m in (1, 2, 3))
Q1 = Period.parse("2026-Q1")
PERIODS = (JAN, FEB, MAR, Q1)
SEGMENTS = ("", "seg-a", "seg-b")


def at(month, day, hour=12):
    return dt.datetime(2026, month, day, hour, 0, tzinfo=UTC)


# --- The fixed data set (the segment each event happened in is written beside it) -------

# (customer, segment then, submitted, nps, csat, ces, driver) — None is a skipped question.
ANSWERS = [
    ("a1", "seg-a", at(1, 10), 10, 5, 7, None),
    ("m", "seg-a", at(1, 20), 3, 2, 2, "queue"),
    ("b1", "seg-b", at(1, 31), 6, None, 4, "food"),
    ("m", "seg-b", at(2, 5), 9, 4, 6, None),
    ("a1", "seg-a", at(2, 14), 0, 1, 1, "queue"),
    ("b1", "seg-b", at(2, 28), None, 5, 7, None),
    ("a1", "seg-a", at(3, 1), 8, 3, 5, None),
    ("m", "seg-b", at(3, 31), 2, 1, None, None),
    ("b1", "seg-b", at(3, 15), 10, 5, 7, None),
]
# Invitations nobody answered: (customer, segment then, sent, state).
UNANSWERED = [
    ("a1", "seg-a", at(1, 15), Invitation.State.EXPIRED),
    ("m", "seg-a", at(1, 25), Invitation.State.EXPIRED),
    ("b1", "seg-b", at(2, 10), Invitation.State.SENT),
    ("m", "seg-b", at(3, 3), Invitation.State.EXPIRED),
]
# Purchase lines: (customer, segment then, order_ref, bought).
PURCHASES = [
    ("a1", "seg-a", "O1", at(1, 3)),
    ("a1", "seg-a", "O1", at(1, 3, 13)),
    ("a1", "seg-a", "", at(1, 20, 10)),
    ("m", "seg-a", "", at(1, 8)),
    ("m", "seg-a", "", at(1, 8)),  # the same moment: the same order
    ("m", "seg-b", "O2", at(2, 2)),
    ("m", "seg-b", "O2", at(2, 2)),
    ("m", "seg-b", "O2", at(2, 2, 15)),
    ("m", "seg-b", "O3", at(2, 20)),
    ("a1", "seg-a", "", at(2, 11)),
    ("b1", "seg-b", "O4", at(2, 12)),
    ("b1", "seg-b", "", at(3, 5)),
    ("b1", "seg-b", "", at(3, 6)),
    ("a1", "seg-a", "O5", at(3, 9)),
]
# Complaints: (customer, segment then, received, severity, first decided or None).
COMPLAINTS = [
    ("m", "seg-a", at(1, 21), "medium", at(1, 22)),
    ("a1", "seg-a", at(2, 15), "high", at(2, 17)),
    ("b1", "seg-b", at(2, 27), "low", None),
    ("m", "seg-b", at(3, 10), "critical", at(3, 13)),
]
# Tickets: (customer, opened).
TICKETS = [("m", at(1, 12)), ("b1", at(2, 3)), ("a1", at(3, 20))]
CURRENT_SEGMENT = {"a1": "seg-a", "m": "seg-b", "b1": "seg-b"}


# --- By hand -------------------------------------------------------------------------------


def within(moment, period):
    return period.start <= moment.date() <= period.end


def in_segment(segment_then, segment):
    return not segment or segment_then == segment


def pct(part, whole, digits=1):
    return None if not whole else round(100 * part / whole, digits)


def hand_scores(period, segment):
    rows = [a for a in ANSWERS if within(a[2], period) and in_segment(a[1], segment)]
    nps = [a[3] for a in rows if a[3] is not None]
    csat = [a[4] for a in rows if a[4] is not None]
    ces = [a[5] for a in rows if a[5] is not None]
    unhappy = [
        a for a in rows if (a[3] is not None and a[3] <= 6) or (a[4] is not None and a[4] <= 3)
    ]
    promoters = sum(1 for v in nps if v >= 9)
    detractors = sum(1 for v in nps if v <= 6)
    # The top driver: the topic named most by dissatisfied respondents (ties: by code).
    named = {}
    for a in unhappy:
        if a[6]:
            slug = {"queue": "queue-time", "food": "food-quality"}[a[6]]
            named[slug] = named.get(slug, 0) + 1
    top = sorted(named.items(), key=lambda item: (-item[1], item[0]))
    top_count = top[0][1] if top else 0
    return {
        "nps": (
            None if not nps else round(100 * (promoters - detractors) / len(nps), 1),
            len(nps),
        ),
        "csat": (pct(sum(1 for v in csat if v >= 4), len(csat)), len(csat)),
        "ces": (None if not ces else round(sum(ces) / len(ces), 2), len(ces)),
        "driver_share": (pct(top_count, len(unhappy)), len(unhappy)),
    }


def hand_response_rate(period, segment):
    sent = [a for a in ANSWERS if within(a[2], period) and in_segment(a[1], segment)]
    others = [u for u in UNANSWERED if within(u[2], period) and in_segment(u[1], segment)]
    return pct(len(sent), len(sent) + len(others)), len(sent) + len(others)


def orders(period, segment):
    """{order: customer}: a reference, else customer + purchase time."""
    found = {}
    for customer, then, ref, bought in PURCHASES:
        if within(bought, period) and in_segment(then, segment):
            found[ref or (customer, bought)] = customer
    return found


def hand_repeat(period, segment):
    per_customer = {}
    for customer in orders(period, segment).values():
        per_customer[customer] = per_customer.get(customer, 0) + 1
    repeaters = sum(1 for n in per_customer.values() if n >= 2)
    return pct(repeaters, len(per_customer)), len(per_customer)


def hand_complaint_rate(period, segment, per):
    complaints = sum(1 for c in COMPLAINTS if within(c[2], period) and in_segment(c[1], segment))
    placed = orders(period, segment)
    base = len(placed) if per == "orders" else len(set(placed.values()))
    return (None if not base else round(1000 * complaints / base, 2)), base


def hand_compliance(period, segment):
    now = timezone.now()
    counted = in_time = 0
    for _c, then, received, severity, decided in COMPLAINTS:
        if not (within(received, period) and in_segment(then, segment)):
            continue
        target = received + dt.timedelta(days=COMPLAINT_TARGET_DAYS[severity])
        if decided is None and target > now:
            continue
        counted += 1
        in_time += decided is not None and decided <= target
    return pct(in_time, counted), counted


def hand_retention(period, segment):
    length = (period.end - period.start).days + 1
    before = Period(period.start - dt.timedelta(days=length), period.start - dt.timedelta(days=1))
    buyers_before = set(orders(before, segment).values())
    again = buyers_before & set(orders(period, segment).values())
    return pct(len(again), len(buyers_before)), len(buyers_before)


def hand_tickets(period, segment):
    # Tickets keep no segment: the customer's segment today (the metrics page says so).
    n = sum(
        1
        for c, opened in TICKETS
        if within(opened, period) and in_segment(CURRENT_SEGMENT[c], segment)
    )
    return n, n


def hand(key, period, segment, **params):
    if key in ("nps", "csat", "ces", "driver_share"):
        return hand_scores(period, segment)[key]
    if key == "response_rate":
        return hand_response_rate(period, segment)
    if key == "repeat_purchase_rate":
        return hand_repeat(period, segment)
    if key == "complaint_rate":
        return hand_complaint_rate(period, segment, params.get("per", "orders"))
    if key == "complaint_response_compliance":
        return hand_compliance(period, segment)
    if key == "customer_retention":
        return hand_retention(period, segment)
    if key == "ticket_volume":
        return hand_tickets(period, segment)
    if key == "requirements_deployed_share" and segment:
        return None, 0  # requirements written for no segment
    if key.startswith("place_"):
        return HAND_UNSEGMENTED[key](period)
    return HAND_UNSEGMENTED[key](period)


# Metrics without a customer segment, computed by hand from the rows made in `data`:
# two departments with a head and one without; requirements 1 deployed, 1 accepted, 1
# proposed; one active objective without key results; corrective actions closed in
# February (on time, 21 days, verified 8 Feb) and March (late, 30 days, verified 3 Mar) and
# one open since 5 January, due 31 January; follow-up cases due 10 Feb (closed on time),
# 20 Feb (closed late) and 3 Mar (still open).
def _actions_open_older(period):
    end = min(
        timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())),
        timezone.now(),
    )
    return (1 if at(1, 5) < end - dt.timedelta(days=30) else 0), 1


HAND_UNSEGMENTED = {
    "department_head_coverage": lambda p: (66.7, 3),
    "requirements_deployed_share": lambda p: (50.0, 2),
    "acknowledgement_coverage": lambda p: (None, 0),
    "objectives_on_track": lambda p: (0.0, 1),
    "checkins_on_time": lambda p: (None, 0),
    "actions_closed_on_time": lambda p: {
        JAN: (None, 0),
        FEB: (100.0, 1),
        MAR: (0.0, 1),
        Q1: (50.0, 2),
    }[p],
    "actions_verified_effective": lambda p: {
        JAN: (None, 0),
        FEB: (100.0, 1),
        MAR: (100.0, 1),
        Q1: (100.0, 2),
    }[p],
    "actions_mean_days_to_close": lambda p: {
        JAN: (None, 0),
        FEB: (21.0, 1),
        MAR: (30.0, 1),
        Q1: (25.5, 2),
    }[p],
    "actions_open_by_age": _actions_open_older,
    "actions_overdue": lambda p: {JAN: (0, 1), FEB: (1, 1), MAR: (1, 1), Q1: (1, 1)}[p],
    "follow_up_on_time_rate": lambda p: {
        JAN: (None, 0),
        FEB: (50.0, 2),
        MAR: (0.0, 1),
        Q1: (33.3, 3),
    }[p],
    "follow_ups_overdue": lambda p: (1, 1),
    # This data has no place (QR code or kiosk), so the place metrics have no base here;
    # tests/places/test_public.py computes them by hand on walk-in answers.
    "place_nps": lambda p: (None, 0),
    "place_csat": lambda p: (None, 0),
    "place_driver_share": lambda p: (None, 0),
}


# --- The data in the portal ----------------------------------------------------------------


@pytest.fixture
def data(front_desk, front_desk_head, housekeeping, housekeeping_head):
    seg_a, seg_b = SegmentFactory(code="seg-a"), SegmentFactory(code="seg-b")
    survey = published_survey(code="hand")
    Question.objects.filter(version=survey, code="nps").update(required=False)
    draft = survey_services.version_draft_get_or_create(survey=survey.survey)
    survey_services.question_create(
        version=draft, code="ces", kind=Question.Kind.CES, text_en="Easy?"
    )
    wave = running_wave(survey_services.version_publish(version=draft))
    people = {
        "a1": CustomerFactory(segment=seg_a),
        "m": CustomerFactory(segment=seg_a),
        "b1": CustomerFactory(segment=seg_b),
    }
    segments = {"seg-a": seg_a, "seg-b": seg_b}
    topic = TopicFactory()
    events = sorted(
        [("answer", a[2], a) for a in ANSWERS]
        + [("unanswered", u[2], u) for u in UNANSWERED]
        + [("purchase", p[3], p) for p in PURCHASES]
        + [("complaint", c[2], c) for c in COMPLAINTS],
        key=lambda e: e[1],
    )
    for n, (kind, moment, row) in enumerate(events):
        customer = people[row[0]]
        if customer.segment.code != row[1]:
            # The customer moves segment (the mover, between January and February).
            customer.segment = segments[row[1]]
            customer.save()
        if kind == "answer":
            draft_answers = {
                k: v
                for k, v in zip(("nps", "csat", "ces", "driver"), row[3:], strict=True)
                if v is not None
            }
            response = answered(wave, draft_answers, customer=customer, submitted_at=moment)
            Invitation.objects.filter(pk=response.invitation_id).update(
                sent_at=moment - dt.timedelta(hours=2)
            )
        elif kind == "unanswered":
            Invitation.objects.create(
                wave=wave,
                customer=customer,
                trigger_ref=f"u{n}",
                state=row[3],
                scheduled_at=moment,
                sent_at=moment,
            )
        elif kind == "purchase":
            Purchase.objects.create(
                external_id=f"L{n}",
                customer=customer,
                product="Bread",
                amount=Decimal("2.00"),
                purchased_at=moment,
                order_ref=row[2],
            )
        else:
            Complaint.objects.create(
                reference=f"C{n}",
                customer=customer,
                description="Cold",
                topic=topic,
                severity=row[3],
                department=front_desk,
                received_at=moment,
                due_at=moment + dt.timedelta(days=COMPLAINT_TARGET_DAYS[row[3]]),
                first_decided_at=row[4],
            )
    for n, (customer, opened) in enumerate(TICKETS):
        Ticket.objects.create(external_id=f"T{n}", customer=people[customer], opened_at=opened)
    _unsegmented(front_desk, verifier=housekeeping_head)
    return people


def _unsegmented(front_desk, verifier):
    DepartmentFactory(head=None)
    assert Department.objects.filter(head__isnull=False).count() == 2
    RequirementFactory(status=Requirement.Status.DEPLOYED)
    # The objective below brings its own accepted requirement; one more is proposed.
    RequirementFactory(status=Requirement.Status.PROPOSED)
    from objectives.models import Objective

    ObjectiveFactory(period_label="2026", status=Objective.Status.ACTIVE)
    S = CorrectiveAction.Status
    closed_rows = (
        (at(1, 20), at(2, 10), dt.date(2026, 2, 15), at(2, 8)),
        (at(2, 3), at(3, 5), dt.date(2026, 3, 1), at(3, 3)),
    )
    for created, closed, due, measured in closed_rows:
        action = ActionFactory(
            department=front_desk,
            status=S.CLOSED,
            due_date=due,
            verdict=CorrectiveAction.Verdict.PASS,
            verified_by=verifier,
            measured_at=measured,
        )
        CorrectiveAction.objects.filter(pk=action.pk).update(created_at=created, closed_at=closed)
    still_open = ActionFactory(department=front_desk, status=S.OPEN, due_date=dt.date(2026, 1, 31))
    CorrectiveAction.objects.filter(pk=still_open.pk).update(created_at=at(1, 5))
    FollowUpCase.objects.all().delete()  # the alert rules' cases, due after the test ends
    responses = list(Response.objects.order_by("submitted_at")[:3])
    for response, due, closed in zip(
        responses, (at(2, 10), at(2, 20), at(3, 3)), (at(2, 9), at(2, 25), None), strict=True
    ):
        FollowUpCase.objects.create(
            response=response,
            customer=response.customer,
            reason="Unhappy",
            due_at=due,
            closed_at=closed,
            state=FollowUpCase.State.RESOLVED if closed else FollowUpCase.State.NEW,
        )


# --- The comparisons -------------------------------------------------------------------


def _cases():
    for metric in registry.all():
        segments = (
            SEGMENTS
            if "segment" in metric.parameters and metric.key not in ("requirements_deployed_share",)
            else ("",)
        )
        extra = [{}]
        if metric.key == "complaint_rate":
            extra = [{}, {"per": "customers"}]
        for period in PERIODS:
            for segment in segments:
                for params in extra:
                    yield metric.key, period, segment, params


def _as_pair(value):
    number = None if value.value is None else round(float(value.value), 2)
    return number, value.n


def test_every_registered_metric_has_a_hand_calculation():
    computed_here = {
        "nps",
        "csat",
        "ces",
        "driver_share",
        "response_rate",
        "repeat_purchase_rate",
        "complaint_rate",
        "complaint_response_compliance",
        "customer_retention",
        "ticket_volume",
        *HAND_UNSEGMENTED,
    }
    assert {m.key for m in registry.all()} == computed_here


def test_the_registry_matches_the_hand_calculation(data):
    mismatches = []
    for key, period, segment, params in _cases():
        filters = dict(params, **({"segment": segment} if segment else {}))
        got = _as_pair(registry.compute(key, period=period, **filters))
        want = hand(key, period, segment, **params)
        want = (None if want[0] is None else round(float(want[0]), 2), want[1])
        if got != want:
            mismatches.append((key, str(period), segment, params, got, want))
    assert mismatches == []


def test_the_api_matches_the_hand_calculation(data, api_client_for, viewer):
    api = api_client_for(viewer)
    mismatches = []
    for key, period, segment, params in _cases():
        label = {JAN: "2026-01", FEB: "2026-02", MAR: "2026-03", Q1: "2026-Q1"}[period]
        query = {"period": label, **params, **({"segment": segment} if segment else {})}
        body = api.get(f"/api/metrics/{key}/value/", query).json()
        want = hand(key, period, segment, **params)
        want = (None if want[0] is None else round(float(want[0]), 2), want[1])
        got = (None if body["value"] is None else round(body["value"], 2), body["n"])
        if got != want:
            mismatches.append((key, label, segment, params, got, want))
    assert mismatches == []


def test_the_dashboard_matches_the_hand_calculation(data, client_for, quality_manager):
    mismatches = []
    for period in PERIODS:
        for segment in SEGMENTS:
            for tile in dashboard.tiles_for(period=period, segment=segment):
                if not tile.available:
                    continue
                metric = registry.get(tile.tile.metric)
                used = (
                    segment if tile.tile.segment_filter and "segment" in metric.parameters else ""
                )
                want = hand(tile.tile.metric, period, used, **tile.tile.params)
                want = (None if want[0] is None else round(float(want[0]), 2), want[1])
                if _as_pair(tile.value) != want:
                    mismatches.append(
                        (tile.tile.key, str(period), segment, _as_pair(tile.value), want)
                    )
    assert mismatches == []
    # The page shows the tile's number: NPS of segment B in February (one promoter).
    DashboardSettings.objects.all().delete()
    DashboardSettings.objects.create(min_n=1, at_risk_margin_pct=10)
    page = client_for(quality_manager).get("/", {"period": "2026-02", "segment": "seg-b"})
    html = page.content.decode()
    tile = html.split('data-tile="nps"')[1].split('data-tile="csat"')[0]
    assert "100.0" in tile and "n = 1" in tile


def test_a_customer_moving_segment_keeps_earlier_events_in_the_old_segment(data):
    """The mover bought, answered, was invited and complained in A in January and in B
    since February: every metric counts each event in the segment it happened in."""
    mover = data["m"]
    assert mover.segment.code == "seg-b"
    assert hand_scores(JAN, "seg-a")["nps"] == (0.0, 2)
    assert _as_pair(registry.compute("nps", period=JAN, segment="seg-a")) == (0.0, 2)
    assert _as_pair(registry.compute("response_rate", period=JAN, segment="seg-a")) == (50.0, 4)
    assert _as_pair(registry.compute("repeat_purchase_rate", period=JAN, segment="seg-a")) == (
        50.0,
        2,
    )
    assert _as_pair(registry.compute("complaint_rate", period=JAN, segment="seg-a")) == (333.33, 3)
    assert Invitation.objects.filter(customer=mover, segment__code="seg-a").count() == 2
    assert Purchase.objects.filter(customer=mover, segment__code="seg-a").count() == 2
    assert Complaint.objects.get(customer=mover, received_at=at(1, 21)).segment.code == "seg-a"


def test_orders_are_counted_once_whatever_their_lines(data):
    # January: O1 (2 lines), a1's line of 20 Jan, the mover's two lines of one moment.
    assert hand_complaint_rate(JAN, "", "orders") == (333.33, 3)
    assert _as_pair(registry.compute("complaint_rate", period=JAN)) == (333.33, 3)
    assert Purchase.objects.filter(purchased_at__month=1).count() == 5
