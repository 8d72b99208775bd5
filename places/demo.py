"""The places' part of the demo organisation (loaded after satisfaction's surveys):

- the restaurant's tables carry the dining survey's QR code; among the diners who
  answered there unhappy, "excessively long queuing time" is named by 40 %;
- the hotel's front desk collects the hotel survey (its kiosk is the tablet at the exit);
- a short burst from one phone at the restaurant is held as suspect, for a person to
  accept or reject.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from qms.models import Department, User
from surveys.models import SurveyVersion

from . import receipts, services
from .models import Collector, Place

# 10 unhappy diners name these drivers -> queue 4 of 10 = 40 %.
DRIVER_PLAN = ["queue"] * 4 + ["food"] * 2 + ["service"] * 2 + ["price", "clean"]


def _version(code: str) -> SurveyVersion | None:
    return (
        SurveyVersion.objects.filter(survey__code=code, status=SurveyVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def _place(name, department, segment_code, description, counter) -> Place:
    from customers.models import Segment

    place = Place.objects.filter(name=name, department=department).first()
    if place is None:
        place = services.place_create(
            name=name,
            department=department,
            segment=Segment.objects.filter(code=segment_code).first(),
            description=description,
        )
        counter[0] += 1
    return place


def _collector(place, version, owner, counter) -> tuple[Collector, bool]:
    collector = place.collectors.filter(survey_version=version).first()
    if collector is not None:
        return collector, False
    counter[0] += 1
    return services.collector_create(place=place, survey_version=version, created_by=owner), True


def load(*, stdout) -> int:
    counter = [0]
    kitchen = Department.objects.filter(code="KT").first()
    front_desk = Department.objects.filter(code="FD").first()
    restaurant_version, hotel_version = _version("restaurant-dining"), _version("hotel-stay")
    if not (kitchen and front_desk and restaurant_version and hotel_version):
        return 0
    owner = User.objects.filter(username="quality").first()
    with transaction.atomic():
        tables = _place(
            "Restaurant tables 1-20",
            kitchen,
            "restaurant-diners",
            "A QR code on every table tent.",
            counter,
        )
        collector, created = _collector(tables, restaurant_version, owner, counter)
        if created:
            _restaurant_answers(collector, counter)
        desk = _place(
            "Hotel front desk",
            front_desk,
            "hotel-guests",
            "A tablet at the exit and a poster at the desk.",
            counter,
        )
        collector, created = _collector(desk, hotel_version, owner, counter)
        if created:
            _hotel_answers(collector, counter)
            services.kiosk_issue(collector=collector, name="Tablet at the exit", issued_by=owner)
            counter[0] += 1
        takeaway = _place(
            "Restaurant takeaway counter",
            kitchen,
            "restaurant-diners",
            "Receipts print a code to answer the survey once.",
            counter,
        )
        collector, created = _collector(takeaway, restaurant_version, owner, counter)
        if created:
            Collector.objects.filter(pk=collector.pk).update(receipt_required=True, receipt_days=14)
            collector.refresh_from_db()
            receipts.receipt_batch_issue(collector=collector, size=20, created_by=owner)
            services.kiosk_issue(collector=collector, name="Tablet by the till", issued_by=owner)
            counter[0] += 22
    return counter[0]


def _restaurant_answers(collector, counter) -> None:
    rng = random.Random("places-restaurant")
    now = timezone.now()
    for n in range(40):
        when = now - dt.timedelta(days=20 - n // 2, hours=rng.randint(0, 5))
        if n < 10:
            draft = {
                "nps": rng.choice([2, 3, 4, 5, 6]),
                "csat": rng.choice([1, 2, 3]),
                "driver": DRIVER_PLAN[n],
            }
            if n in (0, 3):
                draft["comment"] = "We queued for half an hour at the door."
        else:
            draft = {"nps": rng.choice([8, 9, 9, 10, 10]), "csat": rng.choice([4, 5, 5])}
        contact = {}
        if n == 0:
            contact = {"consent": True, "name": "Walk-in diner", "email": "diner@example.com"}
        services.place_submit(
            collector=collector,
            draft=draft,
            language="zh-hans" if n % 3 == 0 else "en",
            contact=contact,
            address=services.address_key(f"192.0.2.{n}"),
            now=when,
        )
        counter[0] += 1
    # A burst from one phone a few minutes ago: held as suspect.
    burst = services.address_key("198.51.100.7")
    for n in range(6):
        services.place_submit(
            collector=collector,
            draft={"nps": 10, "csat": 5},
            language="en",
            address=burst,
            now=now - dt.timedelta(minutes=6 - n),
        )
        counter[0] += 1


def _hotel_answers(collector, counter) -> None:
    rng = random.Random("places-hotel")
    now = timezone.now()
    for n in range(12):
        score = rng.choice([3, 6, 8, 9, 10, 10])
        draft = {"nps": score}
        if score <= 6:
            draft["driver"] = rng.choice(["checkin", "noise"])
        services.place_submit(
            collector=collector,
            draft=draft,
            language="en",
            address=services.address_key(f"203.0.113.{n}"),
            now=now - dt.timedelta(days=n, hours=2),
        )
        counter[0] += 1
