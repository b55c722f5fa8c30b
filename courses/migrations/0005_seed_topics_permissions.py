"""The public-subject topics of DESIGN.md §2 (editable data), and who may change them and
credit years: the bureau's admins. Instructor publishing is granted to no role: instructors go
live with an approved course (catalog/listing.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TOPICS = [
    ("思想政治", "key"),
    ("知识更新", "key"),
    ("科学精神", "key"),
    ("职业道德", "key"),
    ("数字技术", "popular"),
    ("网络安全", "popular"),
    ("绿色低碳", "popular"),
    ("应急管理", "popular"),
]

GRANTS = {
    "人社局管理员": [
        ("courses", "add_topic"),
        ("courses", "change_topic"),
        ("courses", "delete_topic"),
        ("courses", "view_topic"),
        ("credits", "add_credityear"),
        ("credits", "change_credityear"),
        ("credits", "view_credityear"),
    ],
    "审核员": [("courses", "view_topic"), ("credits", "view_credityear")],
    "施教机构编辑": [("courses", "view_topic")],
}


def seed(apps, schema_editor):
    Topic = apps.get_model("courses", "Topic")
    for order, (name, kind) in enumerate(TOPICS):
        Topic.objects.get_or_create(name=name, defaults={"kind": kind, "sort_order": order})

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for label in ("courses", "credits"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    for name, permissions in GRANTS.items():
        group = Group.objects.get(name=name)
        for app_label, codename in permissions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_topics_courses_lessons_instructor_drafts"),
        ("credits", "0002_seed_years"),
        ("accounts", "0002_reference_data_roles_audit"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
