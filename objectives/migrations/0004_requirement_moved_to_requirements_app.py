"""Objectives point at requirements.Requirement (the same table, customers_requirement,
moved to the requirements app with issue 17): a change of Django's state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from qms.migration_ops import SeparateStateOnce


class Migration(migrations.Migration):
    dependencies = [
        ("objectives", "0003_objective_requirements_history"),
        ("requirements", "0001_initial"),
    ]

    operations = [
        SeparateStateOnce(
            # The tables stay as they are (same names, same rows): only Django's
            # picture of which app owns the models changes.
            state_operations=[
                migrations.AlterField(
                            model_name='historicalobjective_requirements',
                            name='requirement',
                            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='requirements.requirement'),
                        ),
                migrations.AlterField(
                            model_name='objective',
                            name='requirements',
                            field=models.ManyToManyField(blank=True, related_name='objectives', to='requirements.requirement', verbose_name='customer requirements served'),
                        ),
            ],
            database_operations=[],
        ),
    ]
