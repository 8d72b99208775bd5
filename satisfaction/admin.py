from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FollowUpCase, Invitation, ResponseExport, Wave


@admin.register(Wave)
class WaveAdmin(SimpleHistoryAdmin):
    list_display = ["name", "survey_version", "kind", "status", "starts_at"]
    list_filter = ["status", "kind"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["id", "wave", "customer", "state", "reason", "sent_at", "completed_at"]
    list_filter = ["state", "reason"]
    raw_id_fields = ["wave", "customer"]
    exclude = ["draft_answers"]
    list_select_related = ["wave", "customer"]


@admin.register(FollowUpCase)
class FollowUpCaseAdmin(SimpleHistoryAdmin):
    list_display = ["customer", "state", "owner", "due_at", "escalated_at"]
    list_filter = ["state"]
    raw_id_fields = ["response", "customer", "owner"]


@admin.register(ResponseExport)
class ResponseExportAdmin(admin.ModelAdmin):
    """Support staff can see why an export failed; files are downloaded from the portal."""

    list_display = ["id", "survey", "wave", "format", "state", "row_count", "created_at"]
    list_filter = ["state", "format"]
    list_select_related = ["survey", "wave"]
    raw_id_fields = ["survey", "wave", "requested_by"]
    readonly_fields = [
        "state",
        "attempts",
        "started_at",
        "completed_at",
        "failed_at",
        "expired_at",
        "next_action_at",
        "row_count",
        "file",
        "error",
    ]
