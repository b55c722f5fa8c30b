from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo loader behind `make run` (DESIGN.md §3): the top layer, made through every app's
    api.py as an institution, a reviewer and the bureau would make it."""

    name = "demo"
    verbose_name = "演示内容"
