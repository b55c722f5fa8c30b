"""Wagtail's own migrations (wagtaildocs 0011, wagtailimages 0023) let every group that enters the
admin choose any document and image of the root collection, hence of every institution's. Only
the bureau's admins (who edit notices) keep that; an institution's editors choose from their own
collections (accounts.institutions), employers' and listing reviewers from none."""

from django.db import migrations

NOT_CHOOSING = ("施教机构编辑", "用人单位审核员", "审核员", "学员")
CODENAMES = ("choose_document", "choose_image")


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Permission = apps.get_model("auth", "Permission")
    groups = Group.objects.filter(name__in=NOT_CHOOSING)
    permissions = Permission.objects.filter(codename__in=CODENAMES)
    GroupCollectionPermission.objects.filter(
        group__in=groups, permission__in=permissions, collection__depth=1
    ).delete()
    for group in groups:
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_institution_document_privacy"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(revoke, migrations.RunPython.noop)]
