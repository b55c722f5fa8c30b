"""What other apps may use of media (courseware video): the asset as a type (lessons point to it
as "courseware_media.VideoAsset"), its states, its delivery to a player, the choices an editor
has, and the loader's way to make a video. Courses registers here who may watch an asset as a
lesson (`study_check_register`): it builds on media, so media never imports it."""

from django.db.models import QuerySet

from .delivery import master_playlist_url, playlist_allowed, study_check_register
from .ffmpeg import tools_find
from .models import VideoAsset, VideoStatus
from .services import video_asset_discard_unfinished, video_asset_ingest

__all__ = [
    "VideoAsset",
    "VideoStatus",
    "assets_ready_for",
    "master_playlist_url",
    "playlist_allowed",
    "study_check_register",
    "tools_find",
    "video_asset_discard_unfinished",
    "video_asset_ingest",
    "video_playable",
]


def assets_ready_for(*, institution, keep_id: int | None = None) -> QuerySet[VideoAsset]:
    """The institution's ready videos, newest first, for a lesson's choice; with `keep_id`, that
    one of its videos too even if no longer ready (a lesson keeps showing its current video, and
    the listing check refuses it)."""
    ready = VideoAsset.objects.filter(institution=institution, status=VideoStatus.READY)
    if keep_id:
        ready = ready | VideoAsset.objects.filter(pk=keep_id, institution=institution)
    return ready.order_by("-created_at")


def video_playable(video: VideoAsset | None) -> bool:
    """A video a player can play now: processed, with a measured duration."""
    return video is not None and video.status == VideoStatus.READY and video.duration > 0
