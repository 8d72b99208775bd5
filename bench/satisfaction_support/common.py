"""Shared set-up for the satisfaction benchmarks: Django with the test settings (DEBUG
off) against the database in DATABASE_URL, migrated. Not part of the test run."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def setup(settings_module: str = "qms.settings.test"):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return settings


def published_bench_survey(code: str):
    """A published survey (nps, csat, driver, comment) for the benchmarks."""
    from customers.models import Topic
    from surveys import services as survey_services
    from surveys.models import Question, Survey

    survey = Survey.objects.filter(code=code).first()
    if survey is not None:
        return survey.versions.get(number=1)
    survey = survey_services.survey_create(title=f"Bench {code}", code=code)
    version = survey.versions.get()
    nps = survey_services.question_create(
        version=version, code="nps", kind=Question.Kind.NPS, text_en="Recommend?", required=True
    )
    survey_services.question_create(
        version=version, code="csat", kind=Question.Kind.CSAT, text_en="S?"
    )
    topics = [
        Topic.objects.get_or_create(slug=slug, defaults={"name": slug})[0]
        for slug in ("queue-time", "food-quality", "price")
    ]
    survey_services.question_create(
        version=version,
        code="driver",
        kind=Question.Kind.DRIVER,
        text_en="Why?",
        show_if_question=nps,
        show_if_values=list(range(7)),
        choices=[{"code": t.slug, "text_en": t.slug, "topic": t} for t in topics],
    )
    survey_services.question_create(
        version=version, code="comment", kind=Question.Kind.TEXT, text_en="?"
    )
    return survey_services.version_publish(version=version)


def ensure_customers(prefix: str, count: int, segment_code: str):
    """`count` active customers with consent in a segment (created once, reused)."""
    from django.utils import timezone

    from customers.models import Consent, Customer, Segment

    segment, _ = Segment.objects.get_or_create(code=segment_code, defaults={"name": segment_code})
    have = Customer.objects.filter(segment=segment).count()
    if have >= count:
        return segment
    now = timezone.now()
    batch = []
    for n in range(have, count):
        batch.append(
            Customer(
                name=f"{prefix} {n}",
                external_ref=f"{prefix}-{n}",
                email=f"{prefix.lower()}-{n}@example.com",
                segment=segment,
                language="zh-hans" if n % 5 == 0 else "en",
            )
        )
        if len(batch) == 5000:
            _flush(batch, Consent, now)
            batch = []
    if batch:
        _flush(batch, Consent, now)
    return segment


def _flush(batch, Consent, now):
    from customers.models import Customer

    created = Customer.objects.bulk_create(batch)
    Consent.objects.bulk_create(
        Consent(customer=c, channel="surveys", granted=True, recorded_at=now, method="import")
        for c in created
    )
