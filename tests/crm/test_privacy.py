"""Privacy: export everything about one customer; erase on request."""

import json

import pytest
from django.urls import reverse

from crm import services as crm_services
from crm.models import Complaint, ErasureRecord, Interaction, Preference
from customers.models import Customer
from qms.exceptions import ApplicationError
from research.models import Purchase, Ticket
from tests.crm.factories import InteractionFactory, PreferenceFactory
from tests.customers.factories import (
    ConsentFactory,
    ContactFactory,
    CustomerFactory,
    OrganisationFactory,
)
from tests.research.factories import PurchaseFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_customer(make_complaint, quality_manager):
    customer = OrganisationFactory(
        name="Secret Corp", email="boss@secret.example", phone="+1 555", address="1 Hidden Rd"
    )
    customer.name = "Secret Corp Renamed"  # a second history row with personal data
    customer.save()
    ContactFactory(customer=customer, name="Jane Secret", email="jane@secret.example")
    ConsentFactory(customer=customer)
    PreferenceFactory(customer=customer, value="Sea view")
    InteractionFactory(customer=customer, summary="Told us about her divorce")
    PurchaseFactory(customer=customer)
    TicketFactory(customer=customer, resolution="Fixed at Jane's home")
    make_complaint(customer=customer, description="Jane's private story")
    return customer


def test_export_holds_everything(client_for, quality_manager, rich_customer):
    response = client_for(quality_manager).get(
        reverse("crm:customer-export", args=[rich_customer.pk])
    )
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["customer"]["email"] == "boss@secret.example"
    assert data["contacts"][0]["name"] == "Jane Secret"
    assert data["preferences"][0]["value"] == "Sea view"
    assert len(data["purchases"]) == 1 and len(data["tickets"]) == 1
    assert data["complaints"][0]["description"] == "Jane's private story"
    assert {i["kind"] for i in data["interactions"]} >= {"call", "complaint"}


def test_export_and_erasure_are_for_quality_managers(client_for, front_desk_head, viewer, customer):
    for user in (front_desk_head, viewer):
        client = client_for(user)
        assert client.get(reverse("crm:customer-export", args=[customer.pk])).status_code == 403
        assert client.get(reverse("crm:customer-erase", args=[customer.pk])).status_code == 403


def test_erasure_asks_for_confirmation(client_for, quality_manager, rich_customer):
    client = client_for(quality_manager)
    url = reverse("crm:customer-erase", args=[rich_customer.pk])
    assert "cannot be undone" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Asked by e-mail"})  # no confirmation ticked
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    assert not ErasureRecord.objects.exists()


def test_erasure_removes_personal_data_and_keeps_the_figures(
    client_for, quality_manager, rich_customer
):
    other = CustomerFactory(name="Other Person", email="other@example.com")
    PurchaseFactory(customer=other)
    purchases_before = Purchase.objects.count()
    response = client_for(quality_manager).post(
        reverse("crm:customer-erase", args=[rich_customer.pk]),
        {"reason": "Written request of 1 March", "confirm": "on"},
    )
    assert response.status_code == 302
    customer = Customer.objects.get(pk=rich_customer.pk)
    assert customer.name == f"Erased customer #{customer.pk}"
    assert (customer.email, customer.phone, customer.address, customer.external_ref) == (
        "",
        "",
        "",
        "",
    )
    assert not customer.contacts.exists() and not customer.consents.exists()
    assert not Preference.objects.filter(customer=customer).exists()
    assert set(Interaction.objects.filter(customer=customer).values_list("summary", flat=True)) <= {
        ""
    }
    assert Ticket.objects.get(customer=customer).resolution == ""
    assert Complaint.objects.get(customer=customer).description == ""
    # History rows are scrubbed too: no old name or e-mail anywhere.
    for row in Customer.history.filter(id=customer.pk):
        assert "Secret" not in row.name and row.email == ""
    assert not Complaint.history.filter(description__contains="Jane").exists()
    # Figures and other customers intact.
    assert Purchase.objects.count() == purchases_before
    other.refresh_from_db()
    assert other.name == "Other Person" and other.email == "other@example.com"
    record = ErasureRecord.objects.get()
    assert record.customer_id_erased == customer.pk and record.erased_by == quality_manager
    assert record.reason == "Written request of 1 March"


def test_erasure_needs_a_reason_and_happens_once(quality_manager, customer, front_desk_head):
    with pytest.raises(ApplicationError):
        crm_services.customer_erase(customer=customer, actor=quality_manager, reason=" ")
    with pytest.raises(ApplicationError):
        crm_services.customer_erase(customer=customer, actor=front_desk_head, reason="x")
    crm_services.customer_erase(customer=customer, actor=quality_manager, reason="Request")
    with pytest.raises(ApplicationError, match="already"):
        crm_services.customer_erase(customer=customer, actor=quality_manager, reason="Request")
