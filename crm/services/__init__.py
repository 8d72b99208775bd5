"""The CRM's service API: its writes and workflows. Callers use this package
(`from crm import services; services.complaint_intake(...)`); the code lives in one module
per part:

- `interactions`: interactions logged by hand, imported in bulk, mirrored into the timeline
- `preferences`: customer preferences
- `bookings`: bookings and their preparation checklists
- `complaints`: complaints (ISO 10002): intake, the declared states (`COMPLAINT_WORKFLOW`
  on `qms.workflow`), escalation, and the overdue reminders (`OVERDUE_LADDER`)
- `replenishment`: replenishment reminders and their opt-out
- `privacy`: export and erasure of a customer's data
- `_common`: the base URL and who may write (shared by the modules)

Keyword-only, atomic, validated; a broken rule raises ApplicationError with a message a
person can read. A module imports `_common` only, never another module or this package.
Private helpers (leading underscore) are reached, and patched in tests, at their own
module.
"""

from ._common import base_url
from .bookings import booking_create, checklist_item_set
from .complaints import (
    ACTION_LABELS,
    COMPLAINT_WORKFLOW,
    OVERDUE_BATCH,
    OVERDUE_LADDER,
    TRANSITIONS,
    complaint_action_opened,
    complaint_actions,
    complaint_due_at,
    complaint_escalate,
    complaint_intake,
    complaint_next_reference,
    complaint_transition,
    complaint_update,
    complaints_remind_overdue,
)
from .interactions import (
    LOGGABLE_KINDS,
    MIRROR_BATCH,
    InteractionSchema,
    interaction_log,
    interactions_import,
    interactions_mirror_sources,
)
from .preferences import (
    PREFERENCE_FIELDS,
    preference_create,
    preference_delete,
    preference_update,
)
from .privacy import customer_erase, customer_export
from .replenishment import (
    OPT_OUT_SALT,
    REPLENISH_BATCH,
    REPLENISH_LEAD_DAYS,
    REPLENISH_MIN_PURCHASES,
    opt_out_customer,
    opt_out_token,
    replenishment_opt_out,
    replenishment_predict,
    replenishment_send_due,
)

__all__ = [
    "ACTION_LABELS",
    "COMPLAINT_WORKFLOW",
    "LOGGABLE_KINDS",
    "MIRROR_BATCH",
    "OPT_OUT_SALT",
    "OVERDUE_BATCH",
    "OVERDUE_LADDER",
    "PREFERENCE_FIELDS",
    "REPLENISH_BATCH",
    "REPLENISH_LEAD_DAYS",
    "REPLENISH_MIN_PURCHASES",
    "TRANSITIONS",
    "InteractionSchema",
    "base_url",
    "booking_create",
    "checklist_item_set",
    "complaint_action_opened",
    "complaint_actions",
    "complaint_due_at",
    "complaint_escalate",
    "complaint_intake",
    "complaint_next_reference",
    "complaint_transition",
    "complaint_update",
    "complaints_remind_overdue",
    "customer_erase",
    "customer_export",
    "interaction_log",
    "interactions_import",
    "interactions_mirror_sources",
    "opt_out_customer",
    "opt_out_token",
    "preference_create",
    "preference_delete",
    "preference_update",
    "replenishment_opt_out",
    "replenishment_predict",
    "replenishment_send_due",
]
