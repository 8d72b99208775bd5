"""Issue 17 moved survey authoring (Survey, SurveyVersion, Question, Choice, AlertRule and
their history) into the surveys app, keeping its tables: the satisfaction models' foreign
keys now point at the surveys app's models. Only Django's picture changes (state); the
columns and their constraints are the same."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0007_alertrule"),
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='answer',
                    name='choice',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='surveys.choice', verbose_name='choice'),
                ),
                migrations.AlterField(
                    model_name='answer',
                    name='question',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='surveys.question', verbose_name='question'),
                ),
                migrations.AlterField(
                    model_name='answer',
                    name='survey',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey'),
                ),
                migrations.AlterField(
                    model_name='responseexport',
                    name='survey',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exports', to='surveys.survey', verbose_name='survey'),
                ),
                migrations.AlterField(
                    model_name='answertally',
                    name='survey',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey'),
                ),
                migrations.AlterField(
                    model_name='response',
                    name='survey',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='surveys.survey', verbose_name='survey'),
                ),
                migrations.AlterField(
                    model_name='wave',
                    name='survey_version',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='waves', to='surveys.surveyversion', verbose_name='survey version'),
                ),
                migrations.AlterField(
                    model_name='historicalwave',
                    name='survey_version',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='surveys.surveyversion', verbose_name='survey version'),
                ),
                migrations.AlterField(
                    model_name='response',
                    name='version',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='surveys.surveyversion', verbose_name='version'),
                ),
            ],
        ),
    ]
