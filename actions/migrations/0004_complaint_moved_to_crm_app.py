"""Action sources point at crm.Complaint (the same table, customers_complaint, moved to
the crm app with issue 17): a change of Django's state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class SeparateStateOnce(migrations.SeparateDatabaseAndState):
    """SeparateDatabaseAndState that drops the rendered model classes before changing the
    state, so Django renders them once afterwards instead of re-rendering the related
    models after each of the many state operations (seconds on every `migrate`)."""

    def state_forwards(self, app_label, state):
        state.__dict__.pop("apps", None)
        super().state_forwards(app_label, state)


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
