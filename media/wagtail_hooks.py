"""Admin registration for courseware video: the asset viewset (menu 课件视频, /admin/videos/), its
permission policy, and the uploader's URLs under the same prefix (/admin/videos/upload/...)."""

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from media.upload_urls import urlpatterns as upload_urlpatterns

from .models import VideoAsset
from .viewsets import ASSET_URL_NAME, VideoAssetPermissionPolicy, video_asset_viewset

# Before anything asks the registry for VideoAsset's policy (Wagtail would create a fallback).
register_permission_policy(VideoAsset, VideoAssetPermissionPolicy(VideoAsset))


@hooks.register("register_admin_viewset")
def register_video_asset_viewset():
    return video_asset_viewset


@hooks.register("register_admin_urls")
def register_video_urls():
    return [
        # The uploader's own paths start with upload/: /admin/videos/upload/...
        path("videos/", include(upload_urlpatterns)),
        # The asset page under a plain name as well (the viewset's is media_videos:inspect).
        path("videos/<int:pk>/", video_asset_viewset.inspect_view, name=ASSET_URL_NAME),
    ]
