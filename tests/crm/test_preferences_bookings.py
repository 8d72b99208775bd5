"""Preferences and personalised service: a booking turns preferences into a checklist
for the departments concerned; ticking records who prepared what, and when."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import services as crm_services
from crm.models import Booking, ChecklistItem, Interaction, Preference
from qms.exceptions import ApplicationError
from tests.crm.factories import PreferenceFactory
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _book(customer, department, actor, **overrides):
    values = {
        "customer": customer,
        "kind": Booking.Kind.BOOKING,
        "starts_at": timezone.now() + dt.timedelta(days=2),
        "department": department,
        "actor": actor,
    }
    values.update(overrides)
    return crm_services.booking_create(**values)


def test_a_preference_is_recorded_once(customer, front_desk_staff):
    crm_services.preference_create(
        customer=customer, actor=front_desk_staff, category="seat", value="Aisle seat"
    )
    with pytest.raises(ApplicationError, match="already has"):
        crm_services.preference_create(
            customer=customer, actor=front_desk_staff, category="seat", value="aisle SEAT"
        )


def test_viewers_and_outsiders_cannot_record_preferences(customer, viewer, outsider):
    for user in (viewer, outsider):
        with pytest.raises(ApplicationError):
            crm_services.preference_create(
                customer=customer, actor=user, category="meal", value="Veg"
            )


def test_booking_builds_a_checklist_for_the_departments_concerned(
    customer, front_desk, housekeeping, front_desk_head
):
    # Given the hotel guest's two preferences, one prepared by housekeeping
    PreferenceFactory(customer=customer, value="Room facing the sea")
    PreferenceFactory(
        customer=customer, category="food_drink", value="Sugar-free coffee", department=housekeeping
    )
    # When front desk logs the upcoming stay
    booking = _book(customer, front_desk, front_desk_head)
    # Then each preference is an item for its department
    items = {i.text.split(": ", 1)[1]: i.department.code for i in booking.checklist.all()}
    assert items == {"Room facing the sea": "FD", "Sugar-free coffee": "HK"}
    # ...and the booking is on the customer's timeline
    assert Interaction.objects.get(booking=booking).kind == "booking"


def test_ticking_records_who_prepared_it(
    customer, front_desk, housekeeping, housekeeping_head, front_desk_head
):
    PreferenceFactory(customer=customer, value="Sugar-free coffee", department=housekeeping)
    item = _book(customer, front_desk, front_desk_head).checklist.get()
    item = crm_services.checklist_item_set(item=item, actor=housekeeping_head)
    assert item.prepared_by == housekeeping_head and item.prepared_at is not None
    first = item.prepared_at
    # Ticking again keeps the first record; unticking clears it.
    assert crm_services.checklist_item_set(item=item, actor=housekeeping_head).prepared_at == first
    item = crm_services.checklist_item_set(item=item, actor=housekeeping_head, prepared=False)
    assert item.prepared_by is None


def test_another_department_cannot_tick(customer, front_desk, housekeeping, front_desk_head):
    PreferenceFactory(customer=customer, department=housekeeping)
    item = _book(customer, front_desk, front_desk_head).checklist.get()
    with pytest.raises(ApplicationError):
        crm_services.checklist_item_set(item=item, actor=front_desk_head)


def test_tick_page_is_404_outside_the_department(
    client_for, customer, front_desk, housekeeping, front_desk_head, housekeeping_head
):
    PreferenceFactory(customer=customer, department=housekeeping)
    item = _book(customer, front_desk, front_desk_head).checklist.get()
    url = reverse("crm:checklist-tick", args=[item.pk])
    assert client_for(front_desk_head).post(url).status_code == 404
    assert client_for(housekeeping_head).post(url).status_code == 302
    assert ChecklistItem.objects.get().prepared_by == housekeeping_head


def test_a_booking_is_for_the_future(customer, front_desk, front_desk_head):
    with pytest.raises(ApplicationError):
        _book(
            customer, front_desk, front_desk_head, starts_at=timezone.now() - dt.timedelta(days=3)
        )


def test_booking_page_creates_and_shows_the_checklist(
    client_for, customer, front_desk, front_desk_staff
):
    PreferenceFactory(customer=customer, value="Extra pillow")
    client = client_for(front_desk_staff)
    response = client.post(
        reverse("crm:booking-create", args=[customer.pk]),
        {
            "kind": "visit",
            "starts_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "department": front_desk.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Extra pillow" in page.content.decode()


def test_booking_without_preferences_says_what_to_do(
    client_for, customer, front_desk, front_desk_staff
):
    booking = _book(customer, front_desk, front_desk_staff)
    page = client_for(front_desk_staff).get(reverse("crm:booking-detail", args=[booking.pk]))
    assert "no recorded preferences" in page.content.decode()


def test_bookings_are_scoped_to_the_departments_concerned(
    client_for, customer, front_desk, housekeeping, front_desk_head, housekeeping_head
):
    booking = _book(customer, front_desk, front_desk_head)
    url = reverse("crm:booking-detail", args=[booking.pk])
    assert client_for(housekeeping_head).get(url).status_code == 404
    PreferenceFactory(customer=customer, department=housekeeping)
    with_hk = _book(customer, front_desk, front_desk_head)
    assert (
        client_for(housekeeping_head)
        .get(reverse("crm:booking-detail", args=[with_hk.pk]))
        .status_code
        == 200
    )


def test_booking_list_query_count_does_not_grow(
    client_for, front_desk, front_desk_head, django_assert_max_num_queries
):
    client = client_for(front_desk_head)
    url = reverse("crm:booking-list")
    _book(CustomerFactory(), front_desk, front_desk_head)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    limit = len(few.captured_queries)
    for _ in range(10):
        customer = CustomerFactory()
        PreferenceFactory(customer=customer)
        _book(customer, front_desk, front_desk_head)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["bookings"]) == 11


def test_preference_pages(client_for, customer, front_desk_staff):
    client = client_for(front_desk_staff)
    response = client.post(
        reverse("crm:preference-create", args=[customer.pk]),
        {"category": "meal", "value": "Vegetarian", "source": "customer_said"},
    )
    assert response.status_code == 302
    preference = Preference.objects.get()
    delete_url = reverse("crm:preference-delete", args=[customer.pk, preference.pk])
    assert "Delete" in client.get(delete_url).content.decode()  # confirmation first
    client.post(delete_url)
    assert not Preference.objects.exists()


def test_tick_is_post_only_and_untick_is_an_information(
    client_for, customer, front_desk, front_desk_head
):
    PreferenceFactory(customer=customer, department=front_desk, value="Extra pillow")
    booking = _book(customer, front_desk, front_desk_head)
    item = booking.checklist.get()
    url = reverse("crm:checklist-tick", args=[item.pk])
    client = client_for(front_desk_head)
    response = client.get(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("crm:booking-detail", args=[booking.pk])
    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        ("success", "Marked as prepared: Room: Extra pillow")
    ]
    response = client.post(url, {"prepared": "0"}, follow=True)
    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        ("info", "Marked as not prepared: Room: Extra pillow")
    ]
    assert ChecklistItem.objects.get().prepared_at is None


def test_booking_list_answers_404_to_a_page_past_the_end(client_for, front_desk_head):
    client = client_for(front_desk_head)
    assert client.get(reverse("crm:booking-list"), {"page": "99"}).status_code == 404
    assert client.get(reverse("crm:booking-list"), {"page": "x"}).status_code == 404


# --- Who changes a preference: its department (issue: cross-department edits) ---------


@pytest.mark.parametrize("who", ["front_desk_head", "front_desk_staff"])
def test_another_departments_preference_cannot_be_changed_through_the_pages(
    request, client_for, customer, housekeeping, who
):
    # Given housekeeping's preference, when front desk opens or posts its edit and delete pages
    preference = PreferenceFactory(customer=customer, department=housekeeping, value="Coffee")
    client = client_for(request.getfixturevalue(who))
    edit = reverse("crm:preference-update", args=[customer.pk, preference.pk])
    delete = reverse("crm:preference-delete", args=[customer.pk, preference.pk])
    assert client.get(edit).status_code == 404
    assert client.get(delete).status_code == 404
    assert (
        client.post(edit, {"category": "meal", "value": "Tea", "source": "observed"}).status_code
        == 404
    )
    assert client.post(delete).status_code == 404
    # Then nothing changed, and the Customer 360 still shows it without edit links
    preference.refresh_from_db()
    assert (preference.category, preference.value) == ("room", "Coffee")
    page = client.get(reverse("crm:customer-360", args=[customer.pk])).content.decode()
    assert "Coffee" in page
    assert edit not in page and delete not in page


@pytest.mark.parametrize("who", ["front_desk_head", "front_desk_staff", "viewer"])
def test_another_departments_preference_cannot_be_changed_through_the_api(
    request, api_client_for, customer, housekeeping, who
):
    preference = PreferenceFactory(customer=customer, department=housekeeping, value="Coffee")
    api = api_client_for(request.getfixturevalue(who))
    url = f"/api/preferences/{preference.pk}/"
    assert api.get(url).status_code == 200  # reading stays open to the departments serving
    body = {"customer": customer.pk, "category": "meal", "value": "Tea"}
    expected = 403 if who == "viewer" else 404
    assert api.put(url, body, format="json").status_code == expected
    assert api.patch(url, {"value": "Tea"}, format="json").status_code == expected
    assert api.delete(url).status_code == expected
    preference.refresh_from_db()
    assert preference.value == "Coffee"


def test_the_preparing_department_and_quality_managers_change_it(
    api_client_for, customer, housekeeping, housekeeping_head, quality_manager
):
    preference = PreferenceFactory(customer=customer, department=housekeeping, value="Coffee")
    url = f"/api/preferences/{preference.pk}/"
    patched = api_client_for(housekeeping_head).patch(url, {"value": "Tea"}, format="json")
    assert patched.status_code == 200, patched.data
    assert api_client_for(quality_manager).delete(url).status_code == 204
    assert not Preference.objects.exists()


def test_the_service_refuses_another_departments_preference(
    customer, housekeeping, front_desk_staff
):
    preference = PreferenceFactory(customer=customer, department=housekeeping)
    with pytest.raises(ApplicationError, match="department that prepares"):
        crm_services.preference_update(preference=preference, actor=front_desk_staff, note="x")
    with pytest.raises(ApplicationError, match="department that prepares"):
        crm_services.preference_delete(preference=preference, actor=front_desk_staff)
    assert Preference.objects.filter(pk=preference.pk, note="").exists()


def test_a_shared_preference_used_by_another_departments_checklist_is_theirs_too(
    customer, front_desk, housekeeping, housekeeping_head, front_desk_staff
):
    # Given a preference without a department, on housekeeping's booking checklist
    preference = PreferenceFactory(customer=customer, department=None, value="Extra towel")
    _book(customer, housekeeping, housekeeping_head)
    # Then front desk may no longer delete it (it would unlink housekeeping's item)...
    with pytest.raises(ApplicationError):
        crm_services.preference_delete(preference=preference, actor=front_desk_staff)
    # ...while a shared preference no other department uses stays everyone's
    other = PreferenceFactory(customer=customer, department=None, value="Late check-out")
    crm_services.preference_update(preference=other, actor=front_desk_staff, note="Noon")
    assert Preference.objects.get(pk=other.pk).note == "Noon"
