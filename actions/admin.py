from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionSource, ActionTransition, CorrectiveAction, Measure


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0


class SourceInline(admin.TabularInline):
    model = ActionSource
    extra = 0


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "department", "owner", "status", "due_date")
    list_filter = ("status", "source_kind", "department")
    search_fields = ("reference", "title")
    inlines = [SourceInline, MeasureInline]


@admin.register(ActionTransition)
class ActionTransitionAdmin(admin.ModelAdmin):
    list_display = ("action", "from_status", "to_status", "actor", "created_at")
