"""Writes for courseware video: creating an asset, processing it into HLS, retrying."""

import datetime
import logging
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.api import Organisation, OrganisationKind, User

from .ffmpeg import ProbeError, TranscodeError, probe, tools_find, transcode
from .models import VideoAsset, VideoStatus
from .queue import processing_enqueue_after_commit
from .storage import (
    storage_delete_prefix,
    storage_download,
    storage_upload_tree,
    storage_walk,
)

log = logging.getLogger(__name__)

ProgressCallback = Callable[[VideoAsset], None]


def video_asset_create(
    *, institution: Organisation, title: str, original_name: str, created_by: User | None
) -> VideoAsset:
    """A new asset waiting for its upload; the server picks its keys (under the institution)."""
    if institution.kind != OrganisationKind.INSTITUTION:
        raise ValueError("only a training institution owns courseware")
    suffix = Path(original_name).suffix.lower()[:10] if original_name else ""
    asset = VideoAsset(
        institution=institution,
        title=title,
        original_name=original_name[:255],
        created_by=created_by,
    )
    asset.source_key = f"{asset.prefix}source{suffix}"
    asset.save()
    return asset


def video_asset_mark_uploaded(*, asset: VideoAsset, size: int) -> None:
    """The source is in storage: record its size and queue processing after commit."""
    with transaction.atomic():
        VideoAsset.objects.filter(pk=asset.pk).update(
            status=VideoStatus.UPLOADED,
            source_size=size,
            failure_reason="",
            progress=0.0,
            upload_id="",
        )
        processing_enqueue_after_commit(asset.pk)
    asset.refresh_from_db()


def video_asset_fail(*, asset_id: int, reason: str, only_if: dict | None = None) -> bool:
    """Mark the asset failed with `reason` (shown to its editors), if it still matches `only_if`
    (say, the processing run or the upload that failed); whether it did. The one place an asset
    becomes FAILED."""
    updated = VideoAsset.objects.filter(pk=asset_id, **(only_if or {})).update(
        status=VideoStatus.FAILED, failure_reason=reason, progress=0.0, upload_id=""
    )
    return bool(updated)


def video_asset_ingest(
    *,
    institution: Organisation,
    title: str,
    original_name: str,
    created_by: User | None,
    data: bytes,
) -> VideoAsset:
    """A video made here (the demo loader's): stored and processed now, in this process, not
    queued. Returns the asset as processing left it (READY, or FAILED with a reason)."""
    asset = video_asset_create(
        institution=institution, title=title, original_name=original_name, created_by=created_by
    )
    default_storage.save(asset.source_key, ContentFile(data))
    VideoAsset.objects.filter(pk=asset.pk).update(
        status=VideoStatus.UPLOADED, source_size=len(data)
    )
    video_asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    return asset


def video_asset_discard_unfinished(*, asset: VideoAsset) -> bool:
    """Delete an asset that never became ready, with its files, unless a lesson still names it
    (the lesson's PROTECT keeps it). Whether it was deleted."""
    if asset.status == VideoStatus.READY:
        return False
    try:
        with transaction.atomic():
            asset.delete()
    except ProtectedError:
        return False
    storage_delete_prefix(asset.prefix)
    return True


def _fail(asset_id: int, run: uuid.UUID, reason: str) -> None:
    video_asset_fail(asset_id=asset_id, reason=reason, only_if={"run": run})


