"""Celery tasks for courseware video (routed to the transcoding queue by CELERY_TASK_ROUTES)."""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connection

from . import services
from .realtime import asset_broadcast

log = logging.getLogger(__name__)


def _broadcast(asset) -> None:
    try:
        asset_broadcast(asset)
    except Exception:  # progress display must never fail a transcode (e.g. Redis down)
        log.warning("could not broadcast progress of asset %s", asset.pk, exc_info=True)


@shared_task(name="media.tasks.video_asset_process", acks_late=True)
def video_asset_process_task(asset_id: int) -> str:
    return services.video_asset_process(asset_id=asset_id, on_progress=_broadcast)


@shared_task(name="media.tasks.video_assets_requeue_stuck")
def video_assets_requeue_stuck() -> int:
    return services.video_assets_requeue_stuck()


def video_asset_enqueue(asset_id: int) -> None:
    """Queue processing. With a broker, a transcoding worker takes it. In the embedded default
    (`make run`: eager Celery, no broker) a background thread runs it, so an upload request does
    not wait for the whole transcode."""
    if not getattr(settings, "VIDEO_PROCESS_IN_THREAD", False):
        video_asset_process_task.delay(asset_id)
        return

    def run() -> None:
        try:
            video_asset_process_task.apply(args=[asset_id])
        finally:
            connection.close()

    threading.Thread(target=run, name=f"video-asset-{asset_id}", daemon=True).start()
