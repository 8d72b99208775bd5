"""Import pages: upload, report on the page, the rule explained, QM only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from research.models import Purchase, Ticket
from tests.customers.factories import CustomerFactory, TopicFactory

pytestmark = pytest.mark.django_db

URL = reverse("research:ticket-import")
HEADER = "external_id,customer,topic,product,opened_at,closed_at,resolution\n"


@pytest.fixture
def known():
    CustomerFactory(external_ref="C-1")
    TopicFactory(slug="battery-life")


def csv_file(text, name="tickets.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_page_explains_the_all_or_nothing_rule(client_for, quality_manager):
    response = client_for(quality_manager).get(URL)
    assert response.status_code == 200
    assert "All or nothing." in response.text
    assert "If any row is wrong, nothing is imported" in response.text
    assert "creates no duplicates" in response.text


def test_good_upload_shows_what_was_imported(client_for, quality_manager, known):
    response = client_for(quality_manager).post(
        URL, {"file": csv_file(HEADER + "WO-1,C-1,battery-life,,2026-03-01,,\n")}
    )
    assert response.status_code == 200
    assert response.context["report"].created == 1
    assert "1 new, 0 updated, 0 unchanged" in response.text
    assert Ticket.objects.count() == 1


def test_bad_upload_lists_every_bad_line_and_imports_nothing(client_for, quality_manager, known):
    text = (
        HEADER
        + "WO-1,C-1,battery-life,,2026-03-01,,\n"
        + "WO-2,C-2,battery-life,,2026-03-01,,\n"
        + "WO-3,C-1,nothing,,2026-03-01,,\n"
    )
    response = client_for(quality_manager).post(URL, {"file": csv_file(text)})
    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    table = response.text.split('data-testid="bad-rows"')[1]
    assert "<td>3</td>" in table and "<td>4</td>" in table
    assert "Unknown customer “C-2”" in table
    assert Ticket.objects.count() == 0


def test_a_file_that_is_not_csv_is_refused_on_the_form(client_for, quality_manager):
    response = client_for(quality_manager).post(URL, {"file": csv_file("x", name="photo.png")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_purchase_import_page_uses_the_same_engine(client_for, quality_manager, known):
    response = client_for(quality_manager).post(
        reverse("research:purchase-import"),
        {
            "file": csv_file(
                "external_id,customer,product,amount,purchased_at\nORD-1,C-1,Eggs,3.2,2026-03-01\n"
            )
        },
    )
    assert response.status_code == 200
    assert Purchase.objects.count() == 1


@pytest.mark.parametrize(
    "url_name",
    ["research:ticket-import", "research:purchase-import", "customers:customer-import"],
)
def test_only_the_quality_manager_imports(client_for, url_name, viewer, front_desk_head, known):
    for user in (viewer, front_desk_head):
        client = client_for(user)
        assert client.get(reverse(url_name)).status_code == 403
        response = client.post(
            reverse(url_name), {"file": csv_file(HEADER + "WO-1,C-1,battery-life,,2026-03-01,,\n")}
        )
        assert response.status_code == 403
    assert Ticket.objects.count() == 0


def test_import_form_needs_the_csrf_token(quality_manager, known):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(quality_manager, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(URL, {"file": csv_file(HEADER)})
    assert response.status_code == 403
