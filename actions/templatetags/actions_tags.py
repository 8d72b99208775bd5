"""`{% load actions_tags %}{% actions_for object %}` shows, on a source's page (a wave, a
follow-up case, an objective, its analysis, a topic), the corrective actions opened from
it. The apps to the left cannot import `actions`, so they only load this tag library."""

from django import template

from ..selectors import actions_for_source

register = template.Library()


@register.inclusion_tag("actions/partials/actions_for.html", takes_context=True)
def actions_for(context, obj):
    return actions_panel_context(obj, context.get("user")) or {"source_actions": []}


def actions_panel_context(obj, user):
    """The panel's context; also registered in `qms.dashboard.record_panels`, so the
    source apps (to the left) show it with `{% record_panels obj %}`."""
    if not _open_query(obj):
        return None
    return {
        "source_actions": actions_for_source(obj, user=user) if user else [],
        "source_obj": obj,
        "user": user,
        "can_open": bool(user and getattr(user, "is_quality_manager", False)),
        "open_query": _open_query(obj),
    }


def _open_query(obj) -> str:
    name = obj._meta.model_name
    return {
        "wave": f"wave={obj.pk}",
        "followupcase": f"case={obj.pk}",
        "objective": f"objective={obj.pk}",
        "objectiveanalysis": f"analysis={obj.pk}",
        "complaint": f"complaint={getattr(obj, 'reference', '')}",
        "topic": f"topic={obj.pk}",
    }.get(name, "")
