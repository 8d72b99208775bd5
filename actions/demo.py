"""This app's part of the demo organisation: the guide's restaurant example closed end to
end (guide point 4). Idempotent by natural keys: the follow-up wave by its name, the
action by its title; a second run creates nothing and changes nothing.

Story: the restaurant survey's latest wave (satisfaction demo) shows "queue time" named
by 40 % of dissatisfied diners. The quality manager opens a corrective action from that
finding, records containment and a 5-whys root cause, and plans the three measures of the
guide. A follow-up wave two weeks later is the evidence: the effectiveness check (the
same service the `actions.check_effectiveness` scanner runs) records queue-time
complaints down 80 % and satisfaction up 25 %, verdict pass; the quality manager, who did
not implement the plan, verifies and closes it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from customers.models import Topic
from qms.models import Department, User
from satisfaction.models import Response, Wave
from surveys.models import Survey, SurveyVersion

from . import services
from .models import CorrectiveAction, Measure, SourceKind

ACTION_TITLE = "Excessively long queuing time at the restaurant"
FOLLOWUP_WAVE = "Restaurant diners — follow-up after the queue measures"
SURVEY_CODE = "restaurant-dining"

MEASURES = [
    # title, department code, owner username, days before implementation ends
    (
        "Online queue-number system: diners take a number in the app 30 minutes ahead",
        "IT",
        "frontdesk",
    ),
    ("Temporary dining area with free snacks while guests wait", "FD", "frontdesk"),
    ("Faster kitchen delivery process: average 20 → 12 minutes", "KT", "frontdesk"),
]

WHYS = [
    "Diners queue at the door at peak times (12:00-13:00, 18:30-20:00).",
    "Tables turn over slowly because dishes arrive late.",
    "The kitchen takes 20 minutes on average to deliver a dish.",
    "Orders are batched by station, not by table.",
    "The delivery process was never designed for peak load.",
]

# Follow-up wave: 48 diners answer; 13 are dissatisfied (NPS 5-6) and only 1 of them names
# the queue (1/13 = 7.7 % vs 40 %: down 81 %); every diner is satisfied overall (CSAT 4-5:
# 100 % vs 79.2 %: up 26 %).
FOLLOWUP_DRIVERS = ["queue"] + ["food"] * 4 + ["service"] * 4 + ["price"] * 2 + ["clean"] * 2


def load(*, stdout) -> int:
    """Create what is missing; return the number of rows created."""
    quality = User.objects.filter(username="quality").first()
    frontdesk = User.objects.filter(username="frontdesk").first()
    topic = Topic.objects.filter(slug="queue-time").first()
    survey = Survey.objects.filter(code=SURVEY_CODE).first()
    if not (quality and frontdesk and topic and survey):
        stdout.write("actions: the restaurant survey or the demo people are missing; skipped\n")
        return 0
    created = 0
    with transaction.atomic():
        baseline_wave = (
            # A wave that sent invitations (not a place's QR-code wave, places/demo.py).
            Wave.objects.filter(survey_version__survey=survey, sent_count__gt=0)
            .exclude(name=FOLLOWUP_WAVE)
            .order_by("-starts_at", "-id")
            .first()
        )
        if baseline_wave is None:
            stdout.write("actions: the restaurant survey has no wave; skipped\n")
            return 0
        created += _followup_wave(survey, baseline_wave)
        if not CorrectiveAction.objects.filter(title=ACTION_TITLE).exists():
            created += _restaurant_action(quality, frontdesk, topic, baseline_wave)
        created += _review_decision(quality, frontdesk)
    stdout.write(f"actions: {created} rows created\n")
    return created


REVIEW_TITLE = "Quarterly management review"
DECISION_TITLE = "Bring the restaurant's online queue number to the hotel front desk"
TRACED_NEED = "Zero-wait check-in"


def _review_decision(quality, frontdesk) -> int:
    """The management review of the quarter decides to carry the verified queue measure
    over to hotel check-in, and the decision cites the need "Zero-wait check-in" (so its
    trace reaches a review decision: issue 21)."""
    from qms import services as qms_services
    from qms.models import ManagementReview, ReviewDecision
    from qms.registry import Period
    from requirements.models import Requirement
    from requirements.services import decision_cite

    need = Requirement.objects.filter(title=TRACED_NEED).first()
    if need is None or ReviewDecision.objects.filter(title=DECISION_TITLE).exists():
        return 0
    today = timezone.localdate()
    quarter = Period.current_quarter(today)
    label = f"{quarter.start.year}-Q{(quarter.start.month - 1) // 3 + 1}"
    review = ManagementReview.objects.filter(title=REVIEW_TITLE, period_label=label).first()
    created = 0
    if review is None:
        review = qms_services.review_create(
            title=REVIEW_TITLE,
            period_label=label,
            meeting_date=today,
            chair=quality,
            attendees="Quality manager, Front desk, Housekeeping, Kitchen, IT",
        )
        created += 1
    decision = qms_services.decision_add(
        review=review,
        kind=ReviewDecision.Kind.IMPROVEMENT,
        title=DECISION_TITLE,
        owner=frontdesk,
        due_date=today + dt.timedelta(days=60),
    )
    decision_cite(actor=quality, decision=decision, requirement=need)
    return created + 2


def _window(wave) -> tuple[dt.date, dt.date]:
    row = Response.objects.filter(wave=wave).aggregate(
        first=Min("submitted_at"), last=Max("submitted_at")
    )
    tz = timezone.get_current_timezone()
    return row["first"].astimezone(tz).date(), row["last"].astimezone(tz).date()


def _followup_wave(survey, baseline_wave) -> int:
    from satisfaction.demo import _Counter, _new_wave, _populate

    if Wave.objects.filter(survey_version__survey=survey, name=FOLLOWUP_WAVE).exists():
        return 0
    version = SurveyVersion.objects.filter(survey=survey, status="published").order_by("-number")[0]
    diners = [inv.customer for inv in baseline_wave.invitations.select_related("customer")]
    start = (timezone.now() - dt.timedelta(days=14)).replace(hour=10, minute=0, second=0)
    counter = _Counter()
    wave, _created = _new_wave(version, FOLLOWUP_WAVE, start, baseline_wave.segment, counter)
    plan = []
    for n in range(48):
        if n < len(FOLLOWUP_DRIVERS):
            plan.append({"nps": 5 + n % 2, "csat": 4, "driver": FOLLOWUP_DRIVERS[n]})
        else:
            plan.append({"nps": 9 + n % 2, "csat": 5 if n % 3 else 4})
    _populate(wave, version, diners, plan, start, counter)
    return counter.created


def _restaurant_action(quality, frontdesk, topic, baseline_wave) -> int:
    departments = {d.code: d for d in Department.objects.filter(code__in=["FD", "IT", "KT"])}
    followup_wave = Wave.objects.get(name=FOLLOWUP_WAVE)
    today = timezone.localdate()
    action = services.action_create(
        actor=quality,
        title=ACTION_TITLE,
        description=(
            "Among dissatisfied diners, 40 % name excessively long queuing time as what "
            "disappointed them most (restaurant survey)."
        ),
        topic=topic,
        department=departments["FD"],
        owner=frontdesk,
        due_date=today + dt.timedelta(days=7),
        source_kind=SourceKind.SURVEY_FINDING,
        wave=baseline_wave,
        question_code="driver",
    )
    services.action_transition(actor=quality, action=action, to="containment")
    services.containment_record(
        actor=quality,
        action=action,
        containment=(
            "Host at the door at peak times hands out waiting numbers and an estimated wait; "
            "guests waiting over 20 minutes get a free drink."
        ),
    )
    services.action_transition(actor=quality, action=action, to="root_cause")
    services.root_cause_record(
        actor=quality,
        action=action,
        method=CorrectiveAction.RootCauseMethod.FIVE_WHYS,
        whys=WHYS,
        statement=(
            "Waiting is invisible to diners before they arrive, and the kitchen's delivery "
            "process (20 minutes a dish) slows table turnover at peak times."
        ),
    )
    services.action_transition(actor=quality, action=action, to="planned")
    for title, code, owner in MEASURES:
        services.measure_add(
            actor=quality,
            action=action,
            title=title,
            owner=User.objects.get(username=owner),
            department=departments.get(code) or departments["FD"],
            due_date=today,
        )
    baseline = _window(baseline_wave)
    followup = _window(followup_wave)
    services.criterion_set(
        actor=quality,
        action=action,
        baseline_start=baseline[0],
        baseline_end=baseline[1],
        followup_start=followup[0],
        followup_end=followup[1],
        min_n=10,
    )
    services.criterion_add(
        actor=quality,
        action=action,
        metric_key="driver_share",
        metric_params={"survey": SURVEY_CODE, "topic": "queue-time"},
        target_change_pct=Decimal("-80"),
    )
    services.criterion_add(
        actor=quality,
        action=action,
        metric_key="csat",
        metric_params={"survey": SURVEY_CODE},
        target_change_pct=Decimal("25"),
    )
    services.action_transition(actor=quality, action=action, to="implementing")
    for measure in action.measures.all():
        services.measure_set_status(actor=frontdesk, measure=measure, status=Measure.Status.DONE)
    services.action_transition(
        actor=quality, action=action, to="effectiveness_check", implemented_by=frontdesk
    )
    action.refresh_from_db()
    verdict = services.effectiveness_check(action=action)
    if verdict == CorrectiveAction.Verdict.PASS:
        services.action_transition(
            actor=quality,
            action=action,
            to="closed",
            note="Queue-time complaints down 80 %, satisfaction up 25 %: effect verified.",
        )
    # action, its source, 3 measures, 2 criteria
    return 7
