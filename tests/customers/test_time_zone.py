"""A customer's time zone is picked from a list (common zones first) and can come in an
import; a name that is no time zone is refused with a reason."""

import io

import pytest
from django.urls import reverse

from customers import services
from customers.models import Customer

pytestmark = pytest.mark.django_db


def test_the_form_offers_time_zones_common_ones_first(client_for, quality_manager):
    page = client_for(quality_manager).get(reverse("customers:customer-create"))
    html = page.content.decode()
    assert '<select name="time_zone"' in html
    assert html.index('value="Asia/Shanghai"') < html.index('value="Africa/Abidjan"')


def test_quality_manager_sets_a_customers_time_zone(client_for, quality_manager):
    client = client_for(quality_manager)
    data = {"kind": "person", "name": "Wei", "external_ref": "C-1", "language": "zh-hans"}
    client.post(reverse("customers:customer-create"), {**data, "time_zone": "Asia/Shanghai"})
    customer = Customer.objects.get(external_ref="C-1")
    assert customer.time_zone == "Asia/Shanghai"
    page = client.get(reverse("customers:customer-detail", args=[customer.pk]))
    assert "Asia/Shanghai" in page.content.decode()
    refused = client.post(reverse("customers:customer-create"), {**data, "time_zone": "Mars/Base"})
    assert refused.status_code == 200
    assert Customer.objects.count() == 1


def test_the_import_reads_an_optional_time_zone_column():
    body = b"external_ref,name,time_zone\nC-1,Wei,asia/shanghai\nC-2,Ann,\n"
    report = services.import_csv(kind="customers", upload=io.BytesIO(body))
    assert report.ok
    assert dict(Customer.objects.values_list("external_ref", "time_zone")) == {
        "C-1": "Asia/Shanghai",
        "C-2": "",
    }
    bad = services.import_csv(
        kind="customers", upload=io.BytesIO(b"external_ref,name,time_zone\nC-3,Li,Moon/Base\n")
    )
    assert not bad.ok
    assert "Moon/Base" in str(bad.errors)


def test_the_api_reads_and_writes_the_time_zone(api_client_for, quality_manager):
    client = api_client_for(quality_manager)
    created = client.post(
        "/api/customers/",
        {"name": "Wei", "external_ref": "C-9", "time_zone": "Asia/Shanghai"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["time_zone"] == "Asia/Shanghai"
    refused = client.post(
        "/api/customers/", {"name": "Li", "external_ref": "C-8", "time_zone": "Mars/Base"}
    )
    assert refused.status_code == 400
