from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "satisfaction"
    verbose_name = _("Customer satisfaction")

    def ready(self):
        # Metrics, menu and audit-trail entries are found by qms.discovery; what stays here
        # connects this app to signals and outbox hooks of the apps to its left.
        register_outbox()
        register_events()
        register_survey_changes()


def register_events():
    from crm.signals import complaint_closed

    def on_complaint_closed(sender, complaint, **kwargs):
        from .services import invitations_for_closed_complaint

        invitations_for_closed_complaint(complaint=complaint)

    complaint_closed.connect(
        on_complaint_closed, weak=False, dispatch_uid="satisfaction-complaint-closed"
    )


def register_outbox():
    from qms.services import on_message_failed

    from .services import invitation_mark_failed

    on_message_failed("invitation:")(invitation_mark_failed)


def register_survey_changes():
    from django.db import transaction

    from surveys.signals import survey_changed

    def on_survey_changed(sender, survey, **kwargs):
        from .models import Wave
        from .services.responding import _forget_public_waves

        # The public pages of the survey's waves show its title and identity mode: drop
        # them from the cache once the change is committed.
        transaction.on_commit(
            lambda: _forget_public_waves(
                Wave.objects.filter(survey_version__survey=survey).values_list("pk", flat=True)
            )
        )

    survey_changed.connect(
        on_survey_changed, weak=False, dispatch_uid="satisfaction-survey-changed"
    )
