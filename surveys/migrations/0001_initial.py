"""Issue 17: survey authoring moves out of the satisfaction app into its own. The models
keep their tables (satisfaction_survey, ...), so this migration only tells Django that
the surveys app owns them (state); the database is not touched. satisfaction 0008 and
0009 then point the satisfaction models at these and drop the old ones from the state."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('customers', '0004_customer_search_trigram'),
        ('satisfaction', '0007_alertrule'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalSurvey',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('code', models.SlugField(help_text='Short unique code used in metrics and exports.', max_length=60, verbose_name='code')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('purpose', models.CharField(choices=[('relationship', 'Relationship (periodic)'), ('transactional', 'Transactional (after an interaction)'), ('ad_hoc', 'Ad hoc')], default='relationship', max_length=20, verbose_name='purpose')),
                        ('identity_mode', models.CharField(choices=[('identified', 'Identified'), ('confidential', 'Confidential (analysts see no identities)'), ('anonymous', 'Anonymous')], default='identified', max_length=20, verbose_name='identity mode')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical survey',
                        'verbose_name_plural': 'historical surveys',
                        'db_table': 'satisfaction_historicalsurvey',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Survey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('code', models.SlugField(help_text='Short unique code used in metrics and exports.', max_length=60, verbose_name='code')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('purpose', models.CharField(choices=[('relationship', 'Relationship (periodic)'), ('transactional', 'Transactional (after an interaction)'), ('ad_hoc', 'Ad hoc')], default='relationship', max_length=20, verbose_name='purpose')),
                        ('identity_mode', models.CharField(choices=[('identified', 'Identified'), ('confidential', 'Confidential (analysts see no identities)'), ('anonymous', 'Anonymous')], default='identified', max_length=20, verbose_name='identity mode')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='created_surveys', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ],
                    options={
                        'verbose_name': 'survey',
                        'verbose_name_plural': 'surveys',
                        'db_table': 'satisfaction_survey',
                        'ordering': ['title', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalSurveyVersion',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                        ('number', models.PositiveIntegerField(verbose_name='version')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=20, verbose_name='status')),
                        ('intro_en', models.TextField(blank=True, verbose_name='introduction (English)')),
                        ('intro_zh_hans', models.TextField(blank=True, verbose_name='introduction (Simplified Chinese)')),
                        ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('published_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published by')),
                        ('survey', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='surveys.survey', verbose_name='survey')),
                    ],
                    options={
                        'verbose_name': 'historical survey version',
                        'verbose_name_plural': 'historical survey versions',
                        'db_table': 'satisfaction_historicalsurveyversion',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalAlertRule',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                        ('question_code', models.SlugField(help_text="The question's stable code: the rule applies to every version that has it.", max_length=40, verbose_name='question code')),
                        ('condition', models.CharField(choices=[('at_most', 'the score is at most'), ('at_least', 'the score is at least'), ('chosen', 'any choice is made'), ('choice_is', 'this choice is made')], max_length=20, verbose_name='fires when')),
                        ('value', models.SmallIntegerField(blank=True, help_text='Score conditions only, e.g. 6 for “NPS at most 6”.', null=True, verbose_name='score')),
                        ('choice_code', models.SlugField(blank=True, help_text='“This choice is made” only: the code of the choice.', max_length=40, verbose_name='choice code')),
                        ('deadline_hours', models.PositiveSmallIntegerField(default=48, help_text='The case is due this many hours after the answer (1 to 720).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(720)], verbose_name='deadline (hours)')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('survey', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='surveys.survey', verbose_name='survey')),
                    ],
                    options={
                        'verbose_name': 'historical alert rule',
                        'verbose_name_plural': 'historical alert rules',
                        'db_table': 'satisfaction_historicalalertrule',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='AlertRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('question_code', models.SlugField(help_text="The question's stable code: the rule applies to every version that has it.", max_length=40, verbose_name='question code')),
                        ('condition', models.CharField(choices=[('at_most', 'the score is at most'), ('at_least', 'the score is at least'), ('chosen', 'any choice is made'), ('choice_is', 'this choice is made')], max_length=20, verbose_name='fires when')),
                        ('value', models.SmallIntegerField(blank=True, help_text='Score conditions only, e.g. 6 for “NPS at most 6”.', null=True, verbose_name='score')),
                        ('choice_code', models.SlugField(blank=True, help_text='“This choice is made” only: the code of the choice.', max_length=40, verbose_name='choice code')),
                        ('deadline_hours', models.PositiveSmallIntegerField(default=48, help_text='The case is due this many hours after the answer (1 to 720).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(720)], verbose_name='deadline (hours)')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alert_rules', to='surveys.survey', verbose_name='survey')),
                    ],
                    options={
                        'verbose_name': 'alert rule',
                        'verbose_name_plural': 'alert rules',
                        'db_table': 'satisfaction_alertrule',
                        'ordering': ['survey', 'question_code', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='SurveyVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('number', models.PositiveIntegerField(verbose_name='version')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=20, verbose_name='status')),
                        ('intro_en', models.TextField(blank=True, verbose_name='introduction (English)')),
                        ('intro_zh_hans', models.TextField(blank=True, verbose_name='introduction (Simplified Chinese)')),
                        ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published')),
                        ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published by')),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='surveys.survey', verbose_name='survey')),
                    ],
                    options={
                        'verbose_name': 'survey version',
                        'verbose_name_plural': 'survey versions',
                        'db_table': 'satisfaction_surveyversion',
                        'ordering': ['survey', '-number'],
                    },
                ),
                migrations.CreateModel(
                    name='Question',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('code', models.SlugField(help_text='Stable across versions: reports join versions by this code.', max_length=40, verbose_name='code')),
                        ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                        ('kind', models.CharField(choices=[('nps', 'Net Promoter Score (0-10)'), ('csat', 'Satisfaction (CSAT, 1-5)'), ('ces', 'Customer effort (CES, 1-7)'), ('rating', 'Rating scale with labels'), ('single', 'Single choice'), ('multiple', 'Multiple choice'), ('driver', 'Driver (what disappointed you most; choices map to topics)'), ('text', 'Free text'), ('consent', 'Consent to be contacted')], max_length=20, verbose_name='type')),
                        ('text_en', models.CharField(max_length=500, verbose_name='question (English)')),
                        ('text_zh_hans', models.CharField(blank=True, max_length=500, verbose_name='question (Simplified Chinese)')),
                        ('help_en', models.CharField(blank=True, max_length=300, verbose_name='help text (English)')),
                        ('help_zh_hans', models.CharField(blank=True, max_length=300, verbose_name='help text (Simplified Chinese)')),
                        ('required', models.BooleanField(default=False, verbose_name='required')),
                        ('scale_max', models.PositiveSmallIntegerField(default=5, help_text='Rating scales only: 1 to this number.', verbose_name='scale points')),
                        ('low_label_en', models.CharField(blank=True, max_length=60, verbose_name='lowest label (English)')),
                        ('low_label_zh_hans', models.CharField(blank=True, max_length=60, verbose_name='lowest label (Chinese)')),
                        ('high_label_en', models.CharField(blank=True, max_length=60, verbose_name='highest label (English)')),
                        ('high_label_zh_hans', models.CharField(blank=True, max_length=60, verbose_name='highest label (Chinese)')),
                        ('show_if_values', models.JSONField(blank=True, default=list, help_text='Answer values (numbers or choice codes) that make this question appear.', verbose_name='is one of')),
                        ('show_if_question', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='dependants', to='surveys.question', verbose_name='show only if the answer to')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='surveys.surveyversion', verbose_name='version')),
                    ],
                    options={
                        'verbose_name': 'question',
                        'verbose_name_plural': 'questions',
                        'db_table': 'satisfaction_question',
                        'ordering': ['version', 'position', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Choice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('code', models.SlugField(max_length=40, verbose_name='code')),
                        ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                        ('text_en', models.CharField(max_length=200, verbose_name='text (English)')),
                        ('text_zh_hans', models.CharField(blank=True, max_length=200, verbose_name='text (Simplified Chinese)')),
                        ('topic', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='survey_choices', to='customers.topic', verbose_name='topic')),
                        ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='choices', to='surveys.question', verbose_name='question')),
                    ],
                    options={
                        'verbose_name': 'choice',
                        'verbose_name_plural': 'choices',
                        'db_table': 'satisfaction_choice',
                        'ordering': ['question', 'position', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('question', 'code'), name='choice_code_unique')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='survey',
                    constraint=models.UniqueConstraint(fields=('code',), name='survey_code_unique'),
                ),
                migrations.AddConstraint(
                    model_name='alertrule',
                    constraint=models.CheckConstraint(condition=models.Q(('deadline_hours__gte', 1), ('deadline_hours__lte', 720)), name='alertrule_deadline_range'),
                ),
                migrations.AddConstraint(
                    model_name='alertrule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('condition__in', ['at_most', 'at_least']), _negated=True), ('value__isnull', False), _connector='OR'), name='alertrule_score_has_value'),
                ),
                migrations.AddConstraint(
                    model_name='alertrule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('condition', 'choice_is'), _negated=True), models.Q(('choice_code', ''), _negated=True), _connector='OR'), name='alertrule_choice_has_code'),
                ),
                migrations.AddConstraint(
                    model_name='surveyversion',
                    constraint=models.UniqueConstraint(fields=('survey', 'number'), name='surveyversion_number_unique'),
                ),
                migrations.AddConstraint(
                    model_name='surveyversion',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'draft')), fields=('survey',), name='surveyversion_one_draft'),
                ),
                migrations.AddConstraint(
                    model_name='surveyversion',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('published_at__isnull', False), _connector='OR'), name='surveyversion_published_has_date'),
                ),
                migrations.AddConstraint(
                    model_name='question',
                    constraint=models.UniqueConstraint(fields=('version', 'code'), name='question_code_unique'),
                ),
                migrations.AddConstraint(
                    model_name='question',
                    constraint=models.CheckConstraint(condition=models.Q(('scale_max__gte', 2), ('scale_max__lte', 11)), name='question_scale_max_range'),
                ),
            ],
        ),
    ]
