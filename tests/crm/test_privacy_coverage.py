"""Privacy export and erasure cover everything: every model that refers to a customer
(directly, one hop away, or through a generic link; history tables included) is claimed
by a registered part of the privacy registry, the export holds a customer's data from
every part, the erasure leaves no trace of the person in any of those tables, and the
aggregate numbers (NPS, counts) are the same before and after."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from actions.models import ActionSource
from crm import services as crm_services
from crm.models import Booking, ChecklistItem, ComplaintEvent, Interaction, Preference
from customers.models import ContactLog, Customer
from qms.models import Message
from qms.privacy_registry import PrivacyRegistry, privacy
from qms.registry import Period, registry
from satisfaction.models import Answer, FollowUpCase, InvitationLink, Response
from tests.actions.factories import ActionFactory
from tests.crm.factories import InteractionFactory, PreferenceFactory
from tests.customers.factories import ConsentFactory, ContactFactory, CustomerFactory
from tests.research.factories import (
    FindingFactory,
    InterviewFactory,
    PurchaseFactory,
    TicketFactory,
)
from tests.satisfaction.factories import answered, published_survey, running_wave, sent_invitation

pytestmark = pytest.mark.django_db

# Written into every personal field of the customer's rows; none may survive erasure.
NAME = "Zhang Wei"
EMAIL = "zhang.wei@private.example"
SECRET = "Zhang's secret"


def _links(model) -> set:
    return {
        field.related_model
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not None
    }


def _is_generic(model) -> bool:
    declared = any(isinstance(f, GenericForeignKey) for f in model._meta.private_fields)
    names = {f.name for f in model._meta.concrete_fields}
    content_type = any(
        f.is_relation and f.related_model is ContentType for f in model._meta.concrete_fields
    )
    return declared or (content_type and "object_id" in names)


def models_about_customers() -> set:
    """Every model that can hold data about a customer: the customer and its history,
    models with a foreign key to it (history tables copy the key, so they are in),
    models one hop further (an answer of a response, a note of a complaint) and models
    with a generic link (which can point at anything)."""
    every = apps.get_models()
    customer = {Customer, Customer.history.model}
    direct = {m for m in every if m not in customer and Customer in _links(m)}
    one_hop = {m for m in every if m not in customer | direct and _links(m) & direct}
    generic = {m for m in every if _is_generic(m)}
    return customer | direct | one_hop | generic


def uncovered(registry: PrivacyRegistry) -> list[str]:
    claimed = registry.covered_models() | set(registry.exempt_models())
    return sorted(m._meta.label for m in models_about_customers() - claimed)


def test_every_model_that_refers_to_a_customer_is_covered_by_export_and_erasure():
    missing = uncovered(privacy)
    assert not missing, (
        "These models refer to a customer but no privacy part exports and erases them; "
        "add them to their app's privacy.py (see qms/privacy_registry.py): " + ", ".join(missing)
    )


def test_the_walk_finds_answers_notes_and_history_tables():
    found = {m._meta.label for m in models_about_customers()}
    assert {
        "satisfaction.Answer",
        "satisfaction.FollowUpCase",
        "satisfaction.HistoricalFollowUpCase",
        "crm.ComplaintEvent",
        "crm.HistoricalComplaint",
        "customers.HistoricalCustomer",
        "research.InterviewFinding",
        "actions.ActionSource",
        "admin.LogEntry",
    } <= found


def test_a_model_no_part_claims_makes_the_coverage_test_fail():
    partial = PrivacyRegistry()
    for part in privacy.parts():
        if part.name != "survey_responses":
            partial.register(part.name, models=part.models, export=part.export, erase=part.erase)
    for model, reason in privacy.exempt_models().items():
        partial.exempt(model, reason)
    assert uncovered(partial) == ["satisfaction.Answer", "satisfaction.Response"]


@pytest.fixture
def person(quality_manager, front_desk, front_desk_head, topic, make_complaint):
    """A customer with a row in every table that can hold data about a customer."""
    customer = CustomerFactory(name="Z. Wei", email=EMAIL, phone="+86 555", address="1 Lane")
    customer.name = NAME  # a second history row with the old and the new name
    customer.save()
    ContactFactory(customer=customer, name=f"{NAME} junior", email="junior@private.example")
    ConsentFactory(customer=customer, note=SECRET)
    ContactLog.objects.create(customer=customer, kind="survey", contacted_at=timezone.now())
    LogEntry.objects.create(
        user=quality_manager,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(customer.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message=f"Changed e-mail to {EMAIL}",
    )
    PurchaseFactory(customer=customer)
    TicketFactory(customer=customer, resolution=SECRET)
    interview = InterviewFactory(customer=customer, title=f"Interview with {NAME}", notes=SECRET)
    interview.notes = f"{SECRET}, revised"
    interview.save()
    FindingFactory(interview=interview, note=SECRET)
    InteractionFactory(customer=customer, summary=SECRET, link="https://x.example/zhang")
    preference = PreferenceFactory(customer=customer, value="Quiet room", note=SECRET)
    booking = Booking.objects.create(
        customer=customer,
        starts_at=timezone.now() + dt.timedelta(days=3),
        department=front_desk,
        note=SECRET,
    )
    ChecklistItem.objects.create(
        booking=booking, preference=preference, department=front_desk, text=SECRET
    )
    complaint = make_complaint(customer=customer, description=SECRET)
    complaint.decision = f"{SECRET}: refund"
    complaint.escalation_note = SECRET
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint, from_status="received", to_status="received", note=SECRET
    )
    wave = running_wave(published_survey())
    invitation, _token = sent_invitation(wave=wave, customer=customer)
    invitation.draft_answers = {"comment": SECRET}
    invitation.save()
    response = answered(wave, {"nps": 2, "comment": SECRET}, customer=customer)
    case = FollowUpCase.objects.get(response=response)
    case.note = SECRET
    case.save()
    action = ActionFactory(department=front_desk, owner=front_desk_head)
    ActionSource.objects.create(action=action, kind="complaint", complaint=complaint, note=SECRET)
    ActionSource.objects.create(
        action=action, kind="followup_case", followup_case=case, note=SECRET
    )
    Message.objects.create(
        key="hello-1", kind="test", recipient=EMAIL, subject=f"Dear {NAME}", body=SECRET
    )
    # A walk-in's answers at a place, with contact details left (places app), and a
    # receipt code of a purchase of theirs.
    from places import services as place_services
    from places.models import PlaceResponse, ReceiptCode

    collector = place_services.collector_create(
        place=place_services.place_create(name="Lobby", department=front_desk),
        survey_version=published_survey(code="privacy-place"),
    )
    PlaceResponse.objects.create(
        collector=collector,
        place=collector.place,
        department=front_desk,
        customer=customer,
        state="held",
        draft={"comment": SECRET},
        submitted_at=timezone.now(),
    )
    ReceiptCode.objects.create(
        collector=collector, code="PRIV0001", customer=customer, expires_at=timezone.now()
    )
    return customer


def _personal_values(model, customer) -> list[str]:
    """Every text value of `model`'s rows, as text (JSON fields included)."""
    text_fields = [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]
    values = []
    for row in model._base_manager.values_list(*text_fields):
        values.extend(json.dumps(v) if not isinstance(v, str) else v for v in row)
    return values


