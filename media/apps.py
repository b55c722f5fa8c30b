import mimetypes

from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    label = "courseware_media"
    verbose_name = "课件视频"

    def ready(self) -> None:
        # Python guesses .ts as a Qt translation file: storage must label segments as video.
        mimetypes.add_type("video/mp2t", ".ts")
        mimetypes.add_type("application/vnd.apple.mpegurl", ".m3u8")

        from .queue import processing_enqueuer_set
        from .tasks import video_asset_enqueue

        processing_enqueuer_set(video_asset_enqueue)
