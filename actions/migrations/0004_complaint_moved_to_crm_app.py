"""Action sources point at crm.Complaint (the same table, customers_complaint, moved to
the crm app with issue 17): a change of Django's state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from qms.migration_ops import SeparateStateOnce


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0003_actiontransition_workflow_log"),
        ("crm", "0001_initial"),
    ]

    operations = [
        SeparateStateOnce(
            # The tables stay as they are (same names, same rows): only Django's
            # picture of which app owns the models changes.
            state_operations=[
                migrations.AlterField(
                            model_name='actionsource',
                            name='complaint',
                            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrective_action_sources', to='crm.complaint', verbose_name='complaint'),
                        ),
            ],
            database_operations=[],
        ),
    ]
