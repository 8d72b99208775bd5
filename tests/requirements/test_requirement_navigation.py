"""Navigation entries per role: Requirements (QM, viewer), Our customers' needs
(department members), Coverage (QM, viewer, heads)."""

import pytest

from qms.navigation import nav_registry

pytestmark = pytest.mark.django_db


def keys(user):
    return {key for _label, _url, key in nav_registry.for_user(user)}


def test_quality_manager_and_viewer_see_the_register(quality_manager, viewer):
    for user in (quality_manager, viewer):
        assert {"requirements", "coverage"} <= keys(user)


def test_head_sees_briefs_and_coverage(front_desk_head):
    assert {"needs", "coverage"} <= keys(front_desk_head)
    assert "requirements" not in keys(front_desk_head)


def test_staff_see_briefs_only(front_desk_staff):
    found = keys(front_desk_staff)
    assert "needs" in found
    assert not found & {"requirements", "coverage"}


def test_outsider_sees_none(outsider):
    assert not keys(outsider) & {"requirements", "needs", "coverage"}
