from django.db import migrations, models


class Migration(migrations.Migration):
    """A walk-in's response (places app: QR codes, kiosks) has no invitation."""

    dependencies = [
        ("satisfaction", "0012_wave_counts_fewer_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="response",
            name="invitation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="satisfaction.invitation",
                verbose_name="invitation",
                db_index=False,
            ),
        ),
    ]
