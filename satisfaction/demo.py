"""This app's part of the demo organisation, loaded by `manage.py load_demo` after the
apps to its left. Idempotent: everything is found by a natural key (topic slug, segment
code, customer external reference, survey code, wave name) and created only if missing.

The guide's restaurant example comes out of it: among dissatisfied diners, "excessively
long queuing time" is named by 40 %.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from customers.models import Consent, Customer, Segment, Topic
from qms.models import User
from surveys import library
from surveys import services as survey_services
from surveys.models import Choice, Question, Survey, SurveyVersion

from .models import Answer, FollowUpCase, Invitation, Response, Wave

TOPICS = {
    "queue-time": "Queue time",
    "food-quality": "Food quality",
    "staff-attitude": "Staff attitude",
    "price": "Price",
    "cleanliness": "Cleanliness",
    "checkout-wait": "Checkout waiting time",
    "check-in-wait": "Check-in waiting time",
    "room-noise": "Room noise",
}

SEGMENTS = {
    "restaurant-diners": "Restaurant diners",
    "retail-shoppers": "Retail shoppers",
    "hotel-guests": "Hotel guests",
}

# (code, English, Chinese, topic slug)
RESTAURANT_DRIVERS = [
    ("queue", "Excessively long queuing time", "排队时间过长", "queue-time"),
    ("food", "Food quality", "菜品质量", "food-quality"),
    ("service", "Staff attitude", "服务态度", "staff-attitude"),
    ("price", "Price", "价格", "price"),
    ("clean", "Cleanliness", "卫生", "cleanliness"),
]
# Per wave: 10 dissatisfied diners name these drivers -> queue 4 of 10 = 40 %.
RESTAURANT_DRIVER_PLAN = ["queue"] * 4 + ["food"] * 2 + ["service"] * 2 + ["price", "clean"]

RETAIL_DRIVERS = [
    ("checkout", "Checkout waiting time", "结账等候时间", "checkout-wait"),
    ("clean", "Store cleanliness", "店内卫生", "cleanliness"),
    ("staff", "Staff friendliness", "员工友好程度", "staff-attitude"),
]
HOTEL_DRIVERS = [
    ("checkin", "Waiting at check-in", "入住等候", "check-in-wait"),
    ("noise", "Noise in the room", "房间噪音", "room-noise"),
    ("clean", "Room cleanliness", "房间卫生", "cleanliness"),
]


class _Counter:
    def __init__(self):
        self.created = 0

    def add(self, n=1):
        self.created += n


def load(*, stdout) -> int:
    """Create what is missing; return the number of rows created."""
    counter = _Counter()
    with transaction.atomic():
        topics = {slug: _topic(slug, name, counter) for slug, name in TOPICS.items()}
        segments = {code: _segment(code, name, counter) for code, name in SEGMENTS.items()}
        owner = User.objects.filter(username="quality").first()
        frontdesk = User.objects.filter(username="frontdesk").first()
        diners = _customers("SAT-DINER", 60, segments["restaurant-diners"], counter, owner)
        shoppers = _customers("SAT-SHOP", 30, segments["retail-shoppers"], counter, owner)
        guests = _customers("SAT-GUEST", 20, segments["hotel-guests"], counter, frontdesk)

        restaurant = _survey(
            code="restaurant-dining",
            title=("Restaurant dining experience", "餐厅用餐体验"),
            purpose=Survey.Purpose.RELATIONSHIP,
            intro=(
                "Thank you for dining with us. Two minutes of your time helps us improve.",
                "感谢您的光临。只需两分钟，帮助我们做得更好。",
            ),
            score_kind=Question.Kind.NPS,
            drivers=RESTAURANT_DRIVERS,
            topics=topics,
            counter=counter,
            with_csat=True,
        )
        _alert_rules(restaurant, counter)
        now = timezone.now()
        for months_ago in (3, 2, 1):
            _restaurant_wave(restaurant, diners, now, months_ago, counter)

        retail = _survey(
            code="retail-shopping",
            title=("Shopping experience", "购物体验"),
            purpose=Survey.Purpose.TRANSACTIONAL,
            intro=("How was your visit to our store?", "您对本次购物满意吗？"),
            score_kind=Question.Kind.CSAT,
            drivers=RETAIL_DRIVERS,
            topics=topics,
            counter=counter,
        )
        _alert_rules(retail, counter)
        _simple_wave(
            retail,
            "Shoppers — last month",
            shoppers,
            now - dt.timedelta(days=40),
            counter,
            # CSAT per shopper: 18 satisfied (4-5), 7 not; 5 non-responders.
            scores=[5] * 9 + [4] * 9 + [3] * 3 + [2] * 2 + [1] * 2,
            kind=Question.Kind.CSAT,
            driver_plan=["checkout"] * 4 + ["clean", "staff", "staff"],
        )

        hotel = _survey(
            code="hotel-stay",
            title=("Hotel stay", "酒店入住体验"),
            purpose=Survey.Purpose.TRANSACTIONAL,
            intro=("How was your stay?", "您对本次入住满意吗？"),
            score_kind=Question.Kind.NPS,
            drivers=HOTEL_DRIVERS,
            topics=topics,
            counter=counter,
            with_ces=True,
        )
        _alert_rules(hotel, counter)
        _simple_wave(
            hotel,
            "Hotel stays (after check-out)",
            guests,
            now - dt.timedelta(days=20),
            counter,
            scores=[10, 9, 9, 10, 8, 7, 9, 10, 3, 5, 6, 2, 9, 10, 8],
            kind=Question.Kind.NPS,
            driver_plan=["checkin", "checkin", "noise", "clean"],
            transactional=True,
        )
        # Closing a complaint invites the guest to the stay survey a day later.
        after_complaint, created = _new_wave(
            hotel,
            "After a complaint is closed",
            now - dt.timedelta(days=20),
            None,
            counter,
            kind=Wave.Kind.TRANSACTIONAL,
        )
        if created:
            Wave.objects.filter(pk=after_complaint.pk).update(
                trigger=Wave.Trigger.COMPLAINT_CLOSED, trigger_delay_hours=24
            )
    stdout.write(f"satisfaction: {counter.created} rows created\n")
    return counter.created


def _topic(slug, name, counter) -> Topic:
    topic, created = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
    counter.add(created)
    return topic


def _segment(code, name, counter) -> Segment:
    segment, created = Segment.objects.get_or_create(code=code, defaults={"name": name})
    counter.add(created)
    return segment


def _customers(prefix, count, segment, counter, owner) -> list[Customer]:
    result = []
    for n in range(1, count + 1):
        ref = f"{prefix}-{n:03d}"
        customer, created = Customer.objects.get_or_create(
            external_ref=ref,
            defaults={
                "name": f"{segment.name[:-1]} {n}",
                "segment": segment,
                "email": f"{ref.lower()}@example.com",
                "language": "zh-hans" if n % 4 == 0 else "en",
                "account_owner": owner if n % 3 == 0 else None,
            },
        )
        counter.add(created)
        _consent, created = Consent.objects.get_or_create(
            customer=customer,
            channel=Consent.Channel.SURVEYS,
            defaults={
                "granted": True,
                "recorded_at": timezone.now(),
                "method": Consent.Method.WEB_FORM,
            },
        )
        counter.add(created)
        result.append(customer)
    return result


def _survey(
    *,
    code,
    title,
    purpose,
    intro,
    score_kind,
    drivers,
    topics,
    counter,
    with_csat=False,
    with_ces=False,
) -> SurveyVersion:
    survey, created = Survey.objects.get_or_create(
        code=code,
        defaults={
            "title": title[0],
            "title_zh_hans": title[1],
            "languages": Survey.Languages.BOTH,
            "purpose": purpose,
        },
    )
    counter.add(created)
    version, created = SurveyVersion.objects.get_or_create(
        survey=survey,
        number=1,
        defaults={
            "status": SurveyVersion.Status.PUBLISHED,
            "published_at": timezone.now(),
            "intro_en": intro[0],
            "intro_zh_hans": intro[1],
            # The thank-you text and the invitation and reminder e-mails, both languages.
            **library.standard_texts(title[0], title[1]),
        },
    )
    counter.add(created)
    if not created:
        return version
    position = 0

    def question(code, kind, en, zh, **extra):
        nonlocal position
        position += 1
        counter.add()
        return Question.objects.create(
            version=version,
            code=code,
            kind=kind,
            position=position,
            text_en=en,
            text_zh_hans=zh,
            **extra,
        )

    if score_kind == Question.Kind.NPS:
        score = question(
            "nps",
            Question.Kind.NPS,
            "How likely are you to recommend us to a friend?",
            "您向朋友推荐我们的可能性有多大？",
            required=True,
        )
        unhappy = list(range(0, 7))
    else:
        score = question(
            "csat",
            Question.Kind.CSAT,
            "How satisfied are you with your shopping experience?",
            "您对本次购物体验的满意程度如何？",
            required=True,
        )
        unhappy = [1, 2, 3]
    if with_csat:
        question(
            "csat",
            Question.Kind.CSAT,
            "How satisfied are you with your visit overall?",
            "您对本次用餐的总体满意程度如何？",
        )
    if with_ces:
        question(
            "effort",
            Question.Kind.CES,
            "How easy was it to check in and out?",
            "办理入住和退房是否方便？",
        )
    driver = question(
        "driver",
        Question.Kind.DRIVER,
        "What disappointed you most?",
        "最让您失望的是什么？",
        show_if_question=score,
        show_if_values=unhappy,
    )
    for pos, (choice_code, en, zh, slug) in enumerate(drivers, start=1):
        Choice.objects.create(
            question=driver,
            code=choice_code,
            position=pos,
            text_en=en,
            text_zh_hans=zh,
            topic=topics[slug],
        )
        counter.add()
    question(
        "contact",
        Question.Kind.CONSENT,
        "May we contact you about your answers?",
        "我们可以就您的回答与您联系吗？",
    )
    question(
        "comment", Question.Kind.TEXT, "Anything else you want to tell us?", "还有其他意见吗？"
    )
    return version


def _alert_rules(version, counter) -> None:
    """The default alert rules (NPS at most 6, CSAT at most 2, any driver chosen), as a
    survey published on the page gets them; nothing if the survey has or had rules."""
    created = survey_services.alert_rules_seed_defaults(
        survey=version.survey, questions=version.questions.order_by("position", "id")
    )
    counter.add(len(created))


def _new_wave(version, name, start, segment, counter, kind=Wave.Kind.ONE_OFF):
    wave, created = Wave.objects.get_or_create(
        survey_version=version,
        name=name,
        defaults={
            "kind": kind,
            "segment": segment,
            "starts_at": start,
            "status": Wave.Status.RUNNING
            if kind == Wave.Kind.TRANSACTIONAL
            else Wave.Status.CLOSED,
            "started_at": start,
            "closed_at": None if kind == Wave.Kind.TRANSACTIONAL else start + dt.timedelta(days=15),
        },
    )
    counter.add(created)
    return wave, created


def _restaurant_wave(version, diners, now, months_ago, counter):
    start = (now - dt.timedelta(days=30 * months_ago)).replace(hour=10, minute=0, second=0)
    name = f"Restaurant diners — {start:%B %Y}"
    wave, created = _new_wave(version, name, start, diners[0].segment, counter)
    if not created:
        return
    rng = random.Random(f"restaurant-{months_ago}")
    # 60 invited, 48 answer: 10 dissatisfied (NPS 0-6) who each name a driver,
    # 38 satisfied; the trend improves a little each month.
    happy_scores = [10, 9, 9, 8, 10, 7, 9, 8]
    plan = []
    for n in range(48):
        if n < 10:
            plan.append(
                {
                    "nps": rng.choice([2, 3, 4, 5, 6]),
                    "csat": rng.choice([1, 2, 3]),
                    "driver": RESTAURANT_DRIVER_PLAN[n],
                    "contact": 1 if n % 2 == 0 else 0,
                    "comment": [
                        "We waited forty minutes for a table.",
                        "The queue at the door was far too long.",
                        "Dishes arrived cold.",
                        "Waiter was rude when we asked about the wait.",
                        "",
                    ][n % 5],
                }
            )
        else:
            plan.append(
                {
                    "nps": happy_scores[(n + months_ago) % len(happy_scores)],
                    "csat": rng.choice([4, 5, 5]),
                    "comment": "Lovely evening." if n % 9 == 0 else "",
                }
            )
    _populate(wave, version, diners, plan, start, counter)


def _simple_wave(
    version, name, customers, start, counter, *, scores, kind, driver_plan, transactional=False
):
    wave, created = _new_wave(
        version,
        name,
        start,
        customers[0].segment,
        counter,
        kind=Wave.Kind.TRANSACTIONAL if transactional else Wave.Kind.ONE_OFF,
    )
    if not created:
        return
    unhappy_limit = 6 if kind == Question.Kind.NPS else 3
    code = "nps" if kind == Question.Kind.NPS else "csat"
    plan = []
    drivers = iter(driver_plan)
    for n, score in enumerate(scores):
        answers = {code: score}
        if score <= unhappy_limit:
            driver = next(drivers, None)
            if driver:
                answers["driver"] = driver
            answers["contact"] = 1
        if kind == Question.Kind.NPS and transactional:
            answers["effort"] = 6 if score >= 7 else 3
        if n % 5 == 0:
            answers["comment"] = "Check-in took too long." if score <= 6 else "Great stay."
        plan.append(answers)
    _populate(wave, version, customers, plan, start, counter)


def _populate(wave, version, customers, plan, start, counter):
    """Invitations for every customer, responses for the first len(plan), written in
    bulk (the demo does not send e-mails or open a follow-up for every detractor)."""
    questions = {q.code: q for q in version.questions.prefetch_related("choices")}
    expires = start + dt.timedelta(days=14)
    invitations = []
    for n, customer in enumerate(customers):
        answered = n < len(plan)
        invitations.append(
            Invitation(
                wave=wave,
                customer=customer,
                segment_id=customer.segment_id,
                language=customer.language,
                state=Invitation.State.COMPLETED if answered else Invitation.State.EXPIRED,
                scheduled_at=start,
                sent_at=start,
                opened_at=start + dt.timedelta(hours=2) if answered else None,
                started_at=start + dt.timedelta(hours=2) if answered else None,
                completed_at=start + dt.timedelta(hours=2, minutes=3) if answered else None,
                expired_at=None if answered else expires,
                expires_at=expires,
            )
        )
    invitations = Invitation.objects.bulk_create(invitations)
    counter.add(len(invitations))
    sent_times = [i.sent_at for i in invitations if i.sent_at]
    Wave.objects.filter(pk=wave.pk).update(
        sent_count=len(invitations),
        first_sent_at=min(sent_times, default=None),
        last_sent_at=max(sent_times, default=None),
    )
    responses = []
    for n, answers in enumerate(plan):
        invitation = invitations[n]
        dissatisfied = answers.get("nps", 10) <= 6 or answers.get("csat", 5) <= 3
        responses.append(
            Response(
                invitation=invitation,
                wave=wave,
                survey=version.survey,
                version=version,
                customer=invitation.customer,
                segment=invitation.customer.segment,
                language=invitation.language,
                submitted_at=start + dt.timedelta(days=n % 10, hours=2),
                dissatisfied=dissatisfied,
                may_contact=answers.get("contact") == 1,
            )
        )
    responses = Response.objects.bulk_create(responses)
    counter.add(len(responses))
    rows = []
    for response, answers in zip(responses, plan, strict=True):
        for code, value in answers.items():
            if value in ("", None):
                continue
            question = questions[code]
            base = {
                "response": response,
                "question": question,
                "survey": version.survey,
                "wave": wave,
                "segment": response.segment,
                "question_code": code,
                "kind": question.kind,
                "submitted_at": response.submitted_at,
                "dissatisfied": response.dissatisfied,
            }
            if question.kind == Question.Kind.DRIVER:
                choice = next(c for c in question.choices.all() if c.code == value)
                rows.append(Answer(**base, choice=choice, topic_id=choice.topic_id))
            elif question.kind == Question.Kind.TEXT:
                rows.append(Answer(**base, value_text=value))
            else:
                rows.append(Answer(**base, value_int=value))
    Answer.objects.bulk_create(rows)
    counter.add(len(rows))
    # A few follow-up cases for the latest detractors who agreed to be contacted.
    for response in [r for r in responses if r.dissatisfied and r.may_contact][:2]:
        owner = response.customer.account_owner or User.objects.filter(username="quality").first()
        FollowUpCase.objects.create(
            response=response,
            customer=response.customer,
            owner=owner,
            reason="NPS or satisfaction low; driver named",
            due_at=response.submitted_at + dt.timedelta(hours=48),
            state=FollowUpCase.State.RESOLVED,
            closed_at=response.submitted_at + dt.timedelta(hours=20),
            note="Called the customer, apologised and offered a priority table.",
        )
        counter.add()
