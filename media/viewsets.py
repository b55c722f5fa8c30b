"""The Wagtail admin of courseware video: /admin/videos/ (menu 课件视频).

- the index lists the assets the user may see (media.access): their own institution's for an
  institution editor, every institution's (read-only) for reviewers, none for anyone else;
- an asset's page (/admin/videos/<id>/) shows its status, live processing progress (a websocket,
  static/media/asset.js) and, once ready, a preview player;
- its owning institution's editors may change the title (nothing else: keys, status and outputs
  belong to the upload and processing services) and retry a failed or stuck processing run;
- "add" is the uploader (media.upload_urls, URL name `media_upload`).

An asset outside the user's scope answers 404 on every URL; an action the user's role never
allows (a reviewer editing or retrying) is refused as Wagtail refuses: back to the dashboard with
its "no permission" message.
"""

import time

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.templatetags.static import static
from django.urls import NoReverseMatch, path, reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import BasePermissionPolicy

from accounts.api import BUREAU_ADMIN, REVIEWER, institution_group_name

from .access import (
    asset_editable,
    asset_visible,
    assets_editable_by,
    assets_visible_to,
    video_access,
)
from .delivery import asset_poster_url, master_playlist_url, playlist_allowed
from .display import duration_display, size_display
from .models import VideoAsset, VideoStatus
from .realtime import asset_state
from .services import video_asset_retry, video_asset_retry_allowed

ASSET_URL_NAME = "media_asset"  # an alias of the asset page, for the uploader and others
_INSTITUTION_GROUP_PREFIX = institution_group_name(0).removesuffix("0")  # "施教机构#"


def upload_url() -> str | None:
    """The uploader's page, if the uploader is installed (media.upload_urls)."""
    try:
        return reverse("media_upload")
    except NoReverseMatch:
        return None


class VideoAssetPermissionPolicy(BasePermissionPolicy):
    """Role-based (media.access), not Django model permissions: `view` for editors and
    reviewers, `add` (upload) and `change` (title, retry) for editors of the owning institution,
    `delete` for nobody (assets are referenced by lessons and learners' records)."""

    def user_has_permission(self, user, action):
        access = video_access(user)
        if action == "view":
            return access.any
        if action in ("add", "change"):
            return bool(access.editor_of)
        return False

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "view":
            return asset_visible(user, instance)
        if action == "change":
            return asset_editable(user, instance)
        return False

    def instances_user_has_any_permission_for(self, user, actions):
        if "view" in actions:
            return assets_visible_to(user)
        if "change" in actions:
            return assets_editable_by(user)
        return VideoAsset.objects.none()

    @staticmethod
    def _editors(institution_id: int | None = None) -> Q:
        groups = (
            Q(groups__name=institution_group_name(institution_id))
            if institution_id
            else Q(groups__name__startswith=_INSTITUTION_GROUP_PREFIX)
        )
        users = get_user_model().objects.filter(
            groups,
            organisation__kind="institution",
            organisation__status="approved",
            **({"organisation_id": institution_id} if institution_id else {}),
        )
        return Q(pk__in=users.values("pk"))

    @staticmethod
    def _reviewers() -> Q:
        return Q(is_superuser=True) | Q(groups__name__in=[REVIEWER, BUREAU_ADMIN])

    def _users(self, condition: Q | None):
        users = get_user_model().objects.filter(is_active=True)
        return users.filter(condition).distinct() if condition is not None else users.none()

    def users_with_any_permission(self, actions):
        condition = None
        if "view" in actions:
            condition = self._editors() | self._reviewers()
        elif "add" in actions or "change" in actions:
            condition = self._editors()
        return self._users(condition)

    def users_with_any_permission_for_instance(self, actions, instance):
        condition = None
        if "view" in actions:
            condition = self._editors(instance.institution_id) | self._reviewers()
        elif "change" in actions:
            condition = self._editors(instance.institution_id)
        return self._users(condition)


class StatusColumn(StatusTagColumn):
    def get_value(self, instance):
        if instance.status == VideoStatus.PROCESSING:
            return f"{instance.get_status_display()} {instance.progress_percent}%"
        return instance.get_status_display()


