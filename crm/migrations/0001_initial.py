"""The CRM moves out of the customers app (issue 17).

The models moved here from the customers app with their tables: every table keeps its
customers_* name (`db_table` on each model, `table_name` on its history, `db_table` on
the many-to-many table), so this migration creates nothing in the database. It only
tells Django's migration state that the models now belong to `crm`, and moves their
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

MODELS = ['interaction', 'preference', 'booking', 'checklistitem', 'complaint', 'complaintevent', 'complaintcounter', 'erasurerecord', 'historicalcomplaint']


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("customers", "0004_customer_search_trigram"),
        ("qms", "0003_management_review"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("research", "0001_initial"),
    ]

    operations = [
        SeparateStateOnce(
            # The tables stay as they are (same names, same rows): only Django's
            # picture of which app owns the models changes.
            state_operations=[
                migrations.CreateModel(
                            name='ComplaintCounter',
                            fields=[
                                ('year', models.PositiveIntegerField(primary_key=True, serialize=False)),
                                ('last', models.PositiveIntegerField(default=0)),
                            ],
                            options={
                                'verbose_name': 'complaint counter',
                                'verbose_name_plural': 'complaint counters',
                                'db_table': 'customers_complaintcounter',
                            },
                        ),
                migrations.CreateModel(
                            name='Preference',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('category', models.CharField(choices=[('room', 'Room'), ('food_drink', 'Food and drink'), ('seat', 'Seat'), ('meal', 'Meal'), ('communication', 'Communication'), ('other', 'Other')], max_length=20, verbose_name='category')),
                                ('value', models.CharField(max_length=200, verbose_name='preference')),
                                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                                ('source', models.CharField(choices=[('customer_said', 'The customer told us'), ('observed', 'Observed by staff'), ('survey', 'Survey'), ('booking', 'Booking form'), ('import', 'Import')], default='customer_said', max_length=20, verbose_name='source')),
                                ('last_confirmed_on', models.DateField(blank=True, null=True, verbose_name='last confirmed')),
                            ],
                            options={
                                'verbose_name': 'preference',
                                'verbose_name_plural': 'preferences',
                                'db_table': 'customers_preference',
                                'ordering': ['customer', 'category', 'value'],
                            },
                        ),
                migrations.CreateModel(
                            name='Booking',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('kind', models.CharField(choices=[('booking', 'Booking'), ('visit', 'Visit'), ('order', 'Order')], default='booking', max_length=20, verbose_name='kind')),
                                ('starts_at', models.DateTimeField(verbose_name='arrives or starts')),
                                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='logged_bookings', to=settings.AUTH_USER_MODEL, verbose_name='logged by')),
                                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bookings', to='customers.customer', verbose_name='customer')),
                                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='customer_bookings', to='qms.department', verbose_name='department')),
                            ],
                            options={
                                'verbose_name': 'booking or visit',
                                'verbose_name_plural': 'bookings and visits',
                                'db_table': 'customers_booking',
                                'ordering': ['starts_at', 'id'],
                            },
                        ),
                migrations.CreateModel(
                            name='ChecklistItem',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('text', models.CharField(max_length=300, verbose_name='prepare')),
                                ('prepared_at', models.DateTimeField(blank=True, null=True, verbose_name='prepared at')),
                                ('booking', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checklist', to='crm.booking', verbose_name='booking')),
                                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checklist_items', to='qms.department', verbose_name='department')),
                                ('prepared_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='prepared_checklist_items', to=settings.AUTH_USER_MODEL, verbose_name='prepared by')),
                            ],
                            options={
                                'verbose_name': 'checklist item',
                                'verbose_name_plural': 'checklist items',
                                'db_table': 'customers_checklistitem',
                                'ordering': ['booking', 'department__code', 'id'],
                            },
                        ),
                migrations.CreateModel(
                            name='Complaint',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('reference', models.CharField(editable=False, max_length=20, verbose_name='reference')),
                                ('description', models.TextField(verbose_name='what happened')),
                                ('remedy_sought', models.TextField(blank=True, verbose_name='remedy the customer seeks')),
                                ('severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], default='medium', max_length=10, verbose_name='severity')),
                                ('channel', models.CharField(choices=[('in_person', 'In person'), ('phone', 'Phone'), ('email', 'E-mail'), ('web', 'Web or app'), ('chat', 'Chat'), ('letter', 'Letter'), ('system', 'Imported from another system')], default='in_person', max_length=20, verbose_name='received through')),
                                ('status', models.CharField(choices=[('received', 'Received'), ('acknowledged', 'Acknowledged'), ('assessing', 'Assessing'), ('investigating', 'Investigating'), ('decided', 'Decided, awaiting the customer'), ('closed', 'Closed')], default='received', max_length=20, verbose_name='status')),
                                ('received_at', models.DateTimeField(verbose_name='received')),
                                ('due_at', models.DateTimeField(verbose_name='respond by')),
                                ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged')),
                                ('first_decided_at', models.DateTimeField(blank=True, null=True, verbose_name='first decision')),
                                ('decision', models.TextField(blank=True, verbose_name='decision')),
                                ('response_round', models.PositiveSmallIntegerField(default=1, verbose_name='response round')),
                                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                                ('escalated', models.BooleanField(default=False, verbose_name='escalated to a corrective action')),
                                ('escalation_note', models.TextField(blank=True, verbose_name='escalation note')),
                                ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='escalated')),
                                ('next_action_at', models.DateTimeField(blank=True, null=True, verbose_name='next reminder')),
                                ('reminder_step', models.PositiveSmallIntegerField(default=0, verbose_name='reminders sent')),
                                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='customers.customer', verbose_name='customer')),
                                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='qms.department', verbose_name='department concerned')),
                                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_complaints', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='customers.topic', verbose_name='topic')),
                            ],
                            options={
                                'verbose_name': 'complaint',
                                'verbose_name_plural': 'complaints',
                                'db_table': 'customers_complaint',
                                'ordering': ['-received_at', '-id'],
                            },
                        ),
                migrations.CreateModel(
                            name='ComplaintEvent',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('from_status', models.CharField(blank=True, choices=[('received', 'Received'), ('acknowledged', 'Acknowledged'), ('assessing', 'Assessing'), ('investigating', 'Investigating'), ('decided', 'Decided, awaiting the customer'), ('closed', 'Closed')], max_length=20, verbose_name='from')),
                                ('to_status', models.CharField(choices=[('received', 'Received'), ('acknowledged', 'Acknowledged'), ('assessing', 'Assessing'), ('investigating', 'Investigating'), ('decided', 'Decided, awaiting the customer'), ('closed', 'Closed')], max_length=20, verbose_name='to')),
                                ('note', models.TextField(blank=True, verbose_name='note')),
                                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='complaint_events', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                                ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='crm.complaint', verbose_name='complaint')),
                            ],
                            options={
                                'verbose_name': 'complaint step',
                                'verbose_name_plural': 'complaint steps',
                                'db_table': 'customers_complaintevent',
                                'ordering': ['created_at', 'id'],
                            },
                        ),
                migrations.CreateModel(
                            name='ErasureRecord',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('customer_id_erased', models.PositiveBigIntegerField(verbose_name='customer id')),
                                ('reason', models.TextField(verbose_name='reason')),
                                ('erased_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='customer_erasures', to=settings.AUTH_USER_MODEL, verbose_name='erased by')),
                            ],
                            options={
                                'verbose_name': 'erasure record',
                                'verbose_name_plural': 'erasure records',
                                'db_table': 'customers_erasurerecord',
                                'ordering': ['-created_at', '-id'],
                            },
                        ),
                migrations.CreateModel(
                            name='HistoricalComplaint',
                            fields=[
                                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                                ('reference', models.CharField(editable=False, max_length=20, verbose_name='reference')),
                                ('description', models.TextField(verbose_name='what happened')),
                                ('remedy_sought', models.TextField(blank=True, verbose_name='remedy the customer seeks')),
                                ('severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], default='medium', max_length=10, verbose_name='severity')),
                                ('channel', models.CharField(choices=[('in_person', 'In person'), ('phone', 'Phone'), ('email', 'E-mail'), ('web', 'Web or app'), ('chat', 'Chat'), ('letter', 'Letter'), ('system', 'Imported from another system')], default='in_person', max_length=20, verbose_name='received through')),
                                ('status', models.CharField(choices=[('received', 'Received'), ('acknowledged', 'Acknowledged'), ('assessing', 'Assessing'), ('investigating', 'Investigating'), ('decided', 'Decided, awaiting the customer'), ('closed', 'Closed')], default='received', max_length=20, verbose_name='status')),
                                ('received_at', models.DateTimeField(verbose_name='received')),
                                ('due_at', models.DateTimeField(verbose_name='respond by')),
                                ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged')),
                                ('first_decided_at', models.DateTimeField(blank=True, null=True, verbose_name='first decision')),
                                ('decision', models.TextField(blank=True, verbose_name='decision')),
                                ('response_round', models.PositiveSmallIntegerField(default=1, verbose_name='response round')),
                                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                                ('escalated', models.BooleanField(default=False, verbose_name='escalated to a corrective action')),
                                ('escalation_note', models.TextField(blank=True, verbose_name='escalation note')),
                                ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='escalated')),
                                ('next_action_at', models.DateTimeField(blank=True, null=True, verbose_name='next reminder')),
                                ('reminder_step', models.PositiveSmallIntegerField(default=0, verbose_name='reminders sent')),
                                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                                ('history_date', models.DateTimeField(db_index=True)),
                                ('history_change_reason', models.CharField(max_length=100, null=True)),
                                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                                ('customer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.customer', verbose_name='customer')),
                                ('department', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='qms.department', verbose_name='department concerned')),
                                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                                ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                                ('topic', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.topic', verbose_name='topic')),
                            ],
                            options={
                                'verbose_name': 'historical complaint',
                                'verbose_name_plural': 'historical complaints',
                                'db_table': 'customers_historicalcomplaint',
                                'ordering': ('-history_date', '-history_id'),
                                'get_latest_by': ('history_date', 'history_id'),
                            },
                            bases=(simple_history.models.HistoricalChanges, models.Model),
                        ),
                migrations.CreateModel(
                            name='Interaction',
                            fields=[
                                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                                ('kind', models.CharField(choices=[('order', 'Order'), ('purchase', 'Purchase'), ('booking', 'Booking'), ('visit', 'Visit'), ('call', 'Call'), ('email', 'E-mail'), ('complaint', 'Complaint'), ('ticket', 'After-sales ticket'), ('interview', 'Interview'), ('survey_response', 'Survey response')], max_length=20, verbose_name='kind')),
                                ('channel', models.CharField(choices=[('in_person', 'In person'), ('phone', 'Phone'), ('email', 'E-mail'), ('web', 'Web or app'), ('chat', 'Chat'), ('letter', 'Letter'), ('system', 'Imported from another system')], default='in_person', max_length=20, verbose_name='channel')),
                                ('occurred_at', models.DateTimeField(verbose_name='when')),
                                ('summary', models.TextField(blank=True, verbose_name='summary')),
                                ('external_id', models.CharField(blank=True, help_text="The interaction's id in the system it came from; re-imports match on it.", max_length=60, verbose_name='external id')),
                                ('link', models.URLField(blank=True, verbose_name='link')),
                                ('booking', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='interaction', to='crm.booking')),
                                ('complaint', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='interaction', to='crm.complaint')),
                                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='interactions', to='customers.customer', verbose_name='customer')),
                                ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='customer_interactions', to='qms.department', verbose_name='department')),
                            ],
                            options={
                                'verbose_name': 'interaction',
                                'verbose_name_plural': 'interactions',
                                'db_table': 'customers_interaction',
                                'ordering': ['-occurred_at', '-id'],
                            },
                        ),
                migrations.AddField(
                            model_name='interaction',
                            name='interview',
                            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='interactions', to='research.interview'),
                        ),
                migrations.AddField(
                            model_name='interaction',
                            name='logged_by',
                            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='logged_interactions', to=settings.AUTH_USER_MODEL, verbose_name='logged by'),
                        ),
                migrations.AddField(
                            model_name='interaction',
                            name='purchase',
                            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='interaction', to='research.purchase'),
                        ),
                migrations.AddField(
                            model_name='interaction',
                            name='ticket',
                            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='interaction', to='research.ticket'),
                        ),
                migrations.AddField(
                            model_name='preference',
                            name='customer',
                            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='preferences', to='customers.customer', verbose_name='customer'),
                        ),
                migrations.AddField(
                            model_name='preference',
                            name='department',
                            field=models.ForeignKey(blank=True, help_text='The department that prepares this before a booking or visit (e.g. Housekeeping for the coffee). Empty: the department that logs the booking.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='customer_preferences', to='qms.department', verbose_name='prepared by department'),
                        ),
                migrations.AddField(
                            model_name='checklistitem',
                            name='preference',
                            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='checklist_items', to='crm.preference', verbose_name='preference'),
                        ),
                migrations.AddIndex(
                            model_name='booking',
                            index=models.Index(fields=['starts_at'], name='booking_starts_idx'),
                        ),
                migrations.AddIndex(
                            model_name='complaint',
                            index=models.Index(condition=models.Q(('next_action_at__isnull', False)), fields=['next_action_at'], name='complaint_due_idx'),
                        ),
                migrations.AddIndex(
                            model_name='complaint',
                            index=models.Index(fields=['department', 'status', '-received_at'], name='complaint_dept_status_idx'),
                        ),
                migrations.AddIndex(
                            model_name='complaint',
                            index=models.Index(fields=['received_at'], name='complaint_received_idx'),
                        ),
                migrations.AddIndex(
                            model_name='complaint',
                            index=models.Index(fields=['customer', 'status'], name='complaint_customer_idx'),
                        ),
                migrations.AddConstraint(
                            model_name='complaint',
                            constraint=models.UniqueConstraint(fields=('reference',), name='complaint_reference_unique'),
                        ),
                migrations.AddIndex(
                            model_name='interaction',
                            index=models.Index(fields=['customer', '-occurred_at', '-id'], name='interaction_timeline_idx'),
                        ),
                migrations.AddIndex(
                            model_name='interaction',
                            index=models.Index(fields=['kind', 'occurred_at'], name='interaction_kind_date_idx'),
                        ),
                migrations.AddConstraint(
                            model_name='interaction',
                            constraint=models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('external_id',), name='interaction_external_id_unique'),
                        ),
                migrations.AddConstraint(
                            model_name='interaction',
                            constraint=models.UniqueConstraint(condition=models.Q(('interview__isnull', False)), fields=('interview', 'customer'), name='interaction_interview_customer_unique'),
                        ),
                migrations.AddConstraint(
                            model_name='preference',
                            constraint=models.UniqueConstraint(fields=('customer', 'category', 'value'), name='preference_unique_value'),
                        ),
                migrations.AddIndex(
                            model_name='checklistitem',
                            index=models.Index(fields=['department', 'booking'], name='checklist_department_idx'),
                        ),
                migrations.AddConstraint(
                            model_name='checklistitem',
                            constraint=models.UniqueConstraint(condition=models.Q(('preference__isnull', False)), fields=('booking', 'preference'), name='checklist_item_once_per_preference'),
                        ),
            ],
            database_operations=[],
        ),
        relabel_content_types("customers", "crm", MODELS),
    ]
