from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .entries import COMING


def entry_coming(request: HttpRequest, url_name: str) -> HttpResponse:
    """An entry whose feature is not built yet: say so plainly, with what it will do."""
    entry = COMING.get(url_name)
    if entry is None:
        raise Http404
    return render(request, "catalog/entry_coming.html", {"entry": entry})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})
