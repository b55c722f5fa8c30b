from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "课程"

    def ready(self) -> None:
        from media.api import study_check_register

        from . import signals  # noqa: F401  (search documents kept current)
        from .api import asset_study_allowed

        study_check_register(asset_study_allowed)
