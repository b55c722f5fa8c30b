"""Who may download a Wagtail document (DESIGN.md §5: every file through a permission check).

A document takes the privacy of its collection (Wagtail's collection view restrictions): an
institution's internal collection lets only its own group and the reviewers read it
(accounts.institutions); its public collection, and the bureau's files outside any institution,
anyone. Every document is sent as an attachment (WAGTAILDOCS_INLINE_CONTENT_TYPES is empty) with
`nosniff` and a `default-src 'none'` policy (Wagtail's serve view), and never kept by a shared
cache.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils.cache import patch_cache_control
from wagtail import hooks
from wagtail.documents.views.serve import serve


def document_readable(document, request) -> bool | None:
    """True if anyone may have `document`, False if the request's user may not, None if they
    must log in first."""
    restrictions = list(document.collection.get_view_restrictions())
    if not restrictions:
        return True
    if not request.user.is_authenticated:
        return None
    return all(restriction.accept_request(request) for restriction in restrictions)


@hooks.register("before_serve_document", order=-100)
def document_access_check(document, request):
    """Before Wagtail's own check (which would send a logged-in outsider to the login page in a
    loop): anonymous → the site's login page; logged in but not allowed → 404, as for a document
    that does not exist."""
    readable = document_readable(document, request)
    if readable is None:
        return redirect_to_login(request.get_full_path())
    if not readable:
        raise Http404
    return None


def document_serve(request, document_id: int, document_filename: str):
    response = serve(request, document_id, document_filename)
    patch_cache_control(response, private=True, no_cache=True)
    return response
