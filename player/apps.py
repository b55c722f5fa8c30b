from django.apps import AppConfig


class PlayerConfig(AppConfig):
    name = "player"
    verbose_name = "学习播放"

    def ready(self) -> None:
        from accounts.api import logins_ended
        from catalog.api import learner_count_register

        from .api import course_learner_count
        from .realtime import logins_ended_push

        learner_count_register(course_learner_count)
        logins_ended.connect(logins_ended_push, dispatch_uid="player.logins_ended_push")
