"""Signed delivery of HLS video (DESIGN.md §3: Django never streams segments).

The bucket is private. A player asks the platform for an asset's master playlist (a logged-in
request, checked once by `playlist_allowed`); what it gets back is rewritten:

- the master names OUR rendition-playlist URLs, each carrying a signed token (asset, height,
  expiry), so fetching a rendition needs no session;
- a rendition playlist names every segment by a signed storage URL, valid for the video's duration
  plus VIDEO_PLAYLIST_GRACE_SECONDS: a presigned S3 URL (`S3Storage.url(key, expire=...)`), so the
  bytes come straight from storage or a CDN; on the embedded default (files under var/) a
  `/media-signed/<token>/` URL of this site, the one place Django serves video bytes.

Expiries are rounded up to EXPIRY_WINDOW_SECONDS, so every request in one window gets the same
expiry and the same rewritten text: that text is cached per asset, output run, rendition and
expiry window.
"""

import hashlib
import math
import posixpath
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import reverse

from .access import asset_visible
from .models import VideoAsset, VideoStatus

PLAYLIST_CONTENT_TYPE = "application/vnd.apple.mpegurl"
EXPIRY_WINDOW_SECONDS = 600
_RENDITION_SALT = "media.delivery.rendition"
_FILE_SALT = "media.delivery.file"
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


_study_check: Callable[[object, int], bool] = lambda user, asset_id: False  # noqa: E731


def study_check_register(check: Callable[[object, int], bool]) -> None:
    """Courses, which builds on media, says who may watch an asset as a lesson (DESIGN.md §5:
    a registry, not an import upward). Until it does, nobody but staff may."""
    global _study_check
    _study_check = check


def study_allowed(user, asset_id: int) -> bool:
    return _study_check(user, asset_id)


class PlaylistUnavailable(Exception):
    """The asset has no playable output (not ready, or its files are missing)."""


# --- Who gets a playlist -----------------------------------------------------------------------


def playlist_allowed(user, asset: VideoAsset) -> bool:
    """Whether `user` may have `asset`'s playlist: THE check for video delivery.

    Once the asset is ready: an editor of the institution that owns it, or a reviewer (审核员,
    人社局管理员, superusers), for previews; and a logged-in learner allowed to study a live
    course of which the asset is a live lesson's video (the check courses registers).
    """
    if not getattr(user, "is_authenticated", False) or asset.status != VideoStatus.READY:
        return False
    if asset_visible(user, asset):
        return True
    return study_allowed(user, asset.pk)


def video_playlist_for(user, asset: VideoAsset, *, now: float | None = None) -> str:
    """The rewritten master playlist of `asset` for `user`, or PermissionDenied."""
    if not playlist_allowed(user, asset):
        raise PermissionDenied
    return asset_playlist(asset, now=now)


def master_playlist_url(asset: VideoAsset) -> str:
    return reverse("media_master_playlist", kwargs={"key": asset.key})


# --- Tokens ------------------------------------------------------------------------------------


def playlist_expiry(asset: VideoAsset, now: float) -> int:
    """When URLs handed out at `now` expire: after the video's duration plus the grace period,
    rounded up to the expiry window (so cached copies are shared within a window)."""
    lifetime = max(asset.duration, 0) + settings.VIDEO_PLAYLIST_GRACE_SECONDS
    return int(math.ceil((now + lifetime) / EXPIRY_WINDOW_SECONDS) * EXPIRY_WINDOW_SECONDS)


def rendition_token(asset: VideoAsset, height: int, expires: int) -> str:
    return signing.dumps({"a": asset.pk, "h": height, "e": expires}, salt=_RENDITION_SALT)


def rendition_token_check(token: str, *, asset: VideoAsset, height: int, now: float) -> bool:
    try:
        payload = signing.loads(token, salt=_RENDITION_SALT)
    except signing.BadSignature:
        return False
    return (
        isinstance(payload, dict)
        and payload.get("a") == asset.pk
        and payload.get("h") == height
        and isinstance(payload.get("e"), int)
        and payload["e"] > now
    )


def file_token(key: str, expires: int) -> str:
    """A token naming one stored file until `expires` (TimestampSigner, via signing.dumps)."""
    return signing.dumps({"k": key, "e": expires}, salt=_FILE_SALT)


def file_token_key(token: str, *, now: float) -> str | None:
    """The storage key a file token names, or None if it is forged, tampered with or expired.
    The signer's own timestamp bounds it too (max_age), whatever expiry it claims."""
    max_age = EXPIRY_WINDOW_SECONDS + settings.VIDEO_PLAYLIST_GRACE_SECONDS + 7 * 24 * 3600
    try:
        payload = signing.loads(token, salt=_FILE_SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), int):
        return None
    key = payload.get("k")
    if payload["e"] <= now or not isinstance(key, str) or not _is_output_key(key):
        return None
    return key


def _is_output_key(key: str) -> bool:
    """Only processing outputs (segments, playlists, posters) are ever served, never a source."""
    parts = key.split("/")
    return (
        len(parts) >= 6
        and parts[0] == "institutions"
        and parts[2] == "videos"
        and parts[4] == "hls"
        and ".." not in parts
    )


