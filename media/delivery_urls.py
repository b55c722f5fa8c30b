"""Delivery URLs, included at the site root by config/urls.py: the only routes under /media/."""

from django.urls import path

from . import delivery_views

urlpatterns = [
    path(
        "media/videos/<uuid:key>/master.m3u8",
        delivery_views.master_playlist,
        name="media_master_playlist",
    ),
    path(
        "media/videos/<uuid:key>/<int:height>p.m3u8",
        delivery_views.rendition_playlist,
        name="media_rendition_playlist",
    ),
    path("media-signed/<str:token>/", delivery_views.signed_file, name="media_signed_file"),
    # Wagtail's renditions on the embedded default (MEDIA_URL is /media/): the only image route.
    path("media/images/<str:name>", delivery_views.image_rendition, name="media_image_rendition"),
]
