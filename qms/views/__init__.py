"""Pages of the organisation core, one module per area: `home` (the dashboard),
`organisation` (departments, memberships, people), `audit` (history, metrics, messages),
`parties` (interested parties, conflicts, impacts) and `reviews` (management review and
its decisions). Views validate with forms and call services (through the interface kit,
`qms.ui`); the rules live in services and selectors. `qms.urls` imports the modules.
"""
