"""Issue 17: the survey authoring models leave the satisfaction app's state (surveys 0001
took them over with the same tables, which are not touched). Their content types move
to the surveys app, so permissions, history pages and admin log entries keep their ids."""

from django.db import migrations

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


def _relabel(apps, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = content_type.objects.db_manager()
    for model in MOVED:
        # A content type already made for the new label (a run of `migrate` that stopped
        # after surveys 0001) has no rows pointing at it yet: the old one wins.
        if db.filter(app_label=old, model=model).exists():
            db.filter(app_label=new, model=model).delete()
            db.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "satisfaction", "surveys")


def backwards(apps, schema_editor):
    _relabel(apps, "surveys", "satisfaction")


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
        migrations.RunPython(forwards, backwards),
    ]
