"""Shared fixtures: one person per role and two departments, so every test can ask
"what does this role see?" in one line."""

import pytest
from django.conf import settings
from django.core.cache import caches

from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    QualityManagerFactory,
    UserFactory,
    ViewerFactory,
)


def _clear_caches():
    from surveys import selectors as survey_selectors

    for alias in settings.CACHES:
        caches[alias].clear()
    with survey_selectors._local_lock:
        survey_selectors._local_questions.clear()  # published questions kept in memory


@pytest.fixture(autouse=True)
def _clear_caches_around_each_test():
    """Every test starts and ends with empty caches: rate-limit counters, cached survey
    questions and alert rules, the public wave... never leak from one test into the next.
    Needs no database (the test settings use an in-memory cache)."""
    _clear_caches()
    yield
    _clear_caches()


@pytest.fixture
def quality_manager(db):
    return QualityManagerFactory(username="qm", first_name="Quinn", last_name="Manager")


@pytest.fixture
def viewer(db):
    return ViewerFactory(username="viewer")


@pytest.fixture
def front_desk(db):
    return DepartmentFactory(name="Front desk", code="FD")


@pytest.fixture
def housekeeping(db):
    return DepartmentFactory(name="Housekeeping", code="HK")


@pytest.fixture
def front_desk_head(front_desk):
    head = UserFactory(username="fd-head", first_name="Frida", last_name="Head")
    front_desk.head = head
    front_desk.save()
    return head


@pytest.fixture
def housekeeping_head(housekeeping):
    head = UserFactory(username="hk-head", first_name="Hugo", last_name="Head")
    housekeeping.head = head
    housekeeping.save()
    return head


@pytest.fixture
def front_desk_staff(front_desk):
    return MembershipFactory(department=front_desk, user=UserFactory(username="fd-staff")).user


@pytest.fixture
def outsider(db):
    """Signed in, but in no department and with no organisation role."""
    return UserFactory(username="outsider")


@pytest.fixture
def readers(quality_manager, viewer, front_desk_head, front_desk_staff):
    """Everyone who may read customers (and their research and CRM records): QM, viewer,
    a department head, a staff member."""
    return [quality_manager, viewer, front_desk_head, front_desk_staff]


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns the test client signed in as `user`."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture
def api_client_for():
    from rest_framework.test import APIClient

    def login(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return login
