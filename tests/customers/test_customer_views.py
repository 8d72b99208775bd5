"""Customer pages: who reads, who edits, search and filters, export, flat queries."""

import pytest
from django.urls import reverse

from customers.models import Consent, Customer
from tests.customers.factories import (
    ConsentFactory,
    ContactFactory,
    CustomerFactory,
    OrganisationFactory,
    SegmentFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("customers:customer-list")


def test_every_reader_sees_the_list_and_the_detail(client_for, readers):
    customer = CustomerFactory(name="Mei Chen")
    for user in readers:
        client = client_for(user)
        assert client.get(LIST).status_code == 200
        response = client.get(reverse("customers:customer-detail", args=[customer.pk]))
        assert response.status_code == 200
        assert "Mei Chen" in response.text


def test_someone_in_no_department_cannot_read_customers(client_for, outsider):
    customer = CustomerFactory()
    client = client_for(outsider)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("customers:customer-detail", args=[customer.pk])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("url_name", ["customers:customer-create"])
def test_only_the_quality_manager_opens_the_create_page(
    client_for, url_name, quality_manager, viewer, front_desk_head, outsider
):
    url = reverse(url_name)
    assert client_for(quality_manager).get(url).status_code == 200
    for user in (viewer, front_desk_head, outsider):
        assert client_for(user).get(url).status_code == 403


def test_quality_manager_creates_a_customer(client_for, quality_manager):
    segment = SegmentFactory()
    response = client_for(quality_manager).post(
        reverse("customers:customer-create"),
        {
            "kind": "person",
            "name": "Wei Zhang",
            "external_ref": "C-1",
            "segment": segment.pk,
            "language": "zh-hans",
            "email": "wei@example.com",
            "is_active": "on",
        },
    )
    customer = Customer.objects.get(external_ref="C-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", args=[customer.pk])
    assert customer.history.count() == 1


def test_the_form_says_what_is_wrong(client_for, quality_manager):
    CustomerFactory(external_ref="C-1")
    response = client_for(quality_manager).post(
        reverse("customers:customer-create"),
        {"kind": "person", "name": "", "external_ref": "C-1", "language": "en", "email": "nope"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors
    assert "email" in form.errors


def test_duplicate_external_reference_is_refused_with_a_message(client_for, quality_manager):
    CustomerFactory(external_ref="C-1")
    response = client_for(quality_manager).post(
        reverse("customers:customer-create"),
        {"kind": "person", "name": "Other", "external_ref": "C-1", "language": "en"},
    )
    assert response.status_code == 200
    assert "C-1" in response.text
    assert Customer.objects.filter(external_ref="C-1").count() == 1


def test_quality_manager_edits_and_the_history_records_it(client_for, quality_manager):
    customer = CustomerFactory(name="Old name")
    url = reverse("customers:customer-update", args=[customer.pk])
    response = client_for(quality_manager).post(
        url, {"kind": "person", "name": "New name", "language": "en", "is_active": "on"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "New name"
    history = client_for(quality_manager).get(
        reverse("qms:history", args=["customer", customer.pk])
    )
    assert history.status_code == 200
    assert "New name" in history.text


def test_head_and_outsider_cannot_edit(client_for, front_desk_head, viewer, outsider):
    customer = CustomerFactory(name="Keep")
    url = reverse("customers:customer-update", args=[customer.pk])
    for user in (front_desk_head, viewer, outsider):
        client = client_for(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "Changed", "kind": "person"}).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Keep"


def test_edit_link_only_for_the_quality_manager(client_for, quality_manager, front_desk_head):
    customer = CustomerFactory()
    edit_url = reverse("customers:customer-update", args=[customer.pk])
    detail = reverse("customers:customer-detail", args=[customer.pk])
    assert edit_url in client_for(quality_manager).get(detail).text
    assert edit_url not in client_for(front_desk_head).get(detail).text


def test_unknown_customer_is_404(client_for, quality_manager):
    assert (
        client_for(quality_manager)
        .get(reverse("customers:customer-detail", args=[999999]))
        .status_code
        == 404
    )


def test_search_matches_name_reference_and_email(client_for, quality_manager):
    CustomerFactory(name="Mei Chen", external_ref="C-100", email="mei@example.com")
    CustomerFactory(name="Tom Smith", external_ref="C-200", email="tom@example.com")
    client = client_for(quality_manager)
    for query in ("mei", "C-100", "mei@example"):
        names = [c.name for c in client.get(LIST, {"q": query}).context["customers"]]
        assert names == ["Mei Chen"]


def test_filters_by_segment_kind_language_and_status(client_for, quality_manager):
    families = SegmentFactory(code="young-families")
    guests = SegmentFactory(code="hotel-guests")
    CustomerFactory(name="A", segment=families, language="zh-hans")
    CustomerFactory(name="B", segment=guests)
    OrganisationFactory(name="C", segment=guests)
    CustomerFactory(name="D", segment=guests, is_active=False)
    client = client_for(quality_manager)

    def names(**params):
        return [c.name for c in client.get(LIST, params).context["customers"]]

    assert names(segment=families.pk) == ["A"]
    assert names(kind="organisation") == ["C"]
    assert names(language="zh-hans") == ["A"]
    assert names(active="no") == ["D"]
    assert names(segment=guests.pk, active="yes", kind="person") == ["B"]


def test_empty_filter_result_says_what_to_do(client_for, quality_manager):
    response = client_for(quality_manager).get(LIST, {"q": "nobody"})
    assert "No customer matches these filters." in response.text


def test_empty_list_invites_an_import(client_for, quality_manager):
    response = client_for(quality_manager).get(LIST)
    assert reverse("customers:customer-import") in response.text


def test_list_is_paginated(client_for, quality_manager):
    CustomerFactory.create_batch(30)
    response = client_for(quality_manager).get(LIST)
    assert len(response.context["customers"]) == 25
    assert response.context["is_paginated"]


def test_list_query_count_does_not_grow(client_for, quality_manager, django_assert_max_num_queries):
    client = client_for(quality_manager)
    CustomerFactory.create_batch(2)
    client.get(LIST)  # warm caches (session, department ids)
    with django_assert_max_num_queries(12) as few:
        assert client.get(LIST).status_code == 200
    CustomerFactory.create_batch(20, segment=SegmentFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200


def test_detail_query_count_does_not_grow(
    client_for, quality_manager, django_assert_max_num_queries
):
    customer = OrganisationFactory()
    client = client_for(quality_manager)
    url = reverse("customers:customer-detail", args=[customer.pk])
    ContactFactory(customer=customer)
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    ContactFactory.create_batch(10, customer=customer)
    for channel in Consent.Channel.values:
        ConsentFactory(customer=customer, channel=channel)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_csv_export_has_the_import_columns(client_for, viewer):
    CustomerFactory(name="=cmd()", external_ref="C-9")
    response = client_for(viewer).get(LIST, {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("external_ref,name,kind,segment")
    assert "C-9,'=cmd()" in lines[1]


def test_detail_shows_consent_per_channel_with_when_and_how(client_for, front_desk_head):
    customer = CustomerFactory()
    ConsentFactory(customer=customer, channel="surveys", granted=True, method="web_form")
    ConsentFactory(customer=customer, channel="marketing", granted=False, method="phone")
    response = client_for(front_desk_head).get(
        reverse("customers:customer-detail", args=[customer.pk])
    )
    states = {s.channel: s.consent for s in response.context["consents"]}
    assert states["surveys"].granted is True
    assert states["marketing"].granted is False
    assert states["reminders"] is None
    assert "Web form" in response.text
    assert "Not recorded" in response.text


def test_detail_of_an_organisation_lists_its_contacts(client_for, viewer):
    organisation = OrganisationFactory()
    ContactFactory(customer=organisation, name="Nora Lake", is_primary=True)
    response = client_for(viewer).get(reverse("customers:customer-detail", args=[organisation.pk]))
    assert "Nora Lake" in response.text
    person = CustomerFactory()
    response = client_for(viewer).get(reverse("customers:customer-detail", args=[person.pk]))
    assert response.context["contacts"] is None


def test_an_export_imports_back_unchanged(client_for, quality_manager):
    import io

    from customers import services

    SegmentFactory(code="young-families")
    CustomerFactory.create_batch(3, segment=SegmentFactory(code="hotel-guests"))
    response = client_for(quality_manager).get(LIST, {"format": "csv"})
    body = b"".join(response.streaming_content)
    report = services.import_csv(kind="customers", upload=io.BytesIO(body))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_a_bad_filter_value_shows_the_whole_list(client_for, quality_manager):
    """A value that is not one of the choices (only reachable by editing the address)
    is ignored: the unfiltered list, without "Clear filters"; the CSV has every row."""
    CustomerFactory(name="A")
    CustomerFactory(name="B", is_active=False)
    client = client_for(quality_manager)
    for params in ({"segment": "bogus"}, {"kind": "bogus", "q": "A"}, {"language": "xx"}):
        response = client.get(LIST, params)
        assert response.status_code == 200
        assert [c.name for c in response.context["customers"]] == ["A", "B"]
        assert "Clear filters" not in response.text
    response = client.get(LIST, {"kind": "bogus", "format": "csv"})
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert len(lines) == 3


def test_a_valid_query_counts_as_filtered_even_when_it_filters_nothing(client_for, quality_manager):
    """Inactive only (active=no) and an empty search are filters: "Clear filters" shows."""
    CustomerFactory(name="A")
    client = client_for(quality_manager)
    assert "Clear filters" not in client.get(LIST).text
    response = client.get(LIST, {"active": "no"})
    assert "Clear filters" in response.text
    assert "No customer matches these filters." in response.text
    assert "Clear filters" in client.get(LIST, {"q": ""}).text


def test_a_page_past_the_end_or_not_a_number_is_404(client_for, quality_manager):
    CustomerFactory()
    client = client_for(quality_manager)
    assert client.get(LIST, {"page": "99"}).status_code == 404
    assert client.get(LIST, {"page": "x"}).status_code == 404
