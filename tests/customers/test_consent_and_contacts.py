"""Consent recording (a service, with history) and contacts of organisations."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import services
from customers.models import Consent, Contact
from qms.exceptions import ApplicationError
from tests.customers.factories import ContactFactory, CustomerFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_consent_is_granted_then_withdrawn_and_history_keeps_both():
    customer = CustomerFactory()
    given_at = timezone.now() - dt.timedelta(days=30)
    services.consent_record(
        customer=customer, channel="surveys", granted=True, method="web_form", recorded_at=given_at
    )
    services.consent_record(
        customer=customer, channel="surveys", granted=False, method="opt_out_link"
    )
    consent = Consent.objects.get(customer=customer, channel="surveys")
    assert consent.granted is False
    assert consent.method == "opt_out_link"
    assert [h.granted for h in consent.history.order_by("history_date")] == [True, False]
    assert consent.history.earliest("history_date").recorded_at == given_at


def test_consent_in_the_future_is_refused():
    with pytest.raises(ApplicationError):
        services.consent_record(
            customer=CustomerFactory(),
            channel="surveys",
            granted=True,
            method="email",
            recorded_at=timezone.now() + dt.timedelta(days=1),
        )


def test_unknown_channel_is_refused():
    with pytest.raises(ApplicationError):
        services.consent_record(
            customer=CustomerFactory(), channel="fax", granted=True, method="email"
        )


def test_consent_page_records_through_the_service(client_for, quality_manager):
    customer = CustomerFactory()
    url = reverse("customers:consent-record", args=[customer.pk])
    response = client_for(quality_manager).post(
        url,
        {
            "channel": "marketing",
            "granted": "no",
            "method": "phone",
            "recorded_at": "2026-01-05T10:30",
            "note": "Called to unsubscribe",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(customer=customer, channel="marketing")
    assert consent.granted is False
    assert consent.note == "Called to unsubscribe"


def test_consent_page_is_for_the_quality_manager_only(client_for, front_desk_head):
    customer = CustomerFactory()
    url = reverse("customers:consent-record", args=[customer.pk])
    response = client_for(front_desk_head).post(
        url,
        {
            "channel": "surveys",
            "granted": "yes",
            "method": "email",
            "recorded_at": "2026-01-05T10:30",
        },
    )
    assert response.status_code == 403
    assert not Consent.objects.exists()


def test_consent_form_says_what_is_missing(client_for, quality_manager):
    customer = CustomerFactory()
    response = client_for(quality_manager).post(
        reverse("customers:consent-record", args=[customer.pk]), {"channel": "surveys"}
    )
    assert response.status_code == 200
    assert {"granted", "method", "recorded_at"} <= set(response.context["form"].errors)


def test_only_organisations_have_contacts():
    with pytest.raises(ApplicationError):
        services.contact_create(customer=CustomerFactory(), name="Nobody")


def test_one_primary_contact_per_organisation():
    organisation = OrganisationFactory()
    first = services.contact_create(customer=organisation, name="First", is_primary=True)
    second = services.contact_create(customer=organisation, name="Second", is_primary=True)
    first.refresh_from_db()
    assert not first.is_primary
    assert second.is_primary


def test_quality_manager_adds_edits_and_removes_a_contact(client_for, quality_manager):
    organisation = OrganisationFactory()
    client = client_for(quality_manager)
    response = client.post(
        reverse("customers:contact-create", args=[organisation.pk]),
        {"name": "Nora Lake", "job_title": "Bookings", "email": "nora@example.com"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(customer=organisation)
    response = client.post(
        reverse("customers:contact-update", args=[organisation.pk, contact.pk]),
        {"name": "Nora Lake-Reed", "email": "nora@example.com"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Nora Lake-Reed"
    delete_url = reverse("customers:contact-delete", args=[organisation.pk, contact.pk])
    confirm = client.get(delete_url)
    assert "Yes, remove the contact" in confirm.text
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert client.post(delete_url).status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_contact_of_a_person_shows_the_rule_on_the_form(client_for, quality_manager):
    person = CustomerFactory()
    response = client_for(quality_manager).post(
        reverse("customers:contact-create", args=[person.pk]), {"name": "X"}
    )
    assert response.status_code == 200
    assert "Only organisations have contacts" in response.text


def test_contact_of_another_customer_is_404(client_for, quality_manager):
    contact = ContactFactory()
    other = OrganisationFactory()
    response = client_for(quality_manager).get(
        reverse("customers:contact-update", args=[other.pk, contact.pk])
    )
    assert response.status_code == 404


def test_head_cannot_delete_a_contact(client_for, front_desk_head):
    contact = ContactFactory()
    url = reverse("customers:contact-delete", args=[contact.customer_id, contact.pk])
    assert client_for(front_desk_head).post(url).status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()
