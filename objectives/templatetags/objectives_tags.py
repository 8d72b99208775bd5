from django import template
from django.utils.translation import gettext_lazy as _

from objectives import progress as maths

register = template.Library()

HEALTH = {
    maths.ON_TRACK: (_("On track"), "health-on-track"),
    maths.AT_RISK: (_("At risk"), "health-at-risk"),
    maths.OFF_TRACK: (_("Off track"), "health-off-track"),
    maths.NO_DATA: (_("No data"), "health-no-data"),
}


@register.inclusion_tag("objectives/partials/health.html")
def health_badge(objective):
    label, css = HEALTH.get(objective.health, HEALTH[maths.NO_DATA])
    return {
        "label": label,
        "css": css,
        "stale": getattr(objective, "stale", False),
        "closed": objective.status == "closed",
    }


@register.inclusion_tag("objectives/partials/progress.html")
def progress_bar(value, label=""):
    return {"value": value, "label": label}


@register.filter
def number(value):
    """A Decimal without trailing zeros (9.5000 → 9.5)."""
    if value is None:
        return "—"
    try:
        text = format(value.normalize(), "f")
    except AttributeError:
        return value
    return text
