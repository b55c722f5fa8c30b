"""Anonymous pages of the catalog (catalog lists, search, course and institution pages) are
cached whole: they carry no CSRF token and nothing per user. Publishing or unpublishing any page
bumps one version number, which retires every cached copy at once."""

import functools

from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest
from wagtail.signals import page_published, page_unpublished

VERSION_KEY = "catalog:pages:version"
TIMEOUT = 600


def _version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def catalog_cache_purge() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


@receiver(page_published)
@receiver(page_unpublished)
def _purge_on_publish(sender, **kwargs):
    catalog_cache_purge()


def cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not getattr(request, "is_preview", False)
        and not request.COOKIES.get("messages")
    )


def anonymous_cached(render):
    """Wrap `render(request, ...) -> HttpResponse` so that anonymous GETs are served from the
    cache (keyed by version and full path)."""

    @functools.wraps(render)
    def wrapped(request, *args, **kwargs):
        if not cacheable(request):
            return render(request, *args, **kwargs)
        key = f"catalog:page:{_version()}:{request.get_full_path()}"
        response = cache.get(key)
        if response is None:
            response = render(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if response.status_code == 200 and not response.cookies:
                cache.set(key, response, TIMEOUT)
        return response

    return wrapped
