"""This app's part of the demo organisation, loaded by `manage.py load_demo` after the
apps to its left. Must be idempotent: a second run changes nothing."""


def load(*, stdout) -> int:
    """Create what is missing; return the number of rows created."""
    return 0
