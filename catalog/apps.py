from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "门户与目录"

    def ready(self) -> None:
        from config import page_cache  # noqa: F401  (its purge receivers)
        from courses.api import listing_hooks_register

        from . import signals  # noqa: F401  (signal receivers)
        from .api import listing_review_pins, listing_workflow

        listing_hooks_register(workflow=listing_workflow, review_pins=listing_review_pins)
