import pytest

from qms.navigation import nav_registry

pytestmark = pytest.mark.django_db


def _keys(user):
    return {key for _label, _url, key in nav_registry.for_user(user)}


def test_complaints_and_bookings_in_the_navigation(
    quality_manager, viewer, front_desk_head, front_desk_staff, outsider
):
    for user in (quality_manager, viewer, front_desk_head, front_desk_staff):
        assert {"complaints", "bookings"} <= _keys(user)
    assert not {"complaints", "bookings"} & _keys(outsider)
