from django import forms, template

register = template.Library()


@register.filter
def with_class(bound_field, css_class):
    """Render a form field's widget with Bootstrap classes and the ARIA state of its errors."""
    widget = bound_field.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return bound_field.as_widget()
    if isinstance(widget, forms.CheckboxInput):
        base = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        base = "form-select"
    else:
        base = "form-control"
    attrs = {"class": f"{base} {css_class}".strip()}
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_errors"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field):
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.simple_tag(takes_context=True)
def record_panels(context, obj):
    """Render the panels other apps contribute to `obj`'s page (e.g. its corrective
    actions), each with its own template."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from qms.dashboard import record_panels as registry

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None:
        return ""
    html = [
        render_to_string(template, data, request=request)
        for template, data in registry.for_record(obj, user)
    ]
    return mark_safe("".join(html))  # noqa: S308 - rendered, auto-escaped templates


@register.filter
def nav_active(entry, path):
    """True when `path` is the entry's page or one of its menu's pages."""
    return entry.is_active(path)
