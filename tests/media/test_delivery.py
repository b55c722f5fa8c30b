"""Signed delivery: the master playlist for those allowed, rendition playlists by signed token,
segments by signed storage URLs (S3 presigned; /media-signed/ on the embedded default).

A real HLS set made by the processing service from a 3 s clip. The embedded-default tests always
run (on a FileSystemStorage even when the S3 variables are set); the S3 tests are `services` tests
that skip without AWS_STORAGE_BUCKET_NAME."""

import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from media import delivery
from media.models import VideoStatus
from media.services import video_asset_process
from tests.factories import InstitutionFactory
from tests.media.people import make_editor, make_learner, make_staff

pytestmark = pytest.mark.django_db

LOCAL_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


def uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def local_storage(settings, tmp_path):
    """The embedded default's storage (files under a folder), whatever the environment says."""
    settings.STORAGES = LOCAL_STORAGES
    settings.MEDIA_ROOT = tmp_path / "media"
    assert delivery.storage_is_local()


@pytest.fixture
def s3_storage():
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        pytest.skip("needs AWS_STORAGE_BUCKET_NAME (the embedded default is in use)")
    from botocore.exceptions import ClientError

    assert not delivery.storage_is_local()
    client = default_storage.connection.meta.client
    try:
        client.head_bucket(Bucket=default_storage.bucket_name)
    except ClientError:
        client.create_bucket(Bucket=default_storage.bucket_name)
    return client


@pytest.fixture
def ready_asset(institution, uploaded_asset):
    def make():
        asset = uploaded_asset()
        assert video_asset_process(asset_id=asset.pk) == VideoStatus.READY
        asset.refresh_from_db()
        return asset

    return make


@pytest.fixture
def editor(institution):
    return make_editor(institution, "editor")


def fetch_master(client, asset) -> str:
    response = client.get(delivery.master_playlist_url(asset))
    assert response.status_code == 200, response
    assert response["Content-Type"] == PLAYLIST_TYPE
    assert "private" in response["Cache-Control"]
    return response.content.decode()


def follow_rendition(client, master: str) -> tuple[str, str]:
    """The first rendition URL of the master and its (rewritten) playlist, fetched without any
    session: the token is the only credential."""
    rendition_url = uris(master)[0]
    response = client.get(rendition_url)
    assert response.status_code == 200, response
    assert response["Content-Type"] == PLAYLIST_TYPE
    return rendition_url, response.content.decode()


# --- Who gets a playlist -------------------------------------------------------------------------


