"""Objectives store their health as the moments it changes (objectives.progress, "Stored
health"), filled here for the objectives that exist."""

from django.db import migrations, models
from django.utils import timezone

INTERVAL_DAYS = {"weekly": 7, "monthly": 31, "quarterly": 92}


def backfill(apps, schema_editor):
    from objectives import progress as maths

    Objective = apps.get_model("objectives", "Objective")
    KeyResult = apps.get_model("objectives", "KeyResult")
    by_objective: dict[int, list] = {}
    for kr in KeyResult.objects.order_by("id").iterator(chunk_size=2000):
        by_objective.setdefault(kr.objective_id, []).append(
            maths.KeyResultInput(
                weight=kr.weight,
                direction=kr.direction,
                baseline=kr.baseline,
                target=kr.target,
                current=kr.current_value,
            )
        )
    changed = []
    for objective in Objective.objects.order_by("id").iterator(chunk_size=2000):
        columns = maths.stored_health(
            key_results=by_objective.get(objective.id, []),
            period_start=objective.period_start,
            period_end=objective.period_end,
            started_on=max(objective.period_start, timezone.localdate(objective.created_at)),
            last_checkin_at=objective.last_checkin_at,
            interval_days=INTERVAL_DAYS.get(objective.checkin_interval, 31),
            active=objective.status == "active",
        )
        for name, value in columns.items():
            setattr(objective, name, value)
        changed.append(objective)
        if len(changed) >= 2000:
            Objective.objects.bulk_update(changed, list(columns))
            changed = []
    if changed:
        Objective.objects.bulk_update(changed, list(columns))


class Migration(migrations.Migration):
    dependencies = [
        ("objectives", "0004_requirement_moved_to_requirements_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="objective",
            name="health_progress",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                editable=False,
                max_digits=5,
                null=True,
                verbose_name="progress (%)",
            ),
        ),
        migrations.AddField(
            model_name="objective",
            name="on_track_until",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="objective",
            name="at_risk_until",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="objective",
            name="stale_after",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
