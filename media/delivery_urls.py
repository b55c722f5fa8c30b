"""Video delivery URLs, included at the site root by config/urls.py (before any /media/ route)."""

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
]
