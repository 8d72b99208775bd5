"""Audit trail pages. Each app registers the records an auditor reads, with the selector
that checks the user may see the record; `HistoryView` then lists who changed what, when.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.http import Http404


@dataclass(frozen=True)
class HistoryEntry:
    model: type[models.Model]
    get_for_user: Callable  # (user, pk) -> instance or Http404
    back_url: Callable  # (instance) -> url of the record's page


_entries: dict[str, HistoryEntry] = {}


def register(slug: str, *, model, get_for_user, back_url) -> None:
    _entries[slug] = HistoryEntry(model=model, get_for_user=get_for_user, back_url=back_url)


def entry_for(slug: str) -> HistoryEntry:
    try:
        return _entries[slug]
    except KeyError:
        raise Http404 from None


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class Revision:
    record: object
    changes: list[Change]


def revisions(records: list) -> list[Revision]:
    """Pair each historical record (newest first) with the field changes it made.

    `records` is one page plus the record just before it, so the oldest shown revision
    can be compared with its predecessor; that extra record is not returned.
    """
    result = []
    pending_fk: dict[type, set] = {}
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = record.instance_type._meta.get_field(change.field)
                old, new = change.old, change.new
                if field.many_to_many:
                    # simple_history gives the through-table rows; keep the target ids.
                    key = field.m2m_reverse_field_name()
                    old = sorted(row[key] for row in old or [])
                    new = sorted(row[key] for row in new or [])
                    pending_fk.setdefault(field.related_model, set()).update(old + new)
                elif field.choices:
                    labels = dict(field.flatchoices)
                    old, new = labels.get(old, old), labels.get(new, new)
                elif field.is_relation:
                    pending_fk.setdefault(field.related_model, set()).update(
                        v for v in (old, new) if v is not None
                    )
                changes.append(Change(field=field, old=old, new=new))
        result.append(Revision(record=record, changes=changes))
    # Show related records by name, one query per related model (not per change).
    names = {model: model._default_manager.in_bulk(pks) for model, pks in pending_fk.items()}
    for revision in result:
        for change in revision.changes:
            field = change.field
            if field.many_to_many:
                found = names.get(field.related_model, {})
                change.old = ", ".join(sorted(str(found.get(pk, pk)) for pk in change.old))
                change.new = ", ".join(sorted(str(found.get(pk, pk)) for pk in change.new))
            elif field.is_relation and not field.choices:
                found = names.get(field.related_model, {})
                change.old = found.get(change.old, change.old)
                change.new = found.get(change.new, change.new)
            change.field = str(field.verbose_name)
    return result
