"""Navigation entries of the customers app, by role."""

import pytest

from qms.navigation import nav_registry

pytestmark = pytest.mark.django_db

KEYS = {"customers", "topics", "research"}


def keys(user):
    return {key for _label, _url, key in nav_registry.for_user(user)}


def test_readers_see_customers_topics_and_research(readers):
    for user in readers:
        assert keys(user) >= KEYS


def test_someone_in_no_department_does_not(outsider):
    assert not KEYS & keys(outsider)


def test_nav_links_render_on_the_home_page(client_for, front_desk_staff):
    response = client_for(front_desk_staff).get("/")
    assert 'data-nav="research"' in response.text
