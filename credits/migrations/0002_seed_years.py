from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    CreditYear = apps.get_model("credits", "CreditYear")
    for year in (2025, 2026):
        CreditYear.objects.get_or_create(
            year=year, defaults={"minutes_per_hour": settings.CREDIT_MINUTES_PER_HOUR_DEFAULT}
        )


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_credit_year")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