def test_playlist_allowed_to_the_owners_editors_and_reviewers_only(
    client, local_storage, ready_asset, editor
):
    asset = ready_asset()
    url = delivery.master_playlist_url(asset)
    assert url == f"/media/videos/{asset.key}/master.m3u8"
    assert client.get(url).status_code == 403  # not logged in

    other = make_editor(InstitutionFactory(name="别家培训学校"), "other_editor")
    for user, status in [
        (editor, 200),
        (make_staff("审核员", "reviewer"), 200),
        (make_staff("人社局管理员", "bureau"), 200),
        (other, 404),
        (make_learner(), 404),  # a learner: only as a live lesson's video (tests/courses)
        (make_staff("用人单位审核员", "hr"), 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
        assert delivery.playlist_allowed(user, asset) is (status == 200)


def test_no_playlist_before_the_asset_is_ready(client, local_storage, uploaded_asset, editor):
    asset = uploaded_asset()
    client.force_login(editor)
    assert client.get(delivery.master_playlist_url(asset)).status_code == 404
    with pytest.raises(PermissionDenied):
        delivery.video_playlist_for(editor, asset)


# --- Embedded default: /media-signed/ -------------------------------------------------------------


def test_embedded_default_serves_signed_segments_only(client, local_storage, ready_asset, editor):
    asset = ready_asset()
    client.force_login(editor)
    master = fetch_master(client, asset)
    assert "#EXT-X-STREAM-INF" in master
    assert re.fullmatch(rf"/media/videos/{asset.key}/240p\.m3u8\?t=\S+", uris(master)[0])
    assert asset.hls_prefix not in master  # no storage key leaks

    client.logout()
    rendition_url, playlist = follow_rendition(client, master)
    assert "#EXT-X-ENDLIST" in playlist and "#EXTINF" in playlist
    segments = uris(playlist)
    assert segments and all(s.startswith("/media-signed/") for s in segments)

    response = client.get(segments[0])
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp2t"
    data = body(response)
    assert data[:1] == b"\x47"  # MPEG-TS sync byte
    key = delivery.file_token_key(segments[0].split("/")[2], now=time.time())
    with default_storage.open(key, "rb") as handle:
        assert handle.read() == data

    # Tampered, expired, or naming another file: 403.
    token = segments[0].split("/")[2]
    assert client.get(f"/media-signed/{token[:-1]}x/").status_code == 403
    assert client.get(f"/media-signed/{token}x/").status_code == 403
    expired = delivery.file_token(key, int(time.time()) - 1)
    assert client.get(f"/media-signed/{expired}/").status_code == 403
    for outside in ("secret.txt", asset.source_key, f"{asset.hls_prefix}../../source.mp4"):
        token = delivery.file_token(outside, int(time.time()) + 600)
        assert client.get(f"/media-signed/{token}/").status_code == 403, outside
    # A storage key without a token is nowhere to be had.
    assert client.get(f"/media/{key}").status_code == 404

    # The rendition playlist's token: tampered or expired → 403.
    assert client.get(rendition_url + "x").status_code == 403
    assert client.get(rendition_url.split("?")[0]).status_code == 403
    stale = delivery.rendition_token(asset, 240, int(time.time()) - 1)
    assert client.get(f"{rendition_url.split('?')[0]}?t={stale}").status_code == 403
    wrong_height = delivery.rendition_token(asset, 720, int(time.time()) + 600)
    assert client.get(f"{rendition_url.split('?')[0]}?t={wrong_height}").status_code == 403


def test_signed_urls_live_for_the_duration_plus_the_grace_period(
    local_storage, ready_asset, settings
):
    asset = ready_asset()
    now = time.time()
    lifetime = asset.duration + settings.VIDEO_PLAYLIST_GRACE_SECONDS
    playlist = delivery.asset_playlist(asset, 240, now=now)
    token = uris(playlist)[0].split("/")[2]
    assert delivery.file_token_key(token, now=now + lifetime - 1)
    window = delivery.EXPIRY_WINDOW_SECONDS
    assert delivery.file_token_key(token, now=now + lifetime + window) is None
    master = delivery.asset_playlist(asset, now=now)
    rendition_token = urllib.parse.parse_qs(urllib.parse.urlsplit(uris(master)[0]).query)["t"][0]
    assert delivery.rendition_token_check(
        rendition_token, asset=asset, height=240, now=now + lifetime - 1
    )
    assert not delivery.rendition_token_check(
        rendition_token, asset=asset, height=240, now=now + lifetime + window
    )


def test_rewritten_playlists_are_cached_per_expiry_window(local_storage, ready_asset, settings):
    asset = ready_asset()
    window = delivery.EXPIRY_WINDOW_SECONDS
    start = (time.time() // window) * window + 1
    first = delivery.asset_playlist(asset, 240, now=start)
    # The same window: the same text, from the cache (the playlist file is not read again).
    default_storage.delete(asset.renditions[0]["playlist"])
    assert delivery.asset_playlist(asset, 240, now=start + window - 10) == first
    # The next window: a new expiry, so a fresh rewrite (which now finds the file missing).
    with pytest.raises(delivery.PlaylistUnavailable):
        delivery.asset_playlist(asset, 240, now=start + window)
    master = delivery.asset_playlist(asset, now=start)
    assert master == delivery.asset_playlist(asset, now=start + 5)
    assert master != delivery.asset_playlist(asset, now=start + window)


@pytest.mark.services
def test_the_signed_file_view_is_off_when_storage_is_s3(client, s3_storage):
    token = delivery.file_token("institutions/1/videos/x/hls/r/240p/seg_00000.ts", 2**40)
    assert client.get(f"/media-signed/{token}/").status_code == 404


# --- S3 ---------------------------------------------------------------------------------------


@pytest.mark.services
def test_s3_segments_come_straight_from_the_bucket_by_signed_url(
    client, s3_storage, ready_asset, editor, settings
):
    asset = ready_asset()
    client.force_login(editor)
    master = fetch_master(client, asset)
    client.logout()
    rendition_url, playlist = follow_rendition(client, master)
    segments = uris(playlist)
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    assert segments and all(s.startswith(endpoint) for s in segments)

    with urllib.request.urlopen(segments[0], timeout=15) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "video/mp2t"
        assert response.read(1) == b"\x47"

    # Valid for the video's duration plus the grace period (rounded up to the window).
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(segments[0]).query)
    assert "X-Amz-Signature" in query
    lifetime = asset.duration + settings.VIDEO_PLAYLIST_GRACE_SECONDS
    expires_in = int(query["X-Amz-Expires"][0])
    assert lifetime - 60 <= expires_in <= lifetime + delivery.EXPIRY_WINDOW_SECONDS + 60

    # The same key without a signature: the private bucket refuses it.
    unsigned = segments[0].split("?")[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=15)
    assert refused.value.code == 403

    # Our rendition URL with an expired or tampered token: 403.
    stale = delivery.rendition_token(asset, 240, int(time.time()) - 1)
    assert client.get(f"{rendition_url.split('?')[0]}?t={stale}").status_code == 403
    assert client.get(rendition_url + "x").status_code == 403
