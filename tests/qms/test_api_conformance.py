"""Schemathesis over the whole API (docs/architecture.md, "The API's schema tells the
truth"): every operation of the OpenAPI schema, called with generated data as the quality
manager, a department head and the read-only viewer, answers without a server error,
with a status code, content type and body the schema documents. The number of examples
per operation is bounded (SCHEMATHESIS_EXAMPLES, default 2) to keep the run short."""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.satisfaction.factories import (
    answered,
    consenting_customer,
    published_survey,
    running_wave,
)

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "2"))
# To look into one part: only operations whose label (method and path) holds this text.
ONLY = os.environ.get("SCHEMATHESIS_ONLY", "")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _session(client, user) -> tuple[dict, dict]:
    """(headers, cookies) of a signed-in session with its CSRF token."""
    client.force_login(user)
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return {"X-CSRFToken": token}, cookies


def _checker(operation, headers, cookies):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(case=operation.as_strategy())
    def check(case):
        case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)

    return check


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection at the end of each request, which
    would end the test's transaction: Django's test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_api_matches_its_schema(
    client, quality_manager, front_desk_head, viewer, keep_connection
):
    wave = running_wave(published_survey())
    answered(wave, {"nps": 1, "driver": "queue"}, customer=consenting_customer())
    app = get_wsgi_application()
    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    failures = []
    for person in (quality_manager, front_desk_head, viewer):
        headers, cookies = _session(client, person)
        for result in schema.get_all_operations():
            operation = result.ok()
            if ONLY not in operation.label:
                continue

            check = _checker(operation, headers, cookies)

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all reported
                failures.append(f"{person.username} {operation.label}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)
