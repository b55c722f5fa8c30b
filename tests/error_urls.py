"""The site's URLs plus three views that fail, for tests/test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def _forbidden(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("bad")


def _broken(request):
    raise RuntimeError("a defect, with internals: SECRET_KEY")


urlpatterns = [
    path("test-errors/403", _forbidden),
    path("test-errors/400", _bad),
    path("test-errors/500", _broken),
    *site_urlpatterns,
]
