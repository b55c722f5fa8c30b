"""Reference data (Anyang's counties, industries, title series), the role groups with their
permissions, and the audit log's append-only triggers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from config.db import AppendOnly

COUNTIES = [
    ("410500", "市直"),
    ("410502", "文峰区"),
    ("410503", "北关区"),
    ("410505", "殷都区"),
    ("410506", "龙安区"),
    ("410522", "安阳县"),
    ("410523", "汤阴县"),
    ("410526", "滑县"),
    ("410527", "内黄县"),
    ("410581", "林州市"),
    ("410590", "高新区"),
]

# Industry -> title series (职称系列) it oversees.
INDUSTRIES = [
    ("工业和信息化", ["工程技术"]),
    ("卫生健康", ["卫生"]),
    ("教育", ["中小学教师", "高等学校教师", "中等职业学校教师", "技工院校教师"]),
    ("农业农村", ["农业技术"]),
    ("财政", ["会计"]),
    ("经济", ["经济"]),
    ("统计", ["统计"]),
    ("审计", ["审计"]),
    ("新闻出版广电", ["新闻", "出版", "播音主持"]),
    ("文化和旅游", ["艺术", "文物博物", "群众文化", "图书资料"]),
    ("科学技术", ["自然科学研究"]),
    ("体育", ["体育"]),
]

ROLE_PERMISSIONS = {
    "学员": [],
    "用人单位审核员": [
        ("accounts", "view_user"),
        ("accounts", "confirm_employment"),
        ("accounts", "unlock_user"),
    ],
    "施教机构编辑": [],
    "审核员": [("accounts", "view_organisation")],
    "人社局管理员": [
        ("accounts", "view_user"),
        ("accounts", "unlock_user"),
        ("accounts", "correct_identity"),
        ("accounts", "view_organisation"),
        ("accounts", "change_organisation"),
        ("accounts", "approve_organisation"),
        ("accounts", "view_auditevent"),
    ],
}
ADMIN_ROLES = ["用人单位审核员", "施教机构编辑", "审核员", "人社局管理员"]


def seed(apps, schema_editor):
    County = apps.get_model("accounts", "County")
    Industry = apps.get_model("accounts", "Industry")
    TitleSeries = apps.get_model("accounts", "TitleSeries")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    for order, (code, name) in enumerate(COUNTIES):
        County.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for order, (industry_name, series) in enumerate(INDUSTRIES):
        industry, _ = Industry.objects.get_or_create(
            name=industry_name, defaults={"sort_order": order}
        )
        for series_order, name in enumerate(series):
            TitleSeries.objects.get_or_create(
                name=name,
                defaults={"industry": industry, "sort_order": order * 10 + series_order},
            )

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        if name in ADMIN_ROLES:
            group.permissions.add(access_admin)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        AppendOnly("accounts_auditevent"),
    ]
