"""The surveys app's service API: writes of survey authoring. Callers use this package
(`from surveys import services; services.survey_create(...)`); the code lives in one
module per part:

- `surveys`: surveys and versions (questions, choices, publishing)
- `alert_rules`: which answers open a follow-up case

`alert_rules` ← `surveys`: a module imports another directly, never through this package.
Private helpers (leading underscore) are reached, and patched in tests, at their own
module.
"""

from .alert_rules import (
    alert_rule_create,
    alert_rule_delete,
    alert_rule_update,
    alert_rules_seed_defaults,
    default_follow_up_hours,
)
from .surveys import (
    question_add_from_library,
    question_code_for,
    question_create,
    question_delete,
    question_duplicate,
    question_move,
    question_reorder,
    question_update,
    survey_code_for,
    survey_create,
    survey_update,
    version_draft_get_or_create,
    version_missing_texts,
    version_publish,
    version_update_intro,
    version_update_texts,
)

__all__ = [
    "alert_rule_create",
    "alert_rule_delete",
    "alert_rule_update",
    "alert_rules_seed_defaults",
    "default_follow_up_hours",
    "question_add_from_library",
    "question_code_for",
    "question_create",
    "question_delete",
    "question_duplicate",
    "question_move",
    "question_reorder",
    "question_update",
    "survey_code_for",
    "survey_create",
    "survey_update",
    "version_draft_get_or_create",
    "version_missing_texts",
    "version_publish",
    "version_update_intro",
    "version_update_texts",
]