# --- Storage URLs ------------------------------------------------------------------------------


def storage_is_local() -> bool:
    """The embedded default: files under var/, served (signed) by this site."""
    return isinstance(default_storage, FileSystemStorage)


def signed_storage_url(key: str, *, expires: int, now: float) -> str:
    """A URL that fetches `key` without a session until `expires` (unix time)."""
    if storage_is_local():
        return reverse("media_signed_file", kwargs={"token": file_token(key, expires)})
    return default_storage.url(key, expire=max(1, int(expires - now)))


def asset_poster_url(asset: VideoAsset, *, now: float | None = None) -> str:
    if not asset.poster_key:
        return ""
    now = time.time() if now is None else now
    return signed_storage_url(asset.poster_key, expires=playlist_expiry(asset, now), now=now)


# --- Rewriting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    asset: VideoAsset
    expires: int
    now: float


def _read(key: str) -> str:
    try:
        with default_storage.open(key, "rb") as handle:
            return handle.read().decode("utf-8")
    except (FileNotFoundError, OSError) as missing:
        raise PlaylistUnavailable(key) from missing


def _resolve(base_key: str, uri: str) -> str | None:
    """The storage key a playlist URI names, relative to the playlist; None for anything that is
    not a relative path inside the storage (an absolute URL, a path going above the root)."""
    if "://" in uri or uri.startswith("/") or "?" in uri or "#" in uri:
        return None
    key = posixpath.normpath(posixpath.join(posixpath.dirname(base_key), uri))
    return None if key.startswith("..") else key


def _rewrite_master(ctx: _Context) -> str:
    asset = ctx.asset
    by_key = {r["playlist"]: int(r["height"]) for r in asset.renditions}
    out: list[str] = []
    pending_tag: str | None = None
    for raw in _read(asset.master_key).splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#EXT-X-STREAM-INF"):
            pending_tag = line
            continue
        if line.startswith("#"):
            if _URI_ATTRIBUTE.search(line):
                continue  # no alternative media or I-frame lists in our ladder: never pass raw keys
            out.append(line)
            continue
        height = by_key.get(_resolve(asset.master_key, line) or "")
        if height is not None and pending_tag is not None:
            url = reverse("media_rendition_playlist", kwargs={"key": asset.key, "height": height})
            out.append(pending_tag)
            out.append(f"{url}?t={rendition_token(asset, height, ctx.expires)}")
        pending_tag = None
    if not any(line.startswith("#EXT-X-STREAM-INF") for line in out):
        raise PlaylistUnavailable(asset.master_key)
    return "\n".join(out) + "\n"


def _rewrite_rendition(ctx: _Context, playlist_key: str) -> str:
    hls_prefix = ctx.asset.hls_prefix

    def signed(uri: str) -> str | None:
        key = _resolve(playlist_key, uri)
        if key is None or not key.startswith(hls_prefix):
            return None
        return signed_storage_url(key, expires=ctx.expires, now=ctx.now)

    out: list[str] = []
    for raw in _read(playlist_key).splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _URI_ATTRIBUTE.search(line)
            if match:
                url = signed(match.group(1))
                if url is None:
                    raise PlaylistUnavailable(playlist_key)
                line = f"{line[: match.start(1)]}{url}{line[match.end(1) :]}"
            out.append(line)
            continue
        url = signed(line)
        if url is None:
            raise PlaylistUnavailable(playlist_key)
        out.append(url)
    return "\n".join(out) + "\n"


def asset_playlist(asset: VideoAsset, rendition: int | None = None, *, now: float | None = None):
    """The master playlist of a ready asset (rendition None), or the playlist of the rendition of
    that height, rewritten with signed URLs; cached per expiry window. PlaylistUnavailable if the
    asset is not ready, has no such rendition or its files are missing."""
    if asset.status != VideoStatus.READY or not asset.hls_prefix:
        raise PlaylistUnavailable(f"asset {asset.pk} is not ready")
    now = time.time() if now is None else now
    if rendition is not None:
        playlist_key = next(
            (r["playlist"] for r in asset.renditions if int(r["height"]) == rendition), None
        )
        if playlist_key is None:
            raise PlaylistUnavailable(f"asset {asset.pk} has no {rendition}p rendition")
    expires = playlist_expiry(asset, now)
    run = hashlib.sha256(asset.hls_prefix.encode()).hexdigest()[:16]
    cache_key = f"media:playlist:v1:{asset.pk}:{run}:{rendition or 'master'}:{expires}"
    text = cache.get(cache_key)
    if text is None:
        ctx = _Context(asset=asset, expires=expires, now=now)
        text = _rewrite_master(ctx) if rendition is None else _rewrite_rendition(ctx, playlist_key)
        # Past the window a new expiry (hence a new key) is in use: keep it no longer.
        cache.set(cache_key, text, timeout=EXPIRY_WINDOW_SECONDS + 60)
    return text
