"""Factories for objectives tests (and the few customers rows they need)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from objectives.models import CheckIn, KeyResult, Objective
from objectives.services import HEALTH_COLUMNS, objectives_health_store, period_parse
from requirements.models import Requirement
from tests.customers.factories import SegmentFactory  # noqa: F401 - shared
from tests.factories import DepartmentFactory, QualityManagerFactory, UserFactory


def this_year() -> str:
    return str(timezone.localdate().year)


class RequirementFactory(DjangoModelFactory):
    class Meta:
        model = Requirement

    title = factory.Sequence(lambda n: f"Customer need {n}")
    kind = Requirement.Kind.STATED
    status = Requirement.Status.ACCEPTED


class ObjectiveFactory(DjangoModelFactory):
    """An organisation objective serving one accepted requirement."""

    class Meta:
        model = Objective
        skip_postgeneration_save = True

    period_label = factory.LazyFunction(this_year)
    period_start = factory.LazyAttribute(lambda o: period_parse(o.period_label)[1])
    period_end = factory.LazyAttribute(lambda o: period_parse(o.period_label)[2])
    level = Objective.Level.ORGANISATION
    owner = factory.SubFactory(QualityManagerFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    checkin_interval = "monthly"
    last_checkin_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def requirements(obj, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None and obj.level == Objective.Level.ORGANISATION:
            extracted = [RequirementFactory()]
        if extracted:
            obj.requirements.set(extracted)

    @factory.post_generation
    def stored_health(obj, create, extracted, **kwargs):
        # The services store health on every write; rows made here do the same.
        if create:
            objectives_health_store([obj.pk])
            obj.refresh_from_db(fields=HEALTH_COLUMNS)


class DepartmentObjectiveFactory(ObjectiveFactory):
    level = Objective.Level.DEPARTMENT
    department = factory.SubFactory(DepartmentFactory)
    parent = factory.SubFactory(
        ObjectiveFactory, period_label=factory.SelfAttribute("..period_label")
    )
    owner = factory.SubFactory(UserFactory)


class KeyResultFactory(DjangoModelFactory):
    class Meta:
        model = KeyResult
        skip_postgeneration_save = True

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Key result {n}")
    mode = KeyResult.Mode.MANUAL
    direction = KeyResult.Direction.INCREASE
    baseline = Decimal("0")
    target = Decimal("100")

    @factory.post_generation
    def stored_health(obj, create, extracted, **kwargs):
        if create:
            objectives_health_store([obj.objective_id])


class CheckInFactory(DjangoModelFactory):
    class Meta:
        model = CheckIn

    key_result = factory.SubFactory(KeyResultFactory)
    value = Decimal("10")
    at = factory.LazyFunction(timezone.now)


def days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)
