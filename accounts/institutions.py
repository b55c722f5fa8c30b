"""Each training institution works in its own space: a group of its own (施教机构#<id>) whose
members edit only their institution's two collections of images and documents; the courses issue
adds the page subtree of its institution page to the same group.

- "<机构名>" holds its internal files (the scans of its courseware's approval basis, drafts): a
  Wagtail collection view restriction lets only the institution's own group and the reviewers
  (审核员, 人社局管理员; superusers) download them (DESIGN.md §5).
- "<机构名>（公开资料）" holds what the institution publishes with its courses (a syllabus, a fee
  notice): anyone may download those.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, CollectionViewRestriction, GroupCollectionPermission

from .models import Organisation, OrganisationKind, User
from .roles import BUREAU_ADMIN, INSTITUTION_EDITOR, REVIEWER, institution_group_name

PUBLIC_COLLECTION_SUFFIX = "（公开资料）"
# Who besides the institution's own group reads its internal files.
INTERNAL_FILE_READERS = (REVIEWER, BUREAU_ADMIN)

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
        internal = _collection(institution.name)
        _internal_restriction_ensure(internal, group)
        public = _collection(institution.name + PUBLIC_COLLECTION_SUFFIX)
        for collection in (internal, public):
            for app_label, codename in COLLECTION_PERMISSIONS:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app_label, codename=codename
                    ),
                )
    return group


def _collection(name: str) -> Collection:
    root = Collection.get_first_root_node()
    return root.get_children().filter(name=name).first() or root.add_child(name=name)


def _internal_restriction_ensure(collection: Collection, group: Group) -> None:
    restriction = CollectionViewRestriction.objects.filter(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    ).first() or CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.add(group, *Group.objects.filter(name__in=INTERNAL_FILE_READERS))


def institution_internal_collection(institution: Organisation) -> Collection | None:
    """Where the institution's internal files (approval scans) belong."""
    return Collection.get_first_root_node().get_children().filter(name=institution.name).first()


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
