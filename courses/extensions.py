"""What a higher layer plugs into courses (DESIGN.md §5: a lower app offers a registry, never an
import upward). The catalog's listing-approval workflow approves course and disclosure pages; it
registers itself here when the catalog app is ready (catalog/apps.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


def _unregistered(*_args):
    raise ImproperlyConfigured("课程上架审核流程未注册（catalog 应用未加载）")


@dataclass
class ListingHooks:
    workflow: Callable = _unregistered  # () -> the listing workflow, or None
    review_pins: Callable = _unregistered  # (page) -> pinned revisions of its review, or None


listing = ListingHooks()


def listing_hooks_register(*, workflow: Callable, review_pins: Callable) -> None:
    listing.workflow = workflow
    listing.review_pins = review_pins
