"""LessonProgress.credited: the time credited in a lesson, apart from its frontier (watching
again after failed quizzes moves the frontier only)."""

from django.db import migrations, models


def credited_from_frontier(apps, schema_editor):
    # Before this field, everything watched had been credited exactly once.
    LessonProgress = apps.get_model("player", "LessonProgress")
    LessonProgress.objects.update(credited=models.F("frontier"))


class Migration(migrations.Migration):
    dependencies = [
        ("player", "0002_fraud_signal_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="lessonprogress",
            name="credited",
            field=models.FloatField(default=0.0),
        ),
        migrations.RunPython(credited_from_frontier, migrations.RunPython.noop),
    ]