def video_asset_process(*, asset_id: int, on_progress: ProgressCallback | None = None) -> str:
    """Probe the source and transcode it to the HLS ladder in storage; returns the final status.

    Idempotent: each run writes under its own `hls/<run>/` prefix and makes it live by switching
    `hls_prefix` in one transaction; everything else under `hls/` (an earlier run's output, a dead
    run's leftovers) is deleted afterwards. A newer run supersedes an older one still going.
    A refused file becomes `failed` with a reason in Chinese; an asset already `ready` is left.
    """
    run = uuid.uuid4()
    with transaction.atomic():
        asset = VideoAsset.objects.select_for_update().filter(pk=asset_id).first()
        if asset is None or asset.status in (VideoStatus.READY, VideoStatus.UPLOADING):
            return asset.status if asset else "missing"
        asset.status = VideoStatus.PROCESSING
        asset.run = run
        asset.progress = 0.0
        asset.failure_reason = ""
        asset.processing_started_at = timezone.now()
        asset.attempts += 1
        asset.save(
            update_fields=[
                "status",
                "run",
                "progress",
                "failure_reason",
                "processing_started_at",
                "attempts",
                "updated_at",
            ]
        )
    if on_progress:
        on_progress(asset)

    tools = tools_find(settings.FFMPEG_BINARY, settings.FFPROBE_BINARY)
    run_prefix = f"{asset.prefix}hls/{run}/"
    with tempfile.TemporaryDirectory(prefix="anyang-video-") as workdir:
        work = Path(workdir)
        source = work / ("source" + Path(asset.source_key).suffix)
        try:
            storage_download(asset.source_key, source)
        except FileNotFoundError:
            _fail(asset.pk, run, "找不到上传的文件，请重新上传。")
            return VideoStatus.FAILED
        try:
            probed = probe(source, tools)
        except ProbeError as refused:
            _fail(asset.pk, run, str(refused))
            return VideoStatus.FAILED

        last = {"at": 0.0}

        def progress(fraction: float) -> None:
            # At most one write per 2 % step: enough to watch, cheap for the database.
            if fraction - last["at"] < 0.02 and fraction < 1.0:
                return
            last["at"] = fraction
            updated = VideoAsset.objects.filter(pk=asset.pk, run=run).update(progress=fraction)
            if updated and on_progress:
                asset.progress = fraction
                on_progress(asset)

        out = work / "hls"
        out.mkdir()
        try:
            result = transcode(source, out, probed, settings.VIDEO_LADDER, tools, progress)
        except TranscodeError:
            log.exception("transcoding asset %s failed", asset.pk)
            _fail(
                asset.pk,
                run,
                "转码失败：视频编码无法处理，请导出为常见的 MP4（H.264）格式后重新上传。",
            )
            return VideoStatus.FAILED
        storage_upload_tree(out, run_prefix)

    renditions = [
        {"height": height, "playlist": f"{run_prefix}{path.relative_to(out).as_posix()}"}
        for height, path in sorted(result.playlists.items())
    ]
    with transaction.atomic():
        current = VideoAsset.objects.select_for_update().get(pk=asset.pk)
        superseded = current.run != run
        if not superseded:
            current.status = VideoStatus.READY
            current.progress = 1.0
            current.duration = result.duration
            current.width, current.height = probed.width, probed.height
            current.hls_prefix = run_prefix
            current.renditions = renditions
            current.poster_key = f"{run_prefix}poster.jpg"
            current.save()
    if superseded:
        storage_delete_prefix(run_prefix)
        return VideoStatus.PROCESSING
    video_asset_sweep_outputs(asset=current)
    if on_progress:
        on_progress(current)
    return VideoStatus.READY


def video_asset_sweep_outputs(*, asset: VideoAsset) -> int:
    """Delete every processing output of `asset` but the run in use (orphans of dead runs)."""
    removed = 0
    hls_root = f"{asset.prefix}hls/"
    for key in storage_walk(hls_root):
        if not asset.hls_prefix or not key.startswith(asset.hls_prefix):
            default_storage.delete(key)
            removed += 1
    return removed


def _stuck_before(now: datetime.datetime) -> datetime.datetime:
    return now - timezone.timedelta(seconds=settings.VIDEO_STUCK_AFTER_SECONDS)


def video_asset_retry_allowed(asset: VideoAsset, *, now=None) -> bool:
    """A failed asset, or one stuck in processing longer than any run can take (the limit the
    sweeper uses too), may be processed again."""
    if asset.status == VideoStatus.FAILED:
        return True
    if asset.status != VideoStatus.PROCESSING:
        return False
    started = asset.processing_started_at
    return started is None or started < _stuck_before(now or timezone.now())


def video_asset_retry(*, asset: VideoAsset) -> bool:
    """An editor retries a failed asset (or one stuck in processing): queue it again after
    commit. Whether it was queued (False: it is not failed or stuck, or no longer)."""
    if not video_asset_retry_allowed(asset):
        return False
    with transaction.atomic():
        # The status seen may be stale: the update claims the asset only as it was seen.
        updated = VideoAsset.objects.filter(
            pk=asset.pk, status=asset.status, processing_started_at=asset.processing_started_at
        ).update(status=VideoStatus.UPLOADED, failure_reason="", progress=0.0, run=None)
        if updated:
            processing_enqueue_after_commit(asset.pk)
    return bool(updated)


def video_assets_requeue_stuck() -> int:
    """Assets uploaded but never picked up, or processing longer than any run can take (a worker
    died): queue them again, after commit, as every other path does. Returns how many."""
    now = timezone.now()
    stuck_processing = VideoAsset.objects.filter(
        status=VideoStatus.PROCESSING, processing_started_at__lt=_stuck_before(now)
    )
    waiting = VideoAsset.objects.filter(
        status=VideoStatus.UPLOADED, updated_at__lt=now - timezone.timedelta(minutes=10)
    )
    ids = list(stuck_processing.values_list("pk", flat=True)) + list(
        waiting.values_list("pk", flat=True)
    )
    with transaction.atomic():
        VideoAsset.objects.filter(pk__in=ids, status=VideoStatus.PROCESSING).update(
            status=VideoStatus.UPLOADED, run=None
        )
        for pk in ids:
            processing_enqueue_after_commit(pk)
    return len(ids)
