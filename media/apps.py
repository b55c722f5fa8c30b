from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    label = "courseware_media"
    verbose_name = "课件视频"
