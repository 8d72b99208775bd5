"""Waves keep when their first and last invitations were sent (with `sent_count`), so the
response rate of a period reads the counts of the waves sent inside it; foreign keys that
other indexes already start with lose their own index (fewer index entries per submit)."""

import django.db.models.deletion
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
        ("satisfaction", "0011_invitation_segment_tally_zone"),
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
        migrations.AlterField(
            model_name='answer',
            name='survey',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey'),
        ),
        migrations.AlterField(
            model_name='invitation',
            name='customer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='survey_invitations', to='customers.customer', verbose_name='customer'),
        ),
        migrations.AlterField(
            model_name='invitation',
            name='wave',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='satisfaction.wave', verbose_name='wave'),
        ),
        migrations.AlterField(
            model_name='response',
            name='invitation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='satisfaction.invitation', verbose_name='invitation'),
        ),
        migrations.AlterField(
            model_name='response',
            name='survey',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='surveys.survey', verbose_name='survey'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
