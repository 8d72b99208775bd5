"""Every metric's definition (what is counted, base, period rule, segment rule, skipped
answers) on the metrics page, in the API's metric list, in both languages, and a link to
it from each dashboard tile."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from qms.registry import Definition, registry

pytestmark = pytest.mark.django_db

FIELDS = [name for name, _label in Definition.FIELDS]


def test_every_metric_has_a_complete_definition():
    for metric in registry.all():
        assert metric.definition is not None, metric.key
        for name, text in metric.definition.as_dict().items():
            assert len(text) > 10, (metric.key, name)
        with translation.override("zh-hans"):
            assert all(metric.definition.as_dict().values())


def test_the_metrics_page_shows_each_definition_with_an_anchor(client_for, viewer):
    html = client_for(viewer).get(reverse("qms:metric-list")).content.decode()
    nps = html.split('id="metric-nps"')[1].split("</tr>")[0]
    for _name, heading, text in registry.get("nps").definition.rows():
        assert heading in nps and escape(text) in nps
    assert "Promoters" in nps or "promoters" in nps
    assert "segment the customer was in when it happened" in nps
    assert html.count('data-testid="metric-definition"') == len(registry.all())
    assert "Orders: an order is the purchase lines sharing an order reference" in html


def test_the_api_describes_each_metric_in_the_requested_language(api_client_for, viewer):
    api = api_client_for(viewer)
    rows = {row["key"]: row for row in api.get("/api/metrics/").json()}
    assert set(rows) == {m.key for m in registry.all()}
    assert set(rows["complaint_rate"]["definition"]) == set(FIELDS)
    assert "order reference" in rows["complaint_rate"]["definition"]["skipped"]
    chinese = api.get("/api/metrics/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert {row["key"] for row in chinese} == set(rows)


def test_each_dashboard_tile_links_to_its_definition(client_for, quality_manager):
    html = client_for(quality_manager).get("/").content.decode()
    url = reverse("qms:metric-list")
    assert f'href="{url}#metric-nps"' in html
    assert f'href="{url}#metric-complaint_rate"' in html
    assert html.count('data-testid="tile-definition"') >= 10
