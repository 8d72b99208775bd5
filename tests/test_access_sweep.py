"""The access sweep (docs/architecture.md section 7.5): every page of the URLconf and
every operation of the API schema, aimed at another department's records, as the front
desk's head, a front-desk staff member and the read-only viewer, with a read (GET) and a
write (POST with the page's own form filled plausibly; PUT/PATCH/DELETE/POST with the
record's own data for the API). A record of another department is 403/404 to them (the
viewer reads it), no write changes a row of any table or sends an e-mail, and no page
or API list they can read shows another department's record. The pages and operations
come from the resolver and the schema (tests/sweep.py), so a new page or endpoint is
swept without anyone adding a test; one the sweep cannot aim fails
`test_every_page_and_operation_is_swept`.

One demo organisation per module (load_demo plus a few records so every department-
owned kind exists outside the front desk), rolled back at the end; each request runs in
a savepoint that is rolled back, so a write that got through is reported and undone.
"""

import os

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(DEBUG=True), open(os.devnull, "w") as devnull:
            call_command("load_demo", stdout=devnull)
        sweep.add_other_department_records()
        yield sweep.World.load()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def cases(world, django_db_blocker):
    with django_db_blocker.unblock():
        pages, page_problems = sweep.page_cases(world)
        api, api_problems = sweep.api_cases(world)
    return {"pages": pages, "api": api, "problems": page_problems + api_problems}


def _client(user, api=False):
    client = APIClient() if api else Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _send(client, case, data=None, method=None):
    method = (method or case.method).lower()
    if case.api:
        return getattr(client, method)(case.path, data, format="json")
    return getattr(client, method)(case.path, data or {})


def _in_savepoint(run):
    """Run `run()` in a savepoint that is rolled back; returns (result, what it wrote)."""
    sent = len(mail.outbox)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            result = run()
        changed = []
        if sweep.wrote(queries.captured_queries):
            changed = sweep.changed_tables(BASELINE["snapshot"], sweep.snapshot())
        if len(mail.outbox) > sent:
            changed.append(f"{len(mail.outbox) - sent} e-mail(s) sent")
            del mail.outbox[sent:]
        transaction.set_rollback(True)
    return result, changed


BASELINE = {}


def _take_baseline():
    """The database as the sweep starts (after the sign-ins, which touch the users)."""
    BASELINE["snapshot"] = sweep.snapshot()


def _page_write_data(quality_client, case, world, cache={}):  # noqa: B006
    """The page's form as the quality manager sees it, filled plausibly."""
    if case.path not in cache:
        response, _ = _in_savepoint(lambda: quality_client.get(case.path))
        html = ""
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            html = response.content.decode("utf-8", "replace")
        cache[case.path] = sweep.form_data(html, case.path, world.other_id)
    return cache[case.path]


def _api_write_data(quality_api, case, world, cache={}):  # noqa: B006
    """The record as the quality manager reads it (the aimed-at record, or for a create
    one of another department's records of that kind), filled plausibly."""
    key = case.path
    if key not in cache:
        detail = None
        if case.objects:
            obj = case.objects[-1]
            marker = f"/{obj.pk}/"
            path = (
                case.path[: case.path.index(marker) + len(marker)] if marker in case.path else None
            )
            if path:
                response, _ = _in_savepoint(lambda: quality_api.get(path, format="json"))
                if response.status_code == 200 and isinstance(response.data, dict):
                    detail = response.data
        elif case.list_model is not None:
            obj = world.other(case.list_model)
            if obj is not None:
                response, _ = _in_savepoint(
                    lambda: quality_api.get(f"{case.path}{obj.pk}/", format="json")
                )
                if response.status_code == 200 and isinstance(response.data, dict):
                    detail = response.data
        cache[key] = sweep.json_body(detail, world.other_id)
    return cache[key]


def test_every_page_and_operation_is_swept(cases):
    """A page or operation the sweep cannot aim at another department's record fails
    here, with what to add, instead of being skipped."""
    assert not cases["problems"], "\n".join(cases["problems"])
    assert len(cases["pages"]) > 120
    assert len(cases["api"]) > 100
    assert sum(c.foreign for c in cases["pages"]) > 25
    assert sum(c.foreign for c in cases["api"]) > 20


@pytest.mark.parametrize("role", ["head", "staff", "viewer"])
def test_pages_keep_to_the_department_rule(world, cases, role):
    client = _client(world.people[role])
    quality = _client(world.quality_manager)
    forbidden = sweep.forbidden_paths(cases["pages"], role)
    _take_baseline()
    problems = []
    for case in cases["pages"]:
        response, _ = _in_savepoint(lambda c=case: client.get(c.path))
        problem = sweep.read_problem(case, role, response.status_code)
        if problem:
            problems.append(f"read  {case.label}: {problem}")
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            shown = sweep.linked_paths(response.content.decode("utf-8", "replace")) & forbidden
            if shown:
                problems.append(
                    f"read  {case.label}: links to another department's {sorted(shown)[:3]}"
                )
        data = _page_write_data(quality, case, world)
        response, changed = _in_savepoint(lambda c=case, d=data: client.post(c.path, d))
        problem = sweep.write_problem(case, role, response.status_code, changed)
        if problem:
            problems.append(f"write POST {case.path} ({case.name}): {problem}")
    assert not problems, f"{len(problems)} problems as {role}:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", ["head", "staff", "viewer"])
def test_api_keeps_to_the_department_rule(world, cases, role):
    api = _client(world.people[role], api=True)
    quality = _client(world.quality_manager, api=True)
    _take_baseline()
    problems = []
    for case in cases["api"]:
        if case.method == "GET":
            response, _ = _in_savepoint(lambda c=case: _send(api, c))
            problem = sweep.read_problem(case, role, response.status_code)
            if problem is None and case.list_model is not None and response.status_code == 200:
                problem = sweep.list_over_read(world, case, role, response.data)
            if problem:
                problems.append(f"read  {case.label}: {problem}")
            continue
        data = None if case.method == "DELETE" else _api_write_data(quality, case, world)
        response, changed = _in_savepoint(lambda c=case, d=data: _send(api, c, d))
        problem = sweep.write_problem(case, role, response.status_code, changed)
        if problem:
            problems.append(f"write {case.label}: {problem}")
    assert not problems, f"{len(problems)} problems as {role}:\n" + "\n".join(problems)


def test_the_sweep_would_see_the_writes_it_guards_against(world, cases):
    """The same writes as the quality manager change the database: the sweep's data is
    plausible enough that a missing check shows (the preference and checklist writes of
    issue 12 among them)."""
    quality = _client(world.quality_manager)
    quality_api = _client(world.quality_manager, api=True)
    _take_baseline()
    effective = set()
    for case in cases["pages"]:
        if not case.foreign:
            continue
        data = _page_write_data(quality, case, world)
        _, changed = _in_savepoint(lambda c=case, d=data: quality.post(c.path, d))
        if changed:
            effective.add(case.name)
    for case in cases["api"]:
        if not case.foreign or case.method == "GET":
            continue
        data = None if case.method == "DELETE" else _api_write_data(quality_api, case, world)
        _, changed = _in_savepoint(lambda c=case, d=data: _send(quality_api, c, d))
        if changed:
            effective.add(f"{case.name} {case.method}")
    must = {
        "crm:preference-update",
        "crm:preference-delete",
        "crm:checklist-tick",
        "api:preference-detail PUT",
        "api:preference-detail PATCH",
        "api:preference-detail DELETE",
        "api:booking-tick POST",
    }
    assert must <= effective, sorted(must - effective)
    assert len(effective) > 20, sorted(effective)
