"""Who may see and change courseware video assets (the admin, the progress websocket, previews).

- An institution editor edits the assets of their own institution and nothing else: their
  organisation is an approved training institution and they are in its own group (施教机构#<id>,
  accounts.roles.institution_group_name, which accounts.institutions.institution_editor_add sets
  up) — accounts.institutions.editor_institution, the one definition.
- Reviewers (group 审核员 or 人社局管理员, and superusers) see every institution's assets, read-only.
- Everyone else sees nothing.

Learners never reach assets directly: they get a lesson's playlist through the courses and player
apps (media.delivery.playlist_allowed is the one check to extend there).
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.api import BUREAU_ADMIN, REVIEWER, editor_institution

from .models import VideoAsset

_CACHE_ATTR = "_video_asset_access"


@dataclass(frozen=True)
class VideoAccess:
    editor_of: frozenset[int]  # institution ids the user edits
    reviewer: bool  # sees every asset, read-only

    @property
    def any(self) -> bool:
        return self.reviewer or bool(self.editor_of)


NO_ACCESS = VideoAccess(editor_of=frozenset(), reviewer=False)


def video_access(user) -> VideoAccess:
    """The user's rights on video assets, computed once per user object (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    institution = editor_institution(user)
    editor_of = {institution.pk} if institution is not None else set()
    access = VideoAccess(
        editor_of=frozenset(editor_of),
        reviewer=bool(user.is_superuser or names & {REVIEWER, BUREAU_ADMIN}),
    )
    setattr(user, _CACHE_ATTR, access)
    return access


def assets_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Assets the user may see: all for reviewers, their institutions' for editors, else none."""
    queryset = VideoAsset.objects.all() if queryset is None else queryset
    access = video_access(user)
    if access.reviewer:
        return queryset
    if access.editor_of:
        return queryset.filter(institution_id__in=access.editor_of)
    return queryset.none()


def assets_editable_by(user, queryset: QuerySet | None = None) -> QuerySet:
    """Assets the user may change (title, retry): their own institutions' only."""
    queryset = VideoAsset.objects.all() if queryset is None else queryset
    access = video_access(user)
    if access.editor_of:
        return queryset.filter(institution_id__in=access.editor_of)
    return queryset.none()


def asset_visible(user, asset: VideoAsset) -> bool:
    access = video_access(user)
    return access.reviewer or asset.institution_id in access.editor_of


def asset_editable(user, asset: VideoAsset) -> bool:
    return asset.institution_id in video_access(user).editor_of