def test_export_holds_the_customer_in_every_part(person):
    data = crm_services.customer_export(customer=person)
    assert set(data) == {part.name for part in privacy.parts()}
    empty = [name for name, section in data.items() if not section]
    assert not empty, f"the export has nothing in: {empty}"
    text = json.dumps(data, ensure_ascii=False)
    for needle in (NAME, EMAIL, SECRET):
        assert needle in text
    answers = data["survey_responses"][0]["answers"]
    assert any(a["question_code"] == "comment" and a["value_text"] == SECRET for a in answers)
    assert any(a["question_code"] == "nps" and a["value_int"] == 2 for a in answers)
    assert data["follow_up_cases"][0]["note"] == SECRET
    assert SECRET in [event["note"] for event in data["complaint_events"]]
    assert data["messages"][0]["recipient"] == EMAIL


def test_erasure_leaves_no_trace_in_any_covered_table(person, quality_manager):
    crm_services.customer_erase(customer=person, actor=quality_manager, reason="Asked by letter")
    leaks = []
    for model in privacy.covered_models():
        for value in _personal_values(model, person):
            if any(needle.lower() in value.lower() for needle in ("Zhang", "private.example")):
                leaks.append(f"{model._meta.label}: {value[:60]}")
    assert not leaks, leaks
    assert not InvitationLink.objects.filter(invitation__customer=person).exists()
    assert not Message.objects.filter(status=Message.Status.PENDING, recipient=EMAIL).exists()
    # The records stay, anonymous: the customer, the response and its scores.
    assert Customer.objects.get(pk=person.pk).name == f"Erased customer #{person.pk}"
    assert (
        Answer.objects.filter(response__customer=person, question_code="nps").get().value_int == 2
    )
    assert Booking.objects.filter(customer=person).count() == 1


def test_erasure_keeps_nps_and_counts(person, quality_manager):
    wave = Response.objects.get(customer=person).wave
    for score in (10, 9, 7):
        answered(wave, {"nps": score, "comment": "Fine"})
    period = Period(timezone.localdate() - dt.timedelta(days=30), timezone.localdate())

    def figures():
        return {
            "nps": registry.compute("nps", period=period).value,
            "nps_n": registry.compute("nps", period=period).n,
            "responses": Response.objects.count(),
            "answers": Answer.objects.count(),
            "interactions": Interaction.objects.count(),
            "complaints": person.complaints.count(),
            "cases": FollowUpCase.objects.count(),
            "purchases": person.purchases.count(),
            "preferences_elsewhere": Preference.objects.exclude(customer=person).count(),
        }

    before = figures()
    assert before["nps_n"] == 4
    crm_services.customer_erase(customer=person, actor=quality_manager, reason="Request")
    assert figures() == before
