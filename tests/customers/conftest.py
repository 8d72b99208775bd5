import pytest


@pytest.fixture
def readers(quality_manager, viewer, front_desk_head, front_desk_staff):
    """Everyone who may read customers: QM, viewer, a department head, a staff member."""
    return [quality_manager, viewer, front_desk_head, front_desk_staff]
