"""Admin for support staff. Check-ins are append-only: the admin shows them read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CheckIn, KeyResult, Objective, ObjectiveAnalysis


class KeyResultInline(admin.TabularInline):
    model = KeyResult
    extra = 0
    fields = ["title", "mode", "metric_key", "direction", "baseline", "target", "weight"]
    show_change_link = True


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["title", "period_label", "level", "department", "owner", "status"]
    list_filter = ["level", "status", "period_label"]
    search_fields = ["title"]
    list_select_related = ["department", "owner"]
    raw_id_fields = ["parent", "owner"]
    filter_horizontal = ["requirements"]
    inlines = [KeyResultInline]


@admin.register(KeyResult)
class KeyResultAdmin(SimpleHistoryAdmin):
    list_display = ["title", "objective", "mode", "metric_key", "current_value", "target"]
    list_filter = ["mode", "direction"]
    raw_id_fields = ["objective"]
    list_select_related = ["objective"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["key_result", "value", "confidence", "source", "by", "at"]
    list_filter = ["source"]
    list_select_related = ["key_result", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ObjectiveAnalysis)
class ObjectiveAnalysisAdmin(SimpleHistoryAdmin):
    list_display = ["objective", "corrective_action_needed", "by", "at"]
    raw_id_fields = ["objective", "by"]
