"""The research sources move out of the customers app (issue 17).

The models moved here from the customers app with their tables: every table keeps its
customers_* name (`db_table` on each model, `table_name` on its history, `db_table` on
the many-to-many table), so this migration creates nothing in the database. It only
tells Django's migration state that the models now belong to `research`, and moves their
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

MODELS = ['ticket', 'purchase', 'interview', 'interviewfinding', 'historicalinterview']


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("customers", "0004_customer_search_trigram"),
        ("qms", "0003_management_review"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("requirements", "0001_initial"),
    ]

    operations = [
        SeparateStateOnce(
            # The tables stay as they are (same names, same rows): only Django's
            # picture of which app owns the models changes.
            state_operations=[
                migrations.CreateModel(
                            name='HistoricalInterview',
                            fields=[
                                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                                ('title', models.CharField(help_text='E.g. “Mom group, Hangzhou, March”.', max_length=200, verbose_name='title')),
                                ('held_on', models.DateField(verbose_name='date')),
                                ('notes', models.TextField(blank=True, verbose_name='notes')),
                                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                                ('history_date', models.DateTimeField(db_index=True)),
                                ('history_change_reason', models.CharField(max_length=100, null=True)),
                                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                                ('customer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.customer', verbose_name='customer')),
                                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                                ('interviewer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='interviewer')),
                                ('segment', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.segment', verbose_name='segment')),
                            ],
                            options={
                                'verbose_name': 'historical interview',
                                'verbose_name_plural': 'historical interviews',
                                'db_table': 'customers_historicalinterview',
                                'ordering': ('-history_date', '-history_id'),
                                'get_latest_by': ('history_date', 'history_id'),
                            },
                            bases=(simple_history.models.HistoricalChanges, models.Model),
                        ),
                migrations.CreateModel(
                            name='Interview',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('title', models.CharField(help_text='E.g. “Mom group, Hangzhou, March”.', max_length=200, verbose_name='title')),
                                ('held_on', models.DateField(verbose_name='date')),
                                ('notes', models.TextField(blank=True, verbose_name='notes')),
                                ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='interviews', to='customers.customer', verbose_name='customer')),
                                ('interviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='interviews', to=settings.AUTH_USER_MODEL, verbose_name='interviewer')),
                                ('segment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='interviews', to='customers.segment', verbose_name='segment')),
                            ],
                            options={
                                'verbose_name': 'interview',
                                'verbose_name_plural': 'interviews',
                                'db_table': 'customers_interview',
                                'ordering': ['-held_on', '-id'],
                            },
                        ),
                migrations.CreateModel(
                            name='InterviewFinding',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('note', models.TextField(help_text="What was learned, in the customer's words if possible.", verbose_name='finding or quote')),
                                ('interview', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='research.interview', verbose_name='interview')),
                                ('requirement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='findings', to='requirements.requirement', verbose_name='candidate requirement')),
                                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='findings', to='customers.topic', verbose_name='topic')),
                            ],
                            options={
                                'verbose_name': 'interview finding',
                                'verbose_name_plural': 'interview findings',
                                'db_table': 'customers_interviewfinding',
                                'ordering': ['interview', 'id'],
                            },
                        ),
                migrations.CreateModel(
                            name='Purchase',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('external_id', models.CharField(help_text="The order line's number in the shop or ERP; re-imports match on it.", max_length=60, verbose_name='external id')),
                                ('product', models.CharField(max_length=120, verbose_name='product')),
                                ('quantity', models.PositiveIntegerField(default=1, verbose_name='quantity')),
                                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount')),
                                ('purchased_at', models.DateTimeField(verbose_name='purchased')),
                                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='purchases', to='customers.customer', verbose_name='customer')),
                            ],
                            options={
                                'verbose_name': 'purchase',
                                'verbose_name_plural': 'purchases',
                                'db_table': 'customers_purchase',
                                'ordering': ['-purchased_at', '-id'],
                            },
                        ),
                migrations.CreateModel(
                            name='Ticket',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('external_id', models.CharField(help_text="The work order's number in the service desk; re-imports match on it.", max_length=60, verbose_name='external id')),
                                ('product', models.CharField(blank=True, max_length=120, verbose_name='product')),
                                ('opened_at', models.DateTimeField(verbose_name='opened')),
                                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                                ('resolution', models.TextField(blank=True, verbose_name='resolution')),
                                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='customers.customer', verbose_name='customer')),
                                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='customers.topic', verbose_name='topic')),
                            ],
                            options={
                                'verbose_name': 'after-sales ticket',
                                'verbose_name_plural': 'after-sales tickets',
                                'db_table': 'customers_ticket',
                                'ordering': ['-opened_at', '-id'],
                            },
                        ),
                migrations.AddIndex(
                            model_name='interview',
                            index=models.Index(fields=['held_on'], name='interview_held_on_idx'),
                        ),
                migrations.AddConstraint(
                            model_name='interview',
                            constraint=models.CheckConstraint(condition=models.Q(('customer__isnull', False), ('segment__isnull', False), _connector='OR'), name='interview_customer_or_segment'),
                        ),
                migrations.AddIndex(
                            model_name='interviewfinding',
                            index=models.Index(fields=['topic', 'interview'], name='finding_topic_interview_idx'),
                        ),
                migrations.AddIndex(
                            model_name='purchase',
                            index=models.Index(fields=['customer', 'purchased_at'], name='purchase_customer_date_idx'),
                        ),
                migrations.AddIndex(
                            model_name='purchase',
                            index=models.Index(fields=['purchased_at'], name='purchase_date_idx'),
                        ),
                migrations.AddConstraint(
                            model_name='purchase',
                            constraint=models.UniqueConstraint(fields=('external_id',), name='purchase_external_id_unique'),
                        ),
                migrations.AddConstraint(
                            model_name='purchase',
                            constraint=models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='purchase_amount_not_negative'),
                        ),
                migrations.AddConstraint(
                            model_name='purchase',
                            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1)), name='purchase_quantity_positive'),
                        ),
                migrations.AddIndex(
                            model_name='ticket',
                            index=models.Index(fields=['opened_at', 'topic'], name='ticket_opened_topic_idx'),
                        ),
                migrations.AddIndex(
                            model_name='ticket',
                            index=models.Index(fields=['topic', 'opened_at'], name='ticket_topic_opened_idx'),
                        ),
                migrations.AddIndex(
                            model_name='ticket',
                            index=models.Index(fields=['customer', 'opened_at'], name='ticket_customer_opened_idx'),
                        ),
                migrations.AddConstraint(
                            model_name='ticket',
                            constraint=models.UniqueConstraint(fields=('external_id',), name='ticket_external_id_unique'),
                        ),
                migrations.AddConstraint(
                            model_name='ticket',
                            constraint=models.CheckConstraint(condition=models.Q(('closed_at__isnull', True), ('closed_at__gte', models.F('opened_at')), _connector='OR'), name='ticket_closed_after_opened'),
                        ),
            ],
            database_operations=[],
        ),
        relabel_content_types("customers", "research", MODELS),
    ]
