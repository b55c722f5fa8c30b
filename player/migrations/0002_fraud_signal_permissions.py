"""The bureau's admins see the fraud signals (DESIGN.md §2: suspicious patterns go to
reviewers); nobody edits or deletes them in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_config = apps.get_app_config("player")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group = Group.objects.get(name="人社局管理员")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="player", codename="view_fraudsignal")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("player", "0001_initial"),
        ("accounts", "0002_reference_data_roles_audit"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
