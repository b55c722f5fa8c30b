from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "门户与目录"

    def ready(self) -> None:
        from . import signals  # noqa: F401
