"""Institution editors manage instructors (of their own institution: courses/snippets.py scopes
it); reviewers and the bureau see them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "施教机构编辑": ["add_instructor", "change_instructor", "delete_instructor", "view_instructor"],
    "审核员": ["view_instructor"],
    "人社局管理员": ["view_instructor"],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_config = apps.get_app_config("courses")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    for name, codenames in GRANTS.items():
        group = Group.objects.get(name=name)
        for codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="courses", codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_instructor"),
        ("accounts", "0002_reference_data_roles_audit"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
