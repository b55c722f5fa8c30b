"""Anonymous public pages (the catalog's lists and search, course and institution pages) are
cached whole in a cache of their own ("pages", so a flood of distinct URLs can never evict the
login and reset counters in "default"): they carry no CSRF token and nothing per user. Any
change to what they show — a page published, unpublished, moved or restricted, an instructor
published, a topic, industry or credit year saved — replaces one generation token after the
transaction commits, which retires every cached copy at once (in the process that made the
change; the others read the token at most every GENERATION_MEMO_SECONDS).

Keys are built from validated inputs only (see `anonymous_cached`'s `key` argument), never from
the raw query string.

Each process also keeps its own copies of the pages it served most recently (COPIES of them, for
at most COPY_SECONDS), under the same keys: a key names its generation, so a copy retires with
the shared one. A hit there reads neither Redis nor a pickle (they were a third of a cached
page's CPU; issue 17): each request gets a response of its own, made from the copy's status,
headers and bytes."""

import functools
import hashlib
import threading
import time
import uuid
from collections import OrderedDict

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from wagtail.models import PageViewRestriction
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)

GENERATION_KEY = "catalog:pages:generation"
TIMEOUT = 600
GENERATION_MEMO_SECONDS = 2.0  # another process's purge is seen within this
COPIES = 256  # pages a process keeps a copy of (tens of kilobytes each)
COPY_SECONDS = 60.0


def _cache():
    return caches["pages"]


_memo: tuple[float, str] | None = None  # (until, generation): this process's copy


def _generation() -> str:
    """The current generation, read from the cache at most every GENERATION_MEMO_SECONDS (every
    page request asked Redis before: a fifth of a cached page's CPU). A purge in this process
    takes effect at once; one in another process within those seconds."""
    global _memo
    now = time.monotonic()
    if _memo is not None and now < _memo[0]:
        return _memo[1]
    generation = _cache().get_or_set(GENERATION_KEY, uuid.uuid4().hex, None)
    _memo = (now + GENERATION_MEMO_SECONDS, generation)
    return generation


def page_generation_forget() -> None:
    """Forget this process's copy of the generation and of the pages (the tests, between two)."""
    global _memo
    _memo = None
    with _copies_lock:
        _copies.clear()


# key -> (until, status, headers, content): this process's copies of the pages it served
_copies: OrderedDict = OrderedDict()
_copies_lock = threading.Lock()


def _page_read(key: str) -> HttpResponse | None:
    """The page stored under `key`: this process's copy if it has one, else the shared cache's
    (then copied here: only what the shared cache holds is copied, so a cache configured away,
    a DummyCache, leaves nothing cached here either)."""
    now = time.monotonic()
    with _copies_lock:
        copy = _copies.get(key)
        if copy is not None and now < copy[0]:
            _copies.move_to_end(key)
            _until, status, headers, content = copy
            return HttpResponse(content, status=status, headers=headers)
    response = _cache().get(key)
    if response is not None:
        _page_copy(key, response, now)
    return response


def _page_copy(key: str, response: HttpResponse, now: float) -> None:
    copy = (now + COPY_SECONDS, response.status_code, dict(response.items()), response.content)
    with _copies_lock:
        _copies[key] = copy
        _copies.move_to_end(key)
        while len(_copies) > COPIES:
            _copies.popitem(last=False)


def page_cache_purge() -> None:
    # A fresh random token, never a counter: an evicted counter would restart and reuse keys.
    page_generation_forget()
    _cache().set(GENERATION_KEY, uuid.uuid4().hex, None)


def _purge_after_commit(sender=None, **kwargs):
    # robust: a cache outage must never break the publish that triggered the purge.
    transaction.on_commit(page_cache_purge, robust=True)


# Plain models whose rows the cached pages show (page and snippet publishing are signals below).
# Connected per model: a catch-all post_delete receiver would disable Django's fast deletes.
PURGING_MODELS = (
    "courses.Topic",
    "courses.Instructor",
    "accounts.Industry",
    "accounts.TitleSeries",
    "credits.CreditYear",
    "wagtailcore.PageViewRestriction",
)

for _signal in (page_published, page_unpublished, post_page_move, published, unpublished):
    _signal.connect(_purge_after_commit, dispatch_uid=f"catalog-cache-{id(_signal)}")
for _label in PURGING_MODELS:
    post_save.connect(_purge_after_commit, sender=_label, dispatch_uid=f"catalog-save-{_label}")
    post_delete.connect(_purge_after_commit, sender=_label, dispatch_uid=f"catalog-delete-{_label}")


def cacheable(request: HttpRequest) -> bool:
    """Whether the request reads and fills the page cache: an anonymous GET that is not a
    preview, shows no message and has passed no page's password (Wagtail keeps those in the
    session: what such a visitor sees must never be served to the next one)."""
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not getattr(request, "is_preview", False)
        and not request.COOKIES.get("messages")
        and not request.session.get(PageViewRestriction.passed_view_restrictions_session_key)
    )


def _page_key(request: HttpRequest, variant: str) -> str:
    name = f"{request.get_host()}|{request.path}|{variant}"
    return f"catalog:page:{_generation()}:{hashlib.sha256(name.encode()).hexdigest()}"


class CachedPagesFirstMiddleware:
    """Serve an anonymous GET of a Wagtail page without a query string from the page cache
    before Wagtail routes to it (finding the site and walking the tree cost nine queries, on a
    hit too): the copy `anonymous_cached` stored under the same key, when the page was served
    the ordinary way, by the same rule (`cacheable`). Last in MIDDLEWARE, as a view hook, so
    that every other middleware still does its work on the response (CSP, frame options).
    A miss goes on to Wagtail, which renders and stores it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.url_name != "wagtail_serve" or request.META.get("QUERY_STRING"):
            return None
        if not cacheable(request):
            return None
        return _page_read(_page_key(request, ""))


def anonymous_cached(render, key=None):
    """Wrap `render(request, ...) -> HttpResponse` so that anonymous GETs are served from the
    cache. `key(request, *args, **kwargs)` names what the response depends on (validated
    parameters), or returns None for "do not cache"; without it the path alone does, and a
    request with a query string is not cached."""

    @functools.wraps(render)
    def wrapped(request, *args, **kwargs):
        if not cacheable(request):
            return render(request, *args, **kwargs)
        if key is not None:
            variant = key(request, *args, **kwargs)
        else:
            variant = None if request.META.get("QUERY_STRING") else ""
        if variant is None:  # not worth a cache entry (unknown parameters, deep pages)
            return render(request, *args, **kwargs)
        cache_key = _page_key(request, variant)
        response = _page_read(cache_key)
        if response is None:
            response = render(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if (
                response.status_code == 200
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a token was rendered
            ):
                _cache().set(cache_key, response, TIMEOUT)
        return response

    return wrapped
