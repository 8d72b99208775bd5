"""Interactions logged by hand, and in bulk through CSV (the shared import engine)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm import services as crm_services
from crm.models import Interaction
from customers import imports
from qms.exceptions import ApplicationError
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _log(**overrides):
    values = {
        "kind": "call",
        "channel": "phone",
        "occurred_at": timezone.now() - dt.timedelta(hours=1),
        "summary": "Asked for a quiet room.",
    }
    values.update(overrides)
    return crm_services.interaction_log(**values)


def test_staff_log_for_their_department(customer, front_desk, front_desk_staff):
    interaction = _log(customer=customer, department=front_desk, actor=front_desk_staff)
    assert interaction.logged_by == front_desk_staff
    assert interaction.department == front_desk


def test_staff_cannot_log_for_another_department(
    customer, housekeeping, front_desk_staff, front_desk
):
    with pytest.raises(ApplicationError, match="your own departments"):
        _log(customer=customer, department=housekeeping, actor=front_desk_staff)


def test_an_interaction_is_logged_after_it_happened(customer, front_desk, front_desk_staff):
    with pytest.raises(ApplicationError, match="booking"):
        _log(
            customer=customer,
            department=front_desk,
            actor=front_desk_staff,
            occurred_at=timezone.now() + dt.timedelta(days=2),
        )


def test_log_page_saves_and_returns_to_the_360(client_for, front_desk_staff, front_desk, customer):
    url = reverse("crm:interaction-create", args=[customer.pk])
    response = client_for(front_desk_staff).post(
        url,
        {
            "kind": "visit",
            "channel": "in_person",
            "occurred_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "department": front_desk.pk,
            "summary": "Came by for the lost umbrella.",
        },
    )
    assert response.status_code == 302
    assert Interaction.objects.get().summary == "Came by for the lost umbrella."


def test_log_page_says_what_is_wrong(client_for, front_desk_staff, housekeeping, customer):
    url = reverse("crm:interaction-create", args=[customer.pk])
    response = client_for(front_desk_staff).post(
        url, {"kind": "visit", "channel": "in_person", "department": housekeeping.pk}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "department" in form.errors and "occurred_at" in form.errors and "summary" in form.errors
    assert not Interaction.objects.exists()


def test_viewer_cannot_log(client_for, viewer, customer):
    url = reverse("crm:interaction-create", args=[customer.pk])
    assert client_for(viewer).get(url).status_code == 403


CSV = (
    "external_id,customer,kind,occurred_at,channel,department,summary\n"
    "CALL-1,{ref},call,2026-03-01 10:15,phone,FD,Late check-out\n"
    "MAIL-1,{ref},email,2026-03-02,email,,Invoice copy\n"
)


def _csv(text):
    return SimpleUploadedFile("i.csv", text.encode(), content_type="text/csv")


def test_csv_import_creates_then_leaves_unchanged(customer, front_desk):
    text = CSV.format(ref=customer.external_ref)
    schema = crm_services.InteractionSchema()
    report = crm_services.interactions_import(open_rows=imports.csv_rows(_csv(text), schema))
    assert report.ok and report.created == 2
    assert Interaction.objects.get(external_id="CALL-1").department == front_desk
    again = crm_services.interactions_import(open_rows=imports.csv_rows(_csv(text), schema))
    assert again.ok and again.created == 0 and again.unchanged == 2


def test_csv_import_is_all_or_nothing(customer, front_desk):
    text = CSV.format(ref=customer.external_ref) + "X-1,NOPE,dance,yesterday,,ZZ,\n"
    schema = crm_services.InteractionSchema()
    report = crm_services.interactions_import(open_rows=imports.csv_rows(_csv(text), schema))
    assert not report.ok
    assert report.errors[0].line == 4
    for word in ("customer", "kind", "occurred_at", "department"):
        assert word in report.errors[0].reason
    assert not Interaction.objects.exists()


def test_import_page_shows_the_report(client_for, quality_manager, front_desk):
    customer = CustomerFactory()
    url = reverse("crm:interaction-import")
    response = client_for(quality_manager).post(
        url, {"file": io.BytesIO(CSV.format(ref=customer.external_ref).encode())}
    )
    # A bare BytesIO has no .csv name: the form says so.
    assert response.status_code == 200
    response = client_for(quality_manager).post(
        url, {"file": _csv(CSV.format(ref=customer.external_ref))}
    )
    assert response.context["report"].created == 2


def test_complaints_and_bookings_are_not_logged_as_plain_interactions(
    customer, front_desk, front_desk_staff
):
    with pytest.raises(ApplicationError, match="own forms"):
        _log(customer=customer, department=front_desk, actor=front_desk_staff, kind="complaint")
