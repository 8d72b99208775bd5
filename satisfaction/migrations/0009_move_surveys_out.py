"""Issue 17: the survey authoring models leave the satisfaction app's state (surveys 0001
took them over with the same tables, which are not touched). Their content types move
to the surveys app, so permissions, history pages and admin log entries keep their ids."""

from django.db import migrations

from qms.migration_ops import relabel_content_types

MOVED = (
    "survey",
    "surveyversion",
    "question",
    "choice",
    "alertrule",
    "historicalsurvey",
    "historicalsurveyversion",
    "historicalalertrule",
)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("satisfaction", "0008_point_at_surveys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='alertrule',
                    name='survey',
                ),
                migrations.RemoveField(
                    model_name='choice',
                    name='question',
                ),
                migrations.RemoveField(
                    model_name='choice',
                    name='topic',
                ),
                migrations.RemoveField(
                    model_name='historicalalertrule',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalalertrule',
                    name='survey',
                ),
                migrations.RemoveField(
                    model_name='historicalsurvey',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='historicalsurvey',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalsurveyversion',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalsurveyversion',
                    name='published_by',
                ),
                migrations.RemoveField(
                    model_name='historicalsurveyversion',
                    name='survey',
                ),
                migrations.RemoveField(
                    model_name='question',
                    name='show_if_question',
                ),
                migrations.RemoveField(
                    model_name='question',
                    name='version',
                ),
                migrations.RemoveField(
                    model_name='survey',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='surveyversion',
                    name='survey',
                ),
                migrations.RemoveField(
                    model_name='surveyversion',
                    name='published_by',
                ),
                migrations.DeleteModel(
                    name='AlertRule',
                ),
                migrations.DeleteModel(
                    name='Choice',
                ),
                migrations.DeleteModel(
                    name='HistoricalAlertRule',
                ),
                migrations.DeleteModel(
                    name='HistoricalSurvey',
                ),
                migrations.DeleteModel(
                    name='HistoricalSurveyVersion',
                ),
                migrations.DeleteModel(
                    name='Question',
                ),
                migrations.DeleteModel(
                    name='Survey',
                ),
                migrations.DeleteModel(
                    name='SurveyVersion',
                ),
            ],
        ),
        relabel_content_types("satisfaction", "surveys", MOVED),
    ]
