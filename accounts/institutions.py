"""Each training institution works in its own space: a group of its own (施教机构#<id>) whose
members edit only their institution's collection of images and documents; the courses issue adds
the page subtree of its institution page to the same group."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission

from .models import Organisation, OrganisationKind, User
from .roles import INSTITUTION_EDITOR, institution_group_name

COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


def institution_workspace_ensure(*, institution: Organisation) -> Group:
    """Create (or find) the institution's group and collection, and grant the group its rights
    on that collection only. Idempotent."""
    if institution.kind != OrganisationKind.INSTITUTION:
        raise ValueError("only training institutions have a workspace")
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=institution_group_name(institution.pk))
        root = Collection.get_first_root_node()
        collection = root.get_children().filter(name=institution.name).first()
        if collection is None:
            collection = root.add_child(name=institution.name)
        for app_label, codename in COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=collection,
                permission=Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                ),
            )
    return group


def institution_editor_add(*, institution: Organisation, user: User) -> None:
    """Make `user` an editor of `institution` (and of nothing else)."""
    group = institution_workspace_ensure(institution=institution)
    user.organisation = institution
    user.save(update_fields=["organisation"])
    user.groups.add(group, Group.objects.get(name=INSTITUTION_EDITOR))


def editor_institution(user) -> Organisation | None:
    """The approved institution `user` edits for (they belong to it and to its own group), or
    None. The one definition of "an editor of this institution"."""
    if (
        not getattr(user, "is_authenticated", False)
        or not user.is_active
        or not user.organisation_id
    ):
        return None
    org = user.organisation
    if org.kind != OrganisationKind.INSTITUTION or org.status != "approved":
        return None
    if not user.groups.filter(name=institution_group_name(org.pk)).exists():
        return None
    return org
