from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "课程"

    def ready(self) -> None:
        from . import signals  # noqa: F401
