"""Celery tasks for courseware video (routed to the transcoding queue by CELERY_TASK_ROUTES)."""

import logging

from celery import shared_task

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
