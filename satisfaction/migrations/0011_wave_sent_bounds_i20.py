"""Waves keep when their first and last invitations were sent (with `sent_count`), so the
response rate of a period reads the counts of the waves sent inside it."""

from django.db import migrations, models
from django.db.models import Max, Min


def backfill(apps, schema_editor):
    Invitation = apps.get_model("satisfaction", "Invitation")
    Wave = apps.get_model("satisfaction", "Wave")
    rows = (
        Invitation.objects.filter(sent_at__isnull=False)
        .values("wave_id")
        .annotate(first=Min("sent_at"), last=Max("sent_at"))
        .order_by()
    )
    for row in rows.iterator(chunk_size=2000):
        Wave.objects.filter(pk=row["wave_id"]).update(
            first_sent_at=row["first"], last_sent_at=row["last"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0010_followup_action_opened_actcrit"),
    ]

    operations = [
        migrations.AddField(
            model_name="wave",
            name="first_sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="wave",
            name="last_sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalwave",
            name="first_sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalwave",
            name="last_sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
