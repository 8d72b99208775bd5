"""ActionTransition on the workflow kernel's TransitionLog: `by` is now `actor` and `at`
is now `created_at` in Python. The columns keep their names (`by_id`, `at`) and the
index stays as it is, so nothing changes in the database (state only)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0002_complaint_sources'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveIndex(
                    model_name='actiontransition',
                    name='transition_action_at_idx',
                ),
                migrations.RenameField(
                    model_name='actiontransition',
                    old_name='by',
                    new_name='actor',
                ),
                migrations.RenameField(
                    model_name='actiontransition',
                    old_name='at',
                    new_name='created_at',
                ),
                migrations.AlterField(
                    model_name='actiontransition',
                    name='actor',
                    field=models.ForeignKey(
                        blank=True,
                        db_column='by_id',
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name='+',
                        to=settings.AUTH_USER_MODEL,
                        verbose_name='by',
                    ),
                ),
                migrations.AlterField(
                    model_name='actiontransition',
                    name='created_at',
                    field=models.DateTimeField(
                        db_column='at', default=django.utils.timezone.now, verbose_name='at'
                    ),
                ),
                migrations.AlterModelOptions(
                    name='actiontransition',
                    options={
                        'ordering': ['action', 'created_at', 'id'],
                        'verbose_name': 'transition',
                        'verbose_name_plural': 'transitions',
                    },
                ),
                migrations.AddIndex(
                    model_name='actiontransition',
                    index=models.Index(
                        fields=['action', 'created_at'], name='transition_action_at_idx'
                    ),
                ),
            ],
        ),
    ]
