"""The satisfaction app's service API: its writes and workflows. Callers use this package
(`from satisfaction import services; services.wave_start(...)`); the code lives in one
module per part of the workflow:

- `waves`: waves, freezing the audience, single invitations for transactional triggers
- `sending`: invitations, reminders and expiry (the sending scanner)
- `responding`: the customer's side (links, drafts, submitting, opting out)
- `follow_ups`: follow-up cases and their escalation
- `tallies`: the materialised analysis counts
- `exports`: response exports
- `trials`: test invitations (the real e-mail, a link that stores nothing)
- `walk_ins`: answers through no invitation (a place's QR code or kiosk, `places`)
- `_common`: helpers the modules share

Scanners (`waves_process_due`, `invitations_process_due`, `follow_ups_escalate_due`) read
`next_action_at <= now` in bounded batches, locked and skipping rows another worker holds
(`qms.workflow.due_rows` / `locked`), and advance state in the same transaction
(docs/architecture.md section 4). Every e-mail is a `qms.Message` row with a unique key,
so a scanner run twice sends nothing twice.

Surveys, versions and alert rules are written by the surveys app (`surveys.services`).

A module imports another directly, never through this package: `_common` ← `follow_ups`
← `responding`; `waves`, `sending`, `tallies` and `exports` need only `_common`. Private
helpers (leading underscore) are reached, and patched in tests, at their own module.
"""

from ._common import base_url, hash_token
from .exports import (
    EXPORT_KEEP_FOR,
    EXPORT_MAX_ATTEMPTS,
    EXPORT_REKICK_AFTER,
    EXPORT_STUCK_AFTER,
    export_build,
    export_request,
    exports_process_due,
)
from .follow_ups import follow_ups_escalate_due, followup_action_opened, followup_update
from .responding import (
    invitation_is_expired,
    invitation_mark_failed,
    invitation_mark_opened,
    invitation_opt_out,
    link_resolve,
    public_wave,
    response_is_stored,
    response_save_draft,
    response_stored_draft,
    response_submit,
)
from .sending import invitations_process_due, optout_url, survey_url
from .tallies import tally_refresh
from .trials import trial_invitation_send, trial_resolve, trial_token, trial_url
from .walk_ins import walk_in_response_store
from .waves import (
    invitation_request,
    invitations_for_closed_complaint,
    wave_cancel,
    wave_close,
    wave_create,
    wave_schedule,
    wave_start,
    waves_process_due,
)

__all__ = [
    "trial_invitation_send",
    "trial_resolve",
    "trial_token",
    "trial_url",
    "EXPORT_KEEP_FOR",
    "EXPORT_MAX_ATTEMPTS",
    "EXPORT_REKICK_AFTER",
    "EXPORT_STUCK_AFTER",
    "base_url",
    "export_build",
    "export_request",
    "exports_process_due",
    "follow_ups_escalate_due",
    "followup_action_opened",
    "followup_update",
    "hash_token",
    "invitation_is_expired",
    "invitation_mark_failed",
    "invitation_mark_opened",
    "invitation_opt_out",
    "invitation_request",
    "invitations_for_closed_complaint",
    "invitations_process_due",
    "link_resolve",
    "optout_url",
    "public_wave",
    "response_save_draft",
    "response_is_stored",
    "response_stored_draft",
    "response_submit",
    "survey_url",
    "tally_refresh",
    "wave_cancel",
    "wave_close",
    "wave_create",
    "wave_schedule",
    "wave_start",
    "waves_process_due",
    "walk_in_response_store",
]
