"""The learner's own pages that need the player's records (DESIGN.md §5: above credits and
courses): 学时查询 (/my/hours/)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from courses.api import courses_closing, courses_live_lessons, enrolments_waiting
from credits.api import CreditCategory, current_year, learner_years, year_hours

from .explain import explain
from .models import CourseProgress, LessonProgress, PlaybackSession

RECORDS_PER_PAGE = 20

SUGGESTIONS = 5


@never_cache
@login_required
def my_area(request: HttpRequest) -> HttpResponse:
    """我的学习: my employer's confirmation, the courses I am studying (继续学习 at the lesson I
    was on: the player resumes where I stopped), those I completed with their 学时, and this
    year's meter."""
    progress = CourseProgress.objects.filter(learner=request.user).select_related(
        "course", "last_lesson", "credit_entry"
    )
    rows = list(progress.order_by("-started_at"))
    completed = [{"progress": row, "entry": row.credit_entry} for row in rows if row.completed_at]
    open_rows = [row for row in rows if row.completed_at is None]
    lessons_of = courses_live_lessons(row.course for row in open_rows)  # one query for all
    done_of: dict[int, set] = {row.pk: set() for row in open_rows}
    for progress_id, lesson_id in LessonProgress.objects.filter(
        course_progress__in=open_rows, completed_at__isnull=False
    ).values_list("course_progress_id", "lesson_id"):
        done_of[progress_id].add(lesson_id)
    studying = []
    for row in open_rows:
        lessons = lessons_of[row.course_id]
        done = done_of[row.pk]
        live = {lesson.pk for lesson in lessons}
        resume = row.last_lesson if row.last_lesson_id in live else None
        resume = resume or next((lesson for lesson in lessons if lesson.pk not in done), None)
        studying.append(
            {
                "progress": row,
                "lessons": len(lessons),
                "done": len(done & live),
                "resume": resume,
            }
        )
    completed.sort(key=lambda item: item["progress"].completed_at, reverse=True)
    return render(
        request,
        "my/area.html",
        {
            "person": request.user,
            "hours": year_hours(learner=request.user, year=current_year()),
            "studying": studying,
            "completed": completed,
            "enrolments": enrolments_waiting(request.user),
            "last_session": _sessions_of(request.user).first(),
        },
    )


def _sessions_of(learner):
    return (
        PlaybackSession.objects.filter(learner=learner)
        .select_related("lesson", "course")
        .order_by("-started_at")
    )


@never_cache
@login_required
def my_records(request: HttpRequest) -> HttpResponse:
    """学习记录: each of my sessions, newest first, with the server's explanation of it (the
    player's 本次学习记录): what was credited, each stretch not credited and why, failed checks,
    how it ended."""
    page = Paginator(
        _sessions_of(request.user).prefetch_related("refused", "check_failures"),
        RECORDS_PER_PAGE,
    ).get_page(request.GET.get("p"))
    return render(
        request,
        "player/my_records.html",
        {
            "page_obj": page,
            "records": [{"session": session, "explained": explain(session)} for session in page],
        },
    )


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
