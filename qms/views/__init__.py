"""Pages of the organisation core, one module per area: `home` (the dashboard),
`organisation` (departments, memberships, people), `audit` (history, metrics, messages),
`parties` (interested parties, conflicts, impacts) and `reviews` (management review and
its decisions). Views validate with forms and call services; the rules live in services
and selectors. `qms.urls` imports the modules.

`ServiceFormMixin` (in `base`) is the building block every app's views use; it is
importable from here as `qms.views.ServiceFormMixin`.
"""

from .base import ServiceFormMixin

__all__ = ["ServiceFormMixin"]
