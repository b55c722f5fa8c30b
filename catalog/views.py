from urllib.parse import quote

from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from accounts.api import industries
from config.cache import cache_available, cache_errors
from config.page_cache import anonymous_cached
from courses.api import Subject, institutions_live, topics
from credits.api import current_credit_year, current_year

from .entries import COMING
from .selectors import CatalogFilters, catalog_courses, course_search, lesson_counts

PER_PAGE = 12
SUBJECT_TITLES = {
    Subject.PUBLIC: ("公需科目", "免费学习。重点内容与普及内容，每年不少于 30 学时。"),
    Subject.PROFESSIONAL: ("专业科目", "按行业与职称系列选择课程，每年不少于 60 学时。"),
    Subject.ACCOUNTING: ("会计专区", "会计专业技术人员在专区学习专业科目（豫财会〔2025〕4号）。"),
}


def entry_coming(request: HttpRequest, url_name: str) -> HttpResponse:
    """An entry whose feature is not built yet: say so plainly, with what it will do."""
    entry = COMING.get(url_name)
    if entry is None:
        raise Http404
    return render(request, "catalog/entry_coming.html", {"entry": entry})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and its database does. The cache is reported,
    not required (a cache error is a miss: config.cache)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse(
        {
            "status": "ok",
            "database": connection.vendor,
            "cache": "ok" if cache_available() else "unavailable",
            "cache_errors": sum(cache_errors().values()),
        }
    )


def _courses_page(request, courses):
    page_obj = Paginator(courses, PER_PAGE).get_page(_page_number(request))
    counts = lesson_counts(page_obj.object_list)
    for course in page_obj.object_list:
        course.lesson_count = counts.get(course.pk, 0)
    return page_obj


CACHED_PAGES = 20  # deeper pages are rare: not worth a cache entry each


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    number = int(value) if value.isascii() and value.isdigit() and len(value) < 6 else 1
    return max(number, 1)


def _catalog_key(request, subject: str) -> str | None:
    page = _page_number(request)
    if page > CACHED_PAGES:
        return None
    year = current_year(accounting=subject == Subject.ACCOUNTING)
    return f"{year}|{CatalogFilters.from_query(request.GET).cache_key()}|{page}"


def _search_key(request) -> str | None:
    page = _page_number(request)
    if page > CACHED_PAGES:
        return None
    # The query as shown on the page (capped); the pages cache is bounded and of its own.
    return f"{current_year()}|{request.GET.get('q', '').strip()[:100]}|{page}"


def catalog_list(request: HttpRequest, subject: str) -> HttpResponse:
    """公需科目 / 专业科目 / 会计专区: live, approved courses of the current credit year."""
    year = current_credit_year(accounting=subject == Subject.ACCOUNTING)
    filters = CatalogFilters.from_query(request.GET)
    courses = catalog_courses(subject=subject, year=year and year.year, filters=filters)
    title, lead = SUBJECT_TITLES[subject]
    return TemplateResponse(
        request,
        "catalog/catalog.html",
        {
            "title": title,
            "lead": lead,
            "subject": subject,
            "year": year,
            "filters": filters,
            "page_obj": _courses_page(request, courses),
            "topics": topics() if subject == Subject.PUBLIC else [],
            "industries": industries() if subject == Subject.PROFESSIONAL else [],
            "institutions": institutions_live(),
            "query_string": filters.to_query(),
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    """/search/?q=: approved courses by title, summary, topic, instructor or institution."""
    text = request.GET.get("q", "").strip()[:100]
    year = current_credit_year()
    accounting = current_credit_year(accounting=True)
    results = (
        course_search(
            text=text, year=year and year.year, accounting_year=accounting and accounting.year
        )
        if text
        else []
    )
    return TemplateResponse(
        request,
        "catalog/search.html",
        {
            "q": text,
            "page_obj": _courses_page(request, results),
            "topics": topics(),
            "query_string": f"q={quote(text)}",
        },
    )


catalog_list = anonymous_cached(catalog_list, key=_catalog_key)
search = anonymous_cached(search, key=_search_key)
