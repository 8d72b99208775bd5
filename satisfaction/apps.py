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
