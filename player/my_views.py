"""The learner's own pages that need the player's records (DESIGN.md §5: above credits and
courses): 学时查询 (/my/hours/)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from courses.api import courses_closing
from credits.api import CreditCategory, current_year, learner_years, year_hours

from .models import CourseProgress

SUGGESTIONS = 5


@never_cache
@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    """The learner's hours of a credit year (the current one, or `?year=` of those they have):
    meters against the year's rules, the ledger's entries, the deadline, and when short the
    approved courses that would close the gap, fewest first."""
    current = current_year()
    years = learner_years(learner=request.user, current=current)
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    hours = year_hours(learner=request.user, year=year)
    done = set(
        CourseProgress.objects.filter(learner=request.user, completed_at__isnull=False).values_list(
            "course_id", flat=True
        )
    ) | {entry.course_id for entry in hours.entries if entry.course_id}
    gaps = []
    if year == current and not hours.met:
        for category in hours.categories:
            if category.met:
                continue
            gaps.append(
                {
                    "category": category,
                    "courses": _closing(
                        courses_closing(
                            public=category.category == CreditCategory.PUBLIC,
                            year=year,
                            exclude_ids=done,
                            limit=SUGGESTIONS * 4,
                        ),
                        category.missing,
                    ),
                }
            )
    return render(
        request,
        "player/my_hours.html",
        {"hours": hours, "years": years, "current": current, "gaps": gaps},
    )


def _closing(courses, missing) -> list:
    """Of `courses` (most 学时 first), as many as close `missing`, at most SUGGESTIONS."""
    chosen, total = [], 0
    for course in courses:
        if total >= missing or len(chosen) >= SUGGESTIONS:
            break
        chosen.append(course)
        total += course.credit_hours
    return chosen
