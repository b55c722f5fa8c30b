from django.apps import AppConfig


class PlayerConfig(AppConfig):
    name = "player"
    verbose_name = "学习播放"

    def ready(self) -> None:
        from catalog.api import learner_count_register

        from .api import course_learner_count

        learner_count_register(course_learner_count)
