"""Wagtail names the root collection "Root", which staff see in every collection choice."""

from django.db import migrations


def rename(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    Collection.objects.filter(depth=1, name="Root").update(name="全部文件")


def back(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    Collection.objects.filter(depth=1, name="全部文件").update(name="Root")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_password_reset_codes_in_database"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(rename, back)]
