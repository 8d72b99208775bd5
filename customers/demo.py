"""This app's part of the demo organisation, loaded by `manage.py load_demo` after the
apps to its left. Must be idempotent: a second run changes nothing."""


def load(*, stdout) -> int:
    """Create what is missing; return the number of rows created."""
    created = 0
    from . import requirement_demo

    created += requirement_demo.load(stdout=stdout)
    return created
