"""Operations for migrations that move models between apps with their tables kept
(docs/architecture.md section 2). Migrations import this module: keep what it does stable.

- `SeparateStateOnce`: `SeparateDatabaseAndState` that drops the rendered model classes
  before changing the state, so Django renders them once afterwards instead of
  re-rendering the related models after each of many state operations (seconds on every
  `migrate`).
- `relabel_content_types(old, new, models)`: a reversible `RunPython` that moves the
  content type rows of `models` from app label `old` to `new`, keeping their ids (and so
  permissions, history and every generic relation that points at them).
"""

from django.db import migrations


class SeparateStateOnce(migrations.SeparateDatabaseAndState):
    def state_forwards(self, app_label, state):
        state.__dict__.pop("apps", None)
        super().state_forwards(app_label, state)


def _relabel(apps, schema_editor, old_label: str, new_label: str, models) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in models:
        old = rows.filter(app_label=old_label, model=model)
        if not old.exists():
            continue
        # A row under the new label can only come from a half-done earlier run (e.g. the
        # new app's first migration and its post_migrate): the old row, which everything
        # points at, wins.
        rows.filter(app_label=new_label, model=model).delete()
        old.update(app_label=new_label)


def relabel_content_types(old_label: str, new_label: str, models) -> migrations.RunPython:
    models = tuple(models)

    def forwards(apps, schema_editor):
        _relabel(apps, schema_editor, old_label, new_label, models)

    def backwards(apps, schema_editor):
        _relabel(apps, schema_editor, new_label, old_label, models)

    return migrations.RunPython(forwards, backwards)
