"""Each credit year's deadlines (DESIGN.md §2: by default Dec 30, the 会计专区 Dec 31), editable
by the bureau when a year's notice moves them; existing years get the defaults."""

import datetime

from django.db import migrations, models


def fill_defaults(apps, schema_editor):
    CreditYear = apps.get_model("credits", "CreditYear")
    for year in CreditYear.objects.all():
        year.deadline = year.deadline or datetime.date(year.year, 12, 30)
        year.accounting_deadline = year.accounting_deadline or datetime.date(year.year, 12, 31)
        year.save(update_fields=["deadline", "accounting_deadline"])


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0004_credit_year_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="credityear",
            name="deadline",
            field=models.DateField(
                blank=True,
                help_text="在线学习在此日 24:00 前完成的计入本年度，之后的计入下一年度；默认 12 月 30 日",
                null=True,
                verbose_name="学时截止日期",
            ),
        ),
        migrations.AddField(
            model_name="credityear",
            name="accounting_deadline",
            field=models.DateField(
                blank=True, help_text="默认 12 月 31 日", null=True, verbose_name="会计专区截止日期"
            ),
        ),
        migrations.RunPython(fill_defaults, migrations.RunPython.noop),
    ]
