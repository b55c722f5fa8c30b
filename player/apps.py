from django.apps import AppConfig


class PlayerConfig(AppConfig):
    name = "player"
    verbose_name = "学习播放"
