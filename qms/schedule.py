"""Celery beat entries of the organisation core (see base settings for how they merge)."""

import os

BEAT_SCHEDULE = {
    "send-due-messages": {
        "task": "qms.send_due_messages",
        "schedule": float(os.environ.get("MESSAGE_SCAN_SECONDS", "30")),
        "options": {"expires": 25},
    },
    "requeue-evidence-packs": {
        "task": "qms.requeue_evidence_packs",
        "schedule": 300.0,
        "options": {"expires": 250},
    },
    # Webhooks out: due deliveries and their retries (qms/webhooks.py).
    "deliver-webhooks": {
        "task": "qms.deliver_webhooks",
        "schedule": float(os.environ.get("WEBHOOK_SCAN_SECONDS", "30")),
        "options": {"expires": 25},
    },
}
