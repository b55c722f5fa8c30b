"""Playlist endpoints (thin: the work is in media.delivery) and, on the embedded default only,
the signed file view that serves segments from var/."""

import mimetypes
import time

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_safe
from wagtail.images import get_image_model

from .delivery import (
    PLAYLIST_CONTENT_TYPE,
    PlaylistUnavailable,
    asset_playlist,
    file_token_key,
    playlist_allowed,
    rendition_token_check,
    storage_is_local,
)
from .models import VideoAsset


def _playlist_response(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type=PLAYLIST_CONTENT_TYPE)
    # Signed URLs are personal and expire: no shared cache may keep them, and a player that
    # reloads after a 403 must get a fresh copy soon.
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_safe
def master_playlist(request, key):
    """The master playlist: for a logged-in user allowed to have it (403 anonymous, 404 else)."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden("请先登录")
    asset = VideoAsset.objects.filter(key=key).first()
    if asset is None or not playlist_allowed(request.user, asset):
        raise Http404
    try:
        text = asset_playlist(asset)
    except PlaylistUnavailable as missing:
        raise Http404 from missing
    return _playlist_response(text)


@require_safe
def rendition_playlist(request, key, height: int):
    """A rendition playlist: the token from the master is the only credential (403 without)."""
    asset = VideoAsset.objects.filter(key=key).first()
    now = time.time()
    token = request.GET.get("t", "")
    if asset is None or not rendition_token_check(token, asset=asset, height=height, now=now):
        return HttpResponseForbidden("链接无效或已过期")
    try:
        text = asset_playlist(asset, height, now=now)
    except PlaylistUnavailable as missing:
        raise Http404 from missing
    return _playlist_response(text)


@require_safe
def signed_file(request, token: str):
    """Embedded default only: a stored file (segment, poster) named by a valid signed token."""
    if not storage_is_local():
        raise Http404
    key = file_token_key(token, now=time.time())
    if key is None:
        return HttpResponseForbidden("链接无效或已过期")
    # Segments and posters are small (a few MB at most): read whole, which is what an ASGI server
    # would do with a file iterator anyway.
    try:
        with default_storage.open(key, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, IsADirectoryError) as missing:
        raise Http404 from missing
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


_IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
}


@require_safe
def image_rendition(request, name: str):
    """Embedded default only: one of Wagtail's image renditions (what `{% image %}` renders),
    found by its exact name in the database, never by a path built from the URL. Originals,
    videos, scans and anything else under var/ have no route at all (DESIGN.md §5)."""

    if not storage_is_local():
        raise Http404
    rendition = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(file=f"images/{name}")
        .only("file")
        .first()
    )
    content_type = _IMAGE_TYPES.get(name.rsplit(".", 1)[-1].lower())
    if rendition is None or content_type is None:
        raise Http404
    try:
        with default_storage.open(rendition.file.name, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, IsADirectoryError) as missing:
        raise Http404 from missing
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
