from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AlertRule, Survey, SurveyVersion


@admin.register(Survey)
class SurveyAdmin(SimpleHistoryAdmin):
    list_display = ["title", "code", "purpose", "identity_mode"]
    search_fields = ["title", "code"]


@admin.register(SurveyVersion)
class SurveyVersionAdmin(SimpleHistoryAdmin):
    list_display = ["survey", "number", "status", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "published_at", "published_by"]


@admin.register(AlertRule)
class AlertRuleAdmin(SimpleHistoryAdmin):
    """Read-only: rules are changed on the survey page, whose services also drop the
    rules the submit path keeps in the cache."""

    list_display = ["survey", "question_code", "condition", "value", "choice_code", "is_active"]
    list_filter = ["condition", "is_active"]
    list_select_related = ["survey"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
