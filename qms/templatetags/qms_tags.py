from django import forms, template

register = template.Library()


def _bootstrap_class(widget) -> str | None:
    """Bootstrap's class for a widget; None for radio and checkbox lists (drawn as they are)."""
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return None
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "form-select"
    return "form-control"


@register.filter
def with_class(bound_field, css_class):
    """Render a form field's widget with Bootstrap classes and the ARIA state of its errors."""
    base = _bootstrap_class(bound_field.field.widget)
    if base is None:
        return bound_field.as_widget()
    attrs = {"class": f"{base} {css_class}".strip()}
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_errors"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def filter_widget(bound_field):
    """A filter form's widget: with its own class when the form gives one (e.g. a small
    select), else Bootstrap's. An invalid filter is ignored by the list, so it is not
    drawn as an error (Django still marks it aria-invalid)."""
    widget = bound_field.field.widget
    base = _bootstrap_class(widget)
    if widget.attrs.get("class") or base is None:
        return bound_field.as_widget()
    return bound_field.as_widget(attrs={"class": base})


@register.filter
def role_label(user):
    """“Head of Front desk”, not “Department member” (qms.selectors.role_label)."""
    from qms.selectors import role_label as label

    return label(user)


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
