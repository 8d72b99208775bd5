"""The requirements register moves out of the customers app (issue 17).

The models moved here from the customers app with their tables: every table keeps its
customers_* name (`db_table` on each model, `table_name` on its history, `db_table` on
the many-to-many table), so this migration creates nothing in the database. It only
tells Django's migration state that the models now belong to `requirements`, and moves their
content types (same rows, same ids) to the new app label. customers 0005 then removes
them from the customers app's state.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from qms.migration_ops import SeparateStateOnce, relabel_content_types

MODELS = ['requirement', 'requirementreview', 'requirementtransition', 'deployment', 'deploymentacknowledgement', 'briefread', 'historicalrequirement', 'historicalrequirement_topics', 'historicaldeployment']


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("customers", "0004_customer_search_trigram"),
        ("qms", "0003_management_review"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        SeparateStateOnce(
            # The tables stay as they are (same names, same rows): only Django's
            # picture of which app owns the models changes.
            state_operations=[
                migrations.CreateModel(
                            name='Deployment',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('commitment', models.TextField(help_text='What this department does to meet the need, e.g. “ID scan in 10 s”.', verbose_name='commitment')),
                                ('ack_days', models.PositiveSmallIntegerField(default=7, help_text='The head is reminded when the acknowledgement is this many days late.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='days to acknowledge')),
                                ('activated_at', models.DateTimeField(blank=True, null=True, verbose_name='deployed at')),
                                ('ack_due_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledge by')),
                                ('acknowledged_revision', models.PositiveIntegerField(blank=True, null=True, verbose_name='acknowledged revision')),
                                ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at')),
                                ('ack_comment', models.TextField(blank=True, verbose_name="head's comment")),
                                ('next_action_at', models.DateTimeField(blank=True, null=True, verbose_name='next reminder')),
                                ('reminder_step', models.PositiveSmallIntegerField(default=0, verbose_name='reminders sent')),
                                ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='acknowledged_deployments', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by')),
                                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requirement_deployments', to='qms.department', verbose_name='department')),
                            ],
                            options={
                                'verbose_name': 'deployment',
                                'verbose_name_plural': 'deployments',
                                'db_table': 'customers_deployment',
                                'ordering': ['requirement__title', 'department__name'],
                            },
                        ),
                migrations.CreateModel(
                            name='DeploymentAcknowledgement',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('revision', models.PositiveIntegerField(verbose_name='revision')),
                                ('comment', models.TextField(blank=True, verbose_name='comment')),
                                ('deployment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='acknowledgements', to='requirements.deployment', verbose_name='deployment')),
                                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deployment_acknowledgements', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by')),
                            ],
                            options={
                                'verbose_name': 'acknowledgement',
                                'verbose_name_plural': 'acknowledgements',
                                'db_table': 'customers_deploymentacknowledgement',
                                'ordering': ['-created_at', '-id'],
                            },
                        ),
                migrations.CreateModel(
                            name='HistoricalRequirement',
                            fields=[
                                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                                ('title', models.CharField(max_length=200, verbose_name='title')),
                                ('description', models.TextField(blank=True, verbose_name='description')),
                                ('kind', models.CharField(choices=[('statutory', 'Statutory or regulatory'), ('contractual', 'Contractual'), ('stated', 'Stated by the customer'), ('implied', 'Implied or anticipated future need'), ('delighter', 'Delighter that exceeds expectations')], max_length=20, verbose_name='kind')),
                                ('importance', models.PositiveSmallIntegerField(choices=[(1, 'Low'), (2, 'Medium'), (3, 'High'), (4, 'Critical')], default=2, verbose_name='importance')),
                                ('acceptance_criterion', models.CharField(blank=True, help_text='Measurable where possible, e.g. “checkout wait under 5 minutes”.', max_length=300, verbose_name='acceptance criterion')),
                                ('reference', models.CharField(blank=True, help_text='Required for statutory and contractual requirements.', max_length=300, verbose_name='regulation or contract reference')),
                                ('status', models.CharField(choices=[('proposed', 'Proposed'), ('under_review', 'Under review'), ('accepted', 'Accepted'), ('deployed', 'Deployed'), ('retired', 'Retired')], default='proposed', max_length=20, verbose_name='status')),
                                ('revision', models.PositiveIntegerField(default=1, editable=False, help_text='Goes up when the substance (title, description, acceptance criterion, kind) of a reviewed requirement changes; departments then acknowledge it again.', verbose_name='revision')),
                                ('revised_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='current revision since')),
                                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                                ('history_date', models.DateTimeField(db_index=True)),
                                ('history_change_reason', models.CharField(max_length=100, null=True)),
                                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                                ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                                ('segment', models.ForeignKey(blank=True, db_constraint=False, help_text='Leave empty when the requirement concerns every customer.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.segment', verbose_name='segment')),
                            ],
                            options={
                                'verbose_name': 'historical requirement',
                                'verbose_name_plural': 'historical requirements',
                                'db_table': 'customers_historicalrequirement',
                                'ordering': ('-history_date', '-history_id'),
                                'get_latest_by': ('history_date', 'history_id'),
                            },
                            bases=(simple_history.models.HistoricalChanges, models.Model),
                        ),
                migrations.CreateModel(
                            name='Requirement',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('title', models.CharField(max_length=200, verbose_name='title')),
                                ('description', models.TextField(blank=True, verbose_name='description')),
                                ('kind', models.CharField(choices=[('statutory', 'Statutory or regulatory'), ('contractual', 'Contractual'), ('stated', 'Stated by the customer'), ('implied', 'Implied or anticipated future need'), ('delighter', 'Delighter that exceeds expectations')], max_length=20, verbose_name='kind')),
                                ('importance', models.PositiveSmallIntegerField(choices=[(1, 'Low'), (2, 'Medium'), (3, 'High'), (4, 'Critical')], default=2, verbose_name='importance')),
                                ('acceptance_criterion', models.CharField(blank=True, help_text='Measurable where possible, e.g. “checkout wait under 5 minutes”.', max_length=300, verbose_name='acceptance criterion')),
                                ('reference', models.CharField(blank=True, help_text='Required for statutory and contractual requirements.', max_length=300, verbose_name='regulation or contract reference')),
                                ('status', models.CharField(choices=[('proposed', 'Proposed'), ('under_review', 'Under review'), ('accepted', 'Accepted'), ('deployed', 'Deployed'), ('retired', 'Retired')], default='proposed', max_length=20, verbose_name='status')),
                                ('revision', models.PositiveIntegerField(default=1, editable=False, help_text='Goes up when the substance (title, description, acceptance criterion, kind) of a reviewed requirement changes; departments then acknowledge it again.', verbose_name='revision')),
                                ('revised_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='current revision since')),
                                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_requirements', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                                ('segment', models.ForeignKey(blank=True, help_text='Leave empty when the requirement concerns every customer.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='requirements', to='customers.segment', verbose_name='segment')),
                                ('topics', models.ManyToManyField(blank=True, db_table='customers_requirement_topics', related_name='requirements', to='customers.topic', verbose_name='topics')),
                            ],
                            options={
                                'verbose_name': 'requirement',
                                'verbose_name_plural': 'requirements',
                                'db_table': 'customers_requirement',
                                'ordering': ['-importance', 'title'],
                            },
                        ),
                migrations.CreateModel(
                            name='HistoricalRequirement_topics',
                            fields=[
                                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='requirements.historicalrequirement')),
                                ('topic', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.topic')),
                                ('requirement', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='requirements.requirement')),
                            ],
                            options={
                                'verbose_name': 'HistoricalRequirement_topics',
                                'db_table': 'customers_historicalrequirement_topics',
                            },
                            bases=(simple_history.models.HistoricalChanges, models.Model),
                        ),
                migrations.CreateModel(
                            name='HistoricalDeployment',
                            fields=[
                                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                                ('commitment', models.TextField(help_text='What this department does to meet the need, e.g. “ID scan in 10 s”.', verbose_name='commitment')),
                                ('ack_days', models.PositiveSmallIntegerField(default=7, help_text='The head is reminded when the acknowledgement is this many days late.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='days to acknowledge')),
                                ('activated_at', models.DateTimeField(blank=True, null=True, verbose_name='deployed at')),
                                ('ack_due_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledge by')),
                                ('acknowledged_revision', models.PositiveIntegerField(blank=True, null=True, verbose_name='acknowledged revision')),
                                ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at')),
                                ('ack_comment', models.TextField(blank=True, verbose_name="head's comment")),
                                ('next_action_at', models.DateTimeField(blank=True, null=True, verbose_name='next reminder')),
                                ('reminder_step', models.PositiveSmallIntegerField(default=0, verbose_name='reminders sent')),
                                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                                ('history_date', models.DateTimeField(db_index=True)),
                                ('history_change_reason', models.CharField(max_length=100, null=True)),
                                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                                ('acknowledged_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by')),
                                ('department', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='qms.department', verbose_name='department')),
                                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                                ('requirement', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='requirements.requirement', verbose_name='requirement')),
                            ],
                            options={
                                'verbose_name': 'historical deployment',
                                'verbose_name_plural': 'historical deployments',
                                'db_table': 'customers_historicaldeployment',
                                'ordering': ('-history_date', '-history_id'),
                                'get_latest_by': ('history_date', 'history_id'),
                            },
                            bases=(simple_history.models.HistoricalChanges, models.Model),
                        ),
                migrations.AddField(
                            model_name='deployment',
                            name='requirement',
                            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deployments', to='requirements.requirement', verbose_name='requirement'),
                        ),
                migrations.CreateModel(
                            name='RequirementReview',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('revision', models.PositiveIntegerField(verbose_name='revision reviewed')),
                                ('can_meet', models.BooleanField(verbose_name='the organisation can meet it')),
                                ('note', models.TextField(blank=True, verbose_name='note')),
                                ('requirement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='requirements.requirement', verbose_name='requirement')),
                                ('reviewed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requirement_reviews', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by')),
                            ],
                            options={
                                'verbose_name': 'requirement review',
                                'verbose_name_plural': 'requirement reviews',
                                'db_table': 'customers_requirementreview',
                                'ordering': ['-created_at', '-id'],
                            },
                        ),
                migrations.CreateModel(
                            name='RequirementTransition',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('from_status', models.CharField(blank=True, choices=[('proposed', 'Proposed'), ('under_review', 'Under review'), ('accepted', 'Accepted'), ('deployed', 'Deployed'), ('retired', 'Retired')], max_length=20, verbose_name='from')),
                                ('to_status', models.CharField(choices=[('proposed', 'Proposed'), ('under_review', 'Under review'), ('accepted', 'Accepted'), ('deployed', 'Deployed'), ('retired', 'Retired')], max_length=20, verbose_name='to')),
                                ('revision', models.PositiveIntegerField(verbose_name='revision')),
                                ('note', models.TextField(blank=True, verbose_name='note')),
                                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='requirement_transitions', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                                ('requirement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='requirements.requirement', verbose_name='requirement')),
                            ],
                            options={
                                'verbose_name': 'requirement transition',
                                'verbose_name_plural': 'requirement transitions',
                                'db_table': 'customers_requirementtransition',
                                'ordering': ['-created_at', '-id'],
                            },
                        ),
                migrations.CreateModel(
                            name='BriefRead',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('revision', models.PositiveIntegerField(verbose_name='revision')),
                                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='brief_reads', to=settings.AUTH_USER_MODEL, verbose_name='read by')),
                                ('deployment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reads', to='requirements.deployment', verbose_name='deployment')),
                            ],
                            options={
                                'verbose_name': 'brief read',
                                'verbose_name_plural': 'brief reads',
                                'db_table': 'customers_briefread',
                                'ordering': ['-created_at', '-id'],
                                'indexes': [models.Index(fields=['deployment', 'revision'], name='brief_read_revision_idx')],
                                'constraints': [models.UniqueConstraint(fields=('deployment', 'user', 'revision'), name='brief_read_once_per_revision')],
                            },
                        ),
                migrations.AddIndex(
                            model_name='requirement',
                            index=models.Index(fields=['status', 'kind'], name='requirement_status_kind_idx'),
                        ),
                migrations.AddConstraint(
                            model_name='requirement',
                            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['statutory', 'contractual']), _negated=True), models.Q(('reference', ''), _negated=True), _connector='OR'), name='requirement_reference_for_statutory_contractual'),
                        ),
                migrations.AddIndex(
                            model_name='deployment',
                            index=models.Index(condition=models.Q(('next_action_at__isnull', False)), fields=['next_action_at'], name='deployment_ack_due_idx'),
                        ),
                migrations.AddIndex(
                            model_name='deployment',
                            index=models.Index(fields=['department', 'requirement'], name='deployment_department_idx'),
                        ),
                migrations.AddConstraint(
                            model_name='deployment',
                            constraint=models.UniqueConstraint(fields=('requirement', 'department'), name='deployment_requirement_department'),
                        ),
                migrations.AddConstraint(
                            model_name='deployment',
                            constraint=models.CheckConstraint(condition=models.Q(('ack_days__gte', 1)), name='deployment_ack_days_positive'),
                        ),
                migrations.AddIndex(
                            model_name='requirementreview',
                            index=models.Index(fields=['requirement', '-created_at'], name='req_review_latest_idx'),
                        ),
                migrations.AddConstraint(
                            model_name='requirementreview',
                            constraint=models.CheckConstraint(condition=models.Q(('can_meet', True), models.Q(('note', ''), _negated=True), _connector='OR'), name='requirement_review_note_when_no'),
                        ),
            ],
            database_operations=[],
        ),
        relabel_content_types("customers", "requirements", MODELS),
    ]
