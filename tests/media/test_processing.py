"""The processing task: probe, HLS ladder, poster, measured duration, content types, refusals,
idempotency. Runs on S3 (moto) under CI and on var/ otherwise."""

import mimetypes
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from media.ffmpeg import Tools, ladder_for, probe, tools_find
from media.models import VideoAsset, VideoStatus
from media.services import video_asset_process, video_assets_requeue_stuck
from media.storage import storage_walk
from tests.media.conftest import make_clip

pytestmark = pytest.mark.django_db


def content_type(key: str) -> str:
    if hasattr(default_storage, "bucket"):
        return default_storage.bucket.Object(default_storage._normalize_name(key)).content_type
    return mimetypes.guess_type(key)[0]


def test_a_clip_becomes_an_hls_ladder_with_poster_and_duration(uploaded_asset):
    asset = uploaded_asset()
    seen = []
    status = video_asset_process(asset_id=asset.pk, on_progress=lambda a: seen.append(a.progress))
    asset.refresh_from_db()
    assert status == VideoStatus.READY and asset.status == VideoStatus.READY
    assert 2.9 <= asset.duration <= 3.1  # the sum of the segment durations
    assert (asset.width, asset.height) == (320, 240)
    assert [r["height"] for r in asset.renditions] == [240]  # never taller than the source
    keys = storage_walk(asset.hls_prefix)
    master = f"{asset.hls_prefix}master.m3u8"
    assert master in keys and asset.poster_key in keys
    segments = [k for k in keys if k.endswith(".ts")]
    assert segments
    assert content_type(segments[0]) == "video/mp2t"
    assert content_type(master) == "application/vnd.apple.mpegurl"
    with default_storage.open(segments[0], "rb") as handle:
        assert handle.read(1) == b"\x47"  # MPEG-TS sync byte
    with default_storage.open(master, "rb") as handle:
        text = handle.read().decode()
    assert "#EXT-X-STREAM-INF" in text and "240p/index.m3u8" in text
    with default_storage.open(asset.renditions[0]["playlist"], "rb") as handle:
        rendition = handle.read().decode()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in rendition and "#EXT-X-ENDLIST" in rendition
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


@override_settings(VIDEO_LADDER=[360, 540, 720])
def test_the_ladder_stops_at_the_source_height(tmp_path, uploaded_asset):
    clip = make_clip(tmp_path / "tall.mp4", seconds=2, size="960x540")
    asset = uploaded_asset(content=clip.read_bytes())
    video_asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert [r["height"] for r in asset.renditions] == [360, 540]
    playlists = [k for k in storage_walk(asset.hls_prefix) if k.endswith("index.m3u8")]
    assert len(playlists) == 2


def test_keyframes_every_two_seconds_and_six_second_segments(tmp_path):
    from media.ffmpeg import transcode

    tools = tools_find()
    clip = make_clip(tmp_path / "long.mp4", seconds=13)
    out = tmp_path / "hls"
    out.mkdir()
    result = transcode(clip, out, probe(clip, tools), [240], tools)
    durations = [
        float(line.split(":")[1].rstrip(","))
        for line in result.playlists[240].read_text().splitlines()
        if line.startswith("#EXTINF")
    ]
    assert durations[:2] == [6.0, 6.0] and abs(sum(durations) - 13) < 0.1
    if tools.ffprobe:
        frames = subprocess.run(
            [
                tools.ffprobe,
                "-v",
                "error",
                "-select_streams",
                "v",
                "-skip_frame",
                "nokey",
                "-show_entries",
                "frame=pts_time",
                "-of",
                "csv=p=0",
                str(sorted(out.glob("240p/seg_*.ts"))[1]),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        times = [round(float(t.strip(",")), 1) for t in frames if t.strip(",")]
        gaps = {round(b - a, 1) for a, b in zip(times, times[1:], strict=False)}
        assert gaps == {2.0}


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"just some text that someone renamed to .mp4\n" * 20, "不是可读取的视频文件"),
        (None, "没有视频画面"),
    ],
)
def test_non_videos_are_refused_with_a_reason(tmp_path, uploaded_asset, content, reason):
    if content is None:
        audio = tmp_path / "audio.m4a"
        subprocess.run(
            [
                tools_find().ffmpeg,
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440",
                "-t",
                "2",
                str(audio),
            ],
            check=True,
        )
        content = audio.read_bytes()
    asset = uploaded_asset(content=content)
    assert video_asset_process(asset_id=asset.pk) == VideoStatus.FAILED
    asset.refresh_from_db()
    assert asset.status == VideoStatus.FAILED and reason in asset.failure_reason
    assert storage_walk(f"{asset.prefix}hls/") == []


