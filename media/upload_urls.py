"""The uploader's admin URLs, registered under /admin/videos/ (so Wagtail's admin-access check
wraps them too). Every endpoint but the page takes a POST."""

from django.urls import path

from . import upload_views

urlpatterns = [
    path("upload/", upload_views.upload_page, name="media_upload"),
    path("upload/start/", upload_views.upload_start, name="media_upload_start"),
    path("upload/direct/", upload_views.upload_direct, name="media_upload_direct"),
    path("upload/<int:asset_id>/sign/", upload_views.upload_sign, name="media_upload_sign"),
    path("upload/<int:asset_id>/parts/", upload_views.upload_parts, name="media_upload_parts"),
    path(
        "upload/<int:asset_id>/complete/",
        upload_views.upload_complete,
        name="media_upload_complete",
    ),
    path("upload/<int:asset_id>/abort/", upload_views.upload_abort, name="media_upload_abort"),
]
