"""The site's URLs and the pages benchmark's baseline: a trivial view behind the same middleware."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/trivial/", trivial), path("", include("config.urls"))]
