"""Helpers for services (after HackSoft's Django Styleguide)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models

M = TypeVar("M", bound=models.Model)

_MISSING = object()


def model_update(
    *,
    instance: M,
    fields: Iterable[str],
    data: dict,
    prepare: Callable[[M], None] | None = None,
    validate_constraints: bool = True,
) -> tuple[M, bool]:
    """Update `instance` from `data`: only the names in `fields` are read (a name in
    `fields` but not in `data` is left alone), then the model is validated
    (`full_clean()`) and only the fields whose value changed are saved
    (`save(update_fields=...)`, with `updated_at` when the model has it). Nothing is
    written when nothing changed. Returns `(instance, changed)`.

    `prepare(instance)`, when given, runs after the values are set and before the
    validation: it may check the new state (raise ApplicationError) or derive fields
    from it; a field it changes is saved too when it is in `fields`.

    `validate_constraints=False` skips the model's constraints in the validation (for a
    service that checks them itself, as `Model.full_clean(validate_constraints=False)`).

    A name in `data` that is not in `fields` is a programming error (ValueError): a
    service lists what its callers may change.
    """
    fields = list(fields)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"model_update: {', '.join(unknown)} not in fields")
    before = {name: _value(instance, name) for name in fields}
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    if prepare is not None:
        prepare(instance)
    # Also turns typed-in values into the field's type.
    instance.full_clean(validate_constraints=validate_constraints)
    changed = [name for name in fields if _value(instance, name) != before[name]]
    if changed:
        update_fields = [_concrete_name(instance, name) for name in changed]
        if _has_auto_updated_at(instance) and "updated_at" not in update_fields:
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    return instance, bool(changed)


def _value(instance, name):
    """The stored value of a field (a foreign key by its id, so comparing does not
    load the related row)."""
    field = _field(instance, name)
    if field is not None and field.is_relation and field.many_to_one:
        return getattr(instance, field.attname)
    return getattr(instance, name, _MISSING)


def _field(instance, name):
    try:
        return instance._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _concrete_name(instance, name) -> str:
    field = _field(instance, name)
    if field is None or not field.concrete:
        raise ValueError(f"model_update: {name} is not a field of {type(instance).__name__}")
    return field.name


def _has_auto_updated_at(instance) -> bool:
    field = _field(instance, "updated_at")
    return field is not None and getattr(field, "auto_now", False)
