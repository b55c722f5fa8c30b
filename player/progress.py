"""Progress and completion: the one place a lesson or a course becomes complete.

Every path that can complete (a heartbeat, a quiz grade, an exam grade) calls `progress_settle`
while holding the lock on the learner's `CourseProgress` row (`course_progress_locked`), so two
paths landing together complete a course once, and the course's 学时 are written into the ledger
in that same transaction (DESIGN.md §4).
"""

from django.db import transaction
from django.utils import timezone

from courses.api import CoursePage, LessonPage, Subject, course_live_lessons
from credits.api import (
    CreditCategory,
    CreditSource,
    credit_grant,
    credit_year_get_or_create,
    current_year,
)

from .models import CourseProgress, LessonProgress

COVERAGE_EPSILON = 1e-6


def course_progress_locked(*, learner, course: CoursePage, now) -> CourseProgress:
    """The learner's progress row for `course`, created if missing, locked until the end of the
    transaction (SELECT … FOR UPDATE; on SQLite the IMMEDIATE transaction already serialises)."""
    assert transaction.get_connection().in_atomic_block, "lock progress inside a transaction"
    locked = CourseProgress.objects.select_for_update(of=("self",)).select_related("course")
    progress = locked.filter(learner=learner, course=course).first()  # of: not the page rows
    if progress is None:  # racing creators agree through the unique constraint
        CourseProgress.objects.get_or_create(
            learner=learner, course=course, defaults={"started_at": now}
        )
        progress = locked.get(learner=learner, course=course)
    return progress


def lesson_progress(progress: CourseProgress, lesson: LessonPage) -> LessonProgress:
    item, _created = LessonProgress.objects.get_or_create(course_progress=progress, lesson=lesson)
    return item


def coverage(frontier: float, duration: float) -> float:
    return min(1.0, frontier / duration) if duration > 0 else 0.0


def credit_summary(progress: CourseProgress) -> dict | None:
    """What completing the course wrote into the ledger, as the page says it: 学时, category,
    year (None until it is complete)."""
    entry = progress.credit_entry if progress.credit_entry_id else None
    if entry is None:
        return None
    return {
        "hours": str(entry.hours),
        "category": entry.get_category_display(),
        "year": entry.year_id,
    }


def lesson_duration(lesson: LessonPage) -> float:
    """The one duration a lesson's watching is measured against: its video's now (a session
    keeps the duration it started with only to bound what it credits)."""
    video = lesson.video if lesson.video_id else None
    return video.duration if video is not None else 0.0


def lesson_coverage(item: LessonProgress, lesson: LessonPage) -> float:
    return coverage(item.frontier, lesson_duration(lesson))


def watched_enough(item: LessonProgress, lesson: LessonPage, year) -> bool:
    """THE rule for "this lesson is watched": the year's coverage of the lesson's video. Every
    path (a heartbeat, a quiz opening, an exam opening, completion) asks this one."""
    return coverage_reached(item, lesson_duration(lesson), year)


def coverage_reached(item: LessonProgress, duration: float, year) -> bool:
    """watched_enough, given the video's duration (a heartbeat has it from courses.api's
    per-process LessonFacts rather than from the page)."""
    return coverage(item.frontier, duration) + COVERAGE_EPSILON >= float(year.completion_coverage)


def completion_year_get_or_create(course: CoursePage, now, *, known=None):
    """The credit year a completion at `now` counts for (DESIGN.md §2: before the deadline);
    `known`, a year already loaded, saves the query when it is that year."""
    accounting = course.subject == Subject.ACCOUNTING
    year = current_year(timezone.localdate(now), accounting=accounting)
    if known is not None and known.year == year:
        return known
    return credit_year_get_or_create(year=year)


def course_counts_in(course: CoursePage, year) -> bool:
    """Whether completing `course` may write hours into `year`: the year is open and the course
    is approved for it."""
    return not year.closed and course.credit_years.filter(pk=year.pk).exists()


def year_refusal(year) -> str:
    if year.closed:
        return f"{year.year} 年度已结束，学习不能再计入学时"
    return f"该课程不适用于 {year.year} 年度，学习不能计入学时"


def progress_settle(progress: CourseProgress, *, now) -> bool:
    """Complete what is now complete, under the lock on `progress`; True if the course is.

    A lesson is complete at the year's coverage and its quiz (if any) passed; the course when
    all its live lessons are and its exam (if any) is passed. Completing the course writes its
    学时 into the ledger once (`credit_grant` on the source key `course:<id>`)."""
    if progress.completed_at is not None:
        return True
    course = progress.course
    year = completion_year_get_or_create(course, now)
    lessons = course_live_lessons(course)
    items = {item.lesson_id: item for item in progress.lessons.all()}
    all_complete = bool(lessons)
    for lesson in lessons:
        item = items.get(lesson.pk)
        if item is None:
            all_complete = False
            continue
        if item.completed_at is None:
            if watched_enough(item, lesson, year) and (
                not lesson.has_quiz or item.quiz_passed_at is not None
            ):
                item.completed_at = now
                item.save(update_fields=["completed_at"])
            else:
                all_complete = False
    if not all_complete or (course.has_quiz and progress.exam_passed_at is None):
        return False
    if not course_counts_in(course, year):
        # Finished after the deadline of the last year the course is approved for (or in a
        # closed year): nothing is written, and nothing carries over. Should the course be
        # approved for this year later, the next heartbeat or grade completes it then.
        return False
    category = (
        CreditCategory.PUBLIC if course.subject == Subject.PUBLIC else CreditCategory.PROFESSIONAL
    )
    entry, _created = credit_grant(
        learner=progress.learner,
        year=year,
        category=category,
        hours=course.credit_hours,
        source=CreditSource.ONLINE_COURSE,
        source_key=f"course:{course.pk}",
        course=course,
    )
    progress.completed_at = now
    progress.credit_entry = entry
    progress.save(update_fields=["completed_at", "credit_entry"])
    return True
