"""What other apps may use of the player's records: a learner's standing in a course (the course
page's button), and the learner count the player registers with the catalog (apps.py)."""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import CourseProgress, LessonProgress


def course_learner_count(outer_ref: str = "pk"):
    """An expression: how many learners have started the course `outer_ref` names (学习人数)."""
    counted = (
        CourseProgress.objects.filter(course=OuterRef(outer_ref))
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class CourseStanding:
    """A learner's standing in a course, for the course page's start/continue button."""

    started: bool = False
    completed: bool = False
    last_lesson_id: int | None = None
    lessons_complete: frozenset = field(default_factory=frozenset)


def course_standing(user, course) -> CourseStanding:
    if not getattr(user, "is_authenticated", False):
        return CourseStanding()
    progress = CourseProgress.objects.filter(learner=user, course=course).first()
    if progress is None:
        return CourseStanding()
    complete = LessonProgress.objects.filter(
        course_progress=progress, completed_at__isnull=False
    ).values_list("lesson_id", flat=True)
    return CourseStanding(
        started=True,
        completed=progress.completed_at is not None,
        last_lesson_id=progress.last_lesson_id,
        lessons_complete=frozenset(complete),
    )