def test_probing_without_ffprobe_uses_ffmpeg_i(clip, tmp_path):
    tools = tools_find()
    without = Tools(ffmpeg=tools.ffmpeg, ffprobe=None)
    assert probe(clip, without).height == probe(clip, tools).height == 240
    (tmp_path / "x.mp4").write_text("not a video")
    from media.ffmpeg import ProbeError

    with pytest.raises(ProbeError):
        probe(tmp_path / "x.mp4", without)


def test_running_twice_leaves_one_set_and_no_orphans(uploaded_asset):
    asset = uploaded_asset()
    video_asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    first = set(storage_walk(f"{asset.prefix}hls/"))
    # A redelivered task on a ready asset changes nothing.
    assert video_asset_process(asset_id=asset.pk) == VideoStatus.READY
    assert set(storage_walk(f"{asset.prefix}hls/")) == first
    # A worker that died mid-way left a partial run behind; the next run sweeps it up.
    default_storage.save(f"{asset.prefix}hls/dead-run/360p/seg_00000.ts", ContentFile(b"\x47"))
    VideoAsset.objects.filter(pk=asset.pk).update(status=VideoStatus.UPLOADED)
    video_asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    keys = set(storage_walk(f"{asset.prefix}hls/"))
    assert all(key.startswith(asset.hls_prefix) for key in keys)
    assert len(keys) == len(first)
    assert not keys & first  # the earlier run's files are gone too


def test_a_superseded_run_removes_its_own_output(uploaded_asset, monkeypatch):
    asset = uploaded_asset()

    def supersede(current):
        # While this run transcodes, another run takes the asset over.
        if current.progress > 0.5:
            VideoAsset.objects.filter(pk=current.pk).update(
                run="00000000-0000-0000-0000-000000000001"
            )

    video_asset_process(asset_id=asset.pk, on_progress=supersede)
    asset.refresh_from_db()
    assert asset.status == VideoStatus.PROCESSING and asset.hls_prefix == ""
    assert storage_walk(f"{asset.prefix}hls/") == []


def test_stuck_assets_are_queued_again(
    uploaded_asset, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    asset = uploaded_asset()
    long_ago = timezone.now() - timezone.timedelta(seconds=settings.VIDEO_STUCK_AFTER_SECONDS + 60)
    VideoAsset.objects.filter(pk=asset.pk).update(
        status=VideoStatus.PROCESSING, processing_started_at=long_ago, run=None
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert video_assets_requeue_stuck() == 1
    # Queued after commit, like every other path: nothing ran inside the sweeper's transaction.
    asset.refresh_from_db()
    assert asset.status == VideoStatus.UPLOADED and len(queued) == 1
    queued[0]()  # the commit: Celery is eager in tests, so the task runs now
    asset.refresh_from_db()
    assert asset.status == VideoStatus.READY


def test_ladder_rules():
    assert [r.height for r in ladder_for(1080, [360, 540, 720])] == [360, 540, 720]
    assert [r.height for r in ladder_for(600, [360, 540, 720])] == [360, 540]
    assert [r.height for r in ladder_for(241, [360, 540, 720])] == [240]
