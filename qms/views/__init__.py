"""Pages of the organisation core, one module per area: `home` (the dashboard),
`organisation` (departments, memberships, people), `audit` (history, metrics, messages),
`parties` (interested parties, conflicts, impacts) and `reviews` (management review and
its decisions). Views validate with forms and call services (through the interface kit,
`qms.ui`); the rules live in services and selectors. `qms.urls` imports the modules.
"""

# Only for the customers-domain apps that still import `from qms.views import
# ServiceFormMixin` while they are being moved; the lead points them at qms.ui.views
# after the merge, then this re-export goes.
from qms.ui.views import ServiceFormMixin

__all__ = ["ServiceFormMixin"]