class VideoAssetIndexView(generic.IndexView):
    page_title = "课件视频"
    add_item_label = "上传视频"
    default_ordering = "-created_at"
    list_filter = ["status"]

    def get_base_queryset(self):
        return assets_visible_to(self.request.user, super().get_base_queryset()).select_related(
            "institution"
        )

    def get_add_url(self):
        if self.user_has_permission("add"):
            return upload_url()
        return None

    def get_edit_url(self, instance):
        if self.edit_url_name and asset_editable(self.request.user, instance):
            return reverse(self.edit_url_name, args=[instance.pk])
        return None

    def get_inspect_url(self, instance):
        return reverse(self.inspect_url_name, args=[instance.pk])

    def get_delete_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label="标题",
                sort_key="title",
                get_url=self.get_inspect_url,
                get_title_id=lambda asset: f"video_{asset.pk}_title",
            ),
            Column("institution", label="施教机构", accessor="institution.name"),
            StatusColumn(
                "status",
                label="状态",
                sort_key="status",
                primary=lambda asset: asset.status == VideoStatus.READY,
            ),
            Column(
                "duration",
                label="时长",
                accessor=lambda asset: duration_display(asset.duration) if asset.duration else "—",
            ),
            DateColumn("created_at", label="上传时间", sort_key="created_at"),
        ]


class VideoAssetEditView(generic.EditView):
    """The title, for the owning institution's editors only (404 for anyone else's asset)."""

    page_title = "修改视频标题"

    def get_queryset(self):
        return assets_editable_by(self.request.user)

    def get_delete_url(self):
        return None

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=[self.object.pk])


class VideoAssetPageView(generic.InspectView):
    """The asset's page: status, live progress, failure reason, retry, preview."""

    page_title = "视频详情"
    template_name = "media/admin/asset.html"
    retry_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            assets_visible_to(self.request.user).select_related("institution", "created_by"),
            pk=self.pk,
        )

    def get_edit_url(self):
        if self.edit_url_name and asset_editable(self.request.user, self.object):
            return reverse(self.edit_url_name, args=[self.object.pk])
        return None

    def get_delete_url(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asset = self.object
        user = self.request.user
        editable = asset_editable(user, asset)
        preview = playlist_allowed(user, asset)  # ready, and the user may have its playlist
        context.update(
            asset=asset,
            state=asset_state(asset),
            can_edit=editable,
            can_retry=editable and video_asset_retry_allowed(asset),
            retry_url=reverse(self.retry_url_name, args=[asset.pk]) if editable else "",
            ws_path=f"/ws/media/assets/{asset.pk}/",
            # The player asks for the playlist once the asset is ready (404 until then).
            playlist_url=master_playlist_url(asset),
            poster_url=asset_poster_url(asset, now=time.time()) if preview else "",
            hls_url=static("media/vendor/hls.light.min.mjs"),
            size_display=size_display(asset.source_size) if asset.source_size else "—",
            duration_display=duration_display(asset.duration) if asset.duration else "—",
            renditions=sorted(int(r["height"]) for r in asset.renditions),
        )
        return context


class VideoAssetViewSet(ModelViewSet):
    model = VideoAsset
    url_prefix = "videos"
    icon = "media"
    menu_label = "课件视频"
    menu_order = 250
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = ["title"]  # the asset page's template shows its own details
    form_fields = ["title"]
    index_view_class = VideoAssetIndexView
    edit_view_class = VideoAssetEditView
    inspect_view_class = VideoAssetPageView

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "history_url_name": None,
                "usage_url_name": None,
                "delete_url_name": None,
                **kwargs,
            }
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(retry_url_name=self.get_url_name("retry"), **kwargs)

    def get_permissions_to_register(self):
        # The policy is role-based: Django's permissions on VideoAsset would mean nothing.
        return Permission.objects.none()

    @cached_property
    def add_redirect_view(self):
        def add(request):
            url = upload_url()
            if url is None or not video_access(request.user).editor_of:
                raise Http404
            return redirect(url)

        return add

    @cached_property
    def retry_view(self):
        inspect_url_name = self.get_url_name("inspect")

        @require_POST
        def retry(request, pk: int):
            if not video_access(request.user).editor_of:
                raise PermissionDenied
            asset = get_object_or_404(assets_editable_by(request.user), pk=pk)
            if video_asset_retry(asset=asset):  # decides, and claims the asset, itself
                messages.success(request, f"已重新提交转码：{asset.title}")
            else:
                messages.warning(request, "只有转码失败或长时间未完成的视频可以重新转码。")
            return redirect(inspect_url_name, pk=asset.pk)

        return retry

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_redirect_view, name="add"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/edit/", self.edit_view, name="edit"),
            path("<int:pk>/retry/", self.retry_view, name="retry"),
        ]


video_asset_viewset = VideoAssetViewSet("media_videos")
