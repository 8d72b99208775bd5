"""Signals of survey authoring, for the apps to its right (they connect in their
AppConfig.ready(); surveys never imports them)."""

from django.dispatch import Signal

# Sent by `services.survey_update` inside its transaction, after the survey is saved,
# with `survey`: what a customer sees of the survey (title, identity mode, ...) may have
# changed. Receivers run synchronously; they defer work to the commit themselves
# (`transaction.on_commit`).
survey_changed = Signal()
