"""Progress of an asset's processing, pushed to the editors watching it (Channels)."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .models import VideoAsset


def asset_group(asset_id: int) -> str:
    return f"video-asset-{asset_id}"


def asset_state(asset: VideoAsset) -> dict:
    return {
        "id": asset.pk,
        "status": asset.status,
        "status_display": asset.get_status_display(),
        "progress": asset.progress_percent,
        "failure_reason": asset.failure_reason,
        "duration": asset.duration,
    }


def asset_broadcast(asset: VideoAsset) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(
        asset_group(asset.pk), {"type": "asset.progress", "asset": asset_state(asset)}
    )
