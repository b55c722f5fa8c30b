"""An institution editor uploads a clip in the admin, watches the progress live and plays the
result, in Debian's Chromium against the real ASGI server (embedded default: files under a
folder, Django serving the signed segments).

Tasks run in-process in tests, which would transcode inside the upload request, before the
editor could open the asset's page; here a background thread plays the transcoding worker (in
production Celery, in `make run` media.tasks.video_asset_enqueue's thread), starting once the page
is open, so the progress arrives over the websocket as it would there (each broadcast held for a
moment, so that the page shows every step)."""

import threading
import time

import pytest
from django.db import connection
from playwright.sync_api import expect

from media import services
from media.models import VideoAsset, VideoStatus
from tests.browser import log_in
from tests.media.people import make_editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOCAL_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


# Records what the asset page shows each time its status or percentage changes.
RECORD_PROGRESS = """() => {
  window.__seen = [];
  const root = document.querySelector("[data-asset-page]");
  const note = () => window.__seen.push([
    root.querySelector("[data-asset-status]").textContent.trim(),
    root.querySelector("[data-asset-progress]").value,
  ]);
  note();
  new MutationObserver(note).observe(root, {subtree: true, childList: true, characterData: true});
}"""

PLAYED_A_SECOND = """() => {
  const video = document.querySelector("[data-asset-player]");
  return video && video.currentTime > 1 && !video.paused;
}"""


@pytest.fixture
def local_storage(settings, tmp_path):
    settings.STORAGES = LOCAL_STORAGES
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def worker(monkeypatch):
    """Processing queued by the upload runs in a thread once `start` is set."""
    start = threading.Event()
    threads: list[threading.Thread] = []

    def broadcast_slowly(asset):
        from media.tasks import _broadcast

        _broadcast(asset)
        time.sleep(0.4)

    def run(asset_id):
        try:
            start.wait(60)
            services.video_asset_process(asset_id=asset_id, on_progress=broadcast_slowly)
        finally:
            connection.close()

    def delay(asset_id):
        thread = threading.Thread(target=run, args=(asset_id,), daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr("media.tasks.video_asset_process_task.delay", delay)
    yield start
    start.set()
    for thread in threads:
        thread.join(timeout=60)


def play(page):
    page.locator("[data-asset-player]").evaluate("video => { video.muted = true; video.play(); }")
    page.wait_for_function(PLAYED_A_SECOND, timeout=30_000)


def test_an_editor_uploads_watches_the_progress_and_plays_the_video(
    asgi_server, browser_page, local_storage, worker, institution, clip
):
    page = browser_page
    log_in(page, asgi_server, make_editor(institution, "editor"))

    page.goto("/admin/videos/")
    page.get_by_role("link", name="上传视频").first.click()
    expect(page).to_have_url(f"{asgi_server}/admin/videos/upload/")
    page.locator("#video-title").fill("网络安全法律法规解读 第一讲")
    page.locator("#video-file").set_input_files(str(clip))
    page.get_by_role("button", name="开始上传").click()
    done = page.locator("[data-done-link]")
    expect(done).to_be_visible(timeout=30_000)
    done.click()

    asset = VideoAsset.objects.get(title="网络安全法律法规解读 第一讲")
    expect(page).to_have_url(f"{asgi_server}/admin/videos/{asset.pk}/")
    status = page.locator("[data-asset-status]")
    expect(status).to_have_text("已上传")
    expect(page.locator("[data-asset-progress]")).to_be_visible()
    expect(page.locator("[data-asset-live]")).to_be_visible()  # the websocket is open
    page.evaluate(RECORD_PROGRESS)

    worker.set()  # the worker picks the job up
    expect(status).to_have_text("可播放", timeout=60_000)
    seen = page.evaluate("window.__seen")
    moving = [percent for text, percent in seen if text == "转码中"]
    assert moving and moving == sorted(moving), seen
    assert any(0 < percent < 100 for percent in moving), seen
    expect(page.locator("[data-asset-progress]")).to_be_hidden()
    asset.refresh_from_db()
    assert asset.status == VideoStatus.READY

    expect(page.locator("[data-asset-player-box]")).to_be_visible()
    play(page)
    assert page.console_errors == []


def test_the_preview_plays_with_hls_js_and_reloads_after_a_403(
    asgi_server, browser_page, local_storage, institution, uploaded_asset
):
    asset = uploaded_asset()
    assert services.video_asset_process(asset_id=asset.pk) == VideoStatus.READY
    page = browser_page
    # A browser without native HLS (Chrome before it had one, Firefox): hls.js takes over.
    page.add_init_script(
        """(() => {
          const canPlayType = HTMLMediaElement.prototype.canPlayType;
          HTMLMediaElement.prototype.canPlayType = function (type) {
            return /mpegurl/i.test(type) ? "" : canPlayType.call(this, type);
          };
        })()"""
    )
    # The first segment answers 403, as an expired signed URL would: the player must fetch the
    # playlists again (fresh signatures) and carry on.
    refused = []

    def expire_once(route):
        if not refused and route.request.resource_type in ("xhr", "fetch"):  # not the poster
            refused.append(route.request.url)
            route.fulfill(status=403, body="expired")
        else:
            route.continue_()

    page.route("**/media-signed/**", expire_once)
    masters = []
    page.on("request", lambda r: r.url.endswith("/master.m3u8") and masters.append(r.url))

    log_in(page, asgi_server, make_editor(institution, "editor"))
    page.goto(f"/admin/videos/{asset.pk}/")
    expect(page.locator("[data-asset-status]")).to_have_text("可播放")
    play(page)
    assert page.evaluate("Boolean(window.__assetHls)")
    src = page.locator("[data-asset-player]").evaluate("video => video.currentSrc")
    assert src.startswith("blob:")  # Media Source Extensions, fed by hls.js
    assert len(refused) == 1 and len(masters) >= 2
    # The refused segment (a 403 the test made) is the only error the browser reports.
    assert all("403" in error for error in page.console_errors), page.console_errors
