"""Progress bars and health badges. Simple tags building HTML with `format_html` (not
inclusion templates): the cascade renders a thousand of them on one page."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from objectives import progress as maths

register = template.Library()


def _health_labels():
    return {
        maths.ON_TRACK: (_("On track"), "health-on-track"),
        maths.AT_RISK: (_("At risk"), "health-at-risk"),
        maths.OFF_TRACK: (_("Off track"), "health-off-track"),
        maths.NO_DATA: (_("No data"), "health-no-data"),
    }


@register.simple_tag
def health_badge(objective):
    labels = _health_labels()
    label, css = labels.get(objective.health, labels[maths.NO_DATA])
    html = format_html('<span class="health {0}" data-health="{0}">{1}</span>', css, label)
    if getattr(objective, "stale", False):
        html += format_html(
            ' <span class="badge badge-stale" data-testid="stale">{}</span>',
            _("Stale: check-in overdue"),
        )
    if objective.status == "closed":
        html += format_html(' <span class="badge text-bg-secondary">{}</span>', _("Closed"))
    return mark_safe(html)  # noqa: S308 - every part above is escaped by format_html


@register.simple_tag
def progress_bar(value, label=""):
    if value is None:
        return format_html('<span class="text-muted small">{}</span>', _("no data yet"))
    value = float(value)
    return format_html(
        '<progress class="objective-progress" max="100" value="{0}" aria-label="{1}">'
        '{2} %</progress> <span class="small">{2} %</span>',
        f"{value:.1f}",
        label or _("Progress"),
        f"{value:.0f}",
    )


@register.filter
def number(value):
    """A Decimal without trailing zeros (9.5000 → 9.5)."""
    if value is None:
        return "—"
    try:
        return format(value.normalize(), "f")
    except AttributeError:
        return value
