from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "门户与目录"

    def ready(self) -> None:
        from . import cache, signals  # noqa: F401  (signal receivers)
