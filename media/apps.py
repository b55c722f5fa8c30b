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
