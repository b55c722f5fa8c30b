"""Institutions' internal collections (their approval scans) become private: a collection view
restriction lets only the institution's own group and the reviewers download them
(accounts.institutions makes the same restriction for new institutions)."""

from django.db import migrations

READERS = ("审核员", "人社局管理员")


def restrict(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    Collection = apps.get_model("wagtailcore", "Collection")
    Restriction = apps.get_model("wagtailcore", "CollectionViewRestriction")
    Group = apps.get_model("auth", "Group")
    readers = list(Group.objects.filter(name__in=READERS))
    for institution in Organisation.objects.filter(kind="institution"):
        group = Group.objects.filter(name=f"施教机构#{institution.pk}").first()
        collection = Collection.objects.filter(name=institution.name, depth=2).first()
        if group is None or collection is None:
            continue
        restriction = Restriction.objects.filter(
            collection=collection, restriction_type="groups"
        ).first() or Restriction.objects.create(collection=collection, restriction_type="groups")
        restriction.groups.add(group, *readers)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_review_reason"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(restrict, migrations.RunPython.noop)]
