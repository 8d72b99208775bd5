"""Factories and builders for the corrective-action tests."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from actions import services
from actions.models import CorrectiveAction, Measure
from tests.factories import DepartmentFactory, UserFactory


class ActionFactory(DjangoModelFactory):
    """A bare action row (no transition log); use `open_action` for the real service."""

    class Meta:
        model = CorrectiveAction

    reference = factory.Sequence(lambda n: f"CA-2026-{n + 9000:04d}")
    title = factory.Sequence(lambda n: f"Action {n}")
    department = factory.SubFactory(DepartmentFactory)
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    current_due_date = factory.LazyAttribute(lambda o: o.due_date)


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    action = factory.SubFactory(ActionFactory)
    title = factory.Sequence(lambda n: f"Measure {n}")
    owner = factory.SubFactory(UserFactory)
    department = factory.LazyAttribute(lambda o: o.action.department)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))


def open_action(*, actor, department, owner, due_in_days=30, **extra):
    return services.action_create(
        actor=actor,
        title=extra.pop("title", "Guests wait too long"),
        department=department,
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
        **extra,
    )


def advance(
    action,
    *,
    actor,
    to,
    measure_owner=None,
    metric_key="ticket_volume",
    target=-50,
    params=None,
    windows=None,
    implemented_by=None,
):
    """Drive an action through the workflow with valid data up to status `to`."""
    order = [
        "containment",
        "root_cause",
        "planned",
        "implementing",
        "effectiveness_check",
    ]
    today = timezone.localdate()
    action.refresh_from_db()
    if action.status in order:
        order = order[order.index(action.status) + 1 :]
    for step in order:
        if step == "root_cause":
            services.containment_record(actor=actor, action=action, containment="Hold the line.")
        if step == "planned":
            services.root_cause_record(
                actor=actor, action=action, method="five_whys", whys=["Why?"], statement="Cause."
            )
        if step == "implementing":
            services.measure_add(
                actor=actor,
                action=action,
                title="Fix it",
                owner=measure_owner or action.owner,
                department=action.department,
                due_date=today + dt.timedelta(days=10),
            )
            b0, b1, f0, f1 = windows or (
                today - dt.timedelta(days=60),
                today - dt.timedelta(days=31),
                today - dt.timedelta(days=30),
                today - dt.timedelta(days=1),
            )
            services.criterion_set(
                actor=actor,
                action=action,
                baseline_start=b0,
                baseline_end=b1,
                followup_start=f0,
                followup_end=f1,
                min_n=2,
            )
            services.criterion_add(
                actor=actor,
                action=action,
                metric_key=metric_key,
                metric_params=params or {},
                target_change_pct=Decimal(target),
            )
        if step == "effectiveness_check":
            for measure in action.measures.all():
                services.measure_set_status(actor=actor, measure=measure, status="done")
        services.action_transition(
            actor=actor,
            action=action,
            to=step,
            implemented_by=implemented_by if step == "effectiveness_check" else None,
        )
        action.refresh_from_db()
        if step == to:
            return action
    return action


def make_complaint(*, department, topic=None, description="Waited 40 minutes for a table"):
    """A complaint registered through the CRM's intake service."""
    from crm import services as crm_services
    from tests.customers.factories import CustomerFactory, TopicFactory

    return crm_services.complaint_intake(
        customer=CustomerFactory(),
        description=description,
        topic=topic or TopicFactory(),
        severity="medium",
        department=department,
    )
