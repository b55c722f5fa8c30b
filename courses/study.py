"""Who may study a course, and which versions of it a preview shows."""

from wagtail.models import Revision

from accounts.api import LEARNER

from .extensions import listing


def course_study_allowed(user, course) -> bool:
    """Whether `user` may study `course`: a logged-in, active learner (学员) and a live course.

    The player issue adds enrolment where a course has a fee; until then every live course is
    open to every learner."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not course.live:
        return False
    return user.groups.filter(name=LEARNER).exists()


def course_versions(course) -> tuple[list, list]:
    """The lesson and instructor versions approving `course` would publish: those pinned by its
    review under way, else the latest ones."""
    pins = listing.review_pins(course) or {}

    def version(obj, pinned: dict):
        if str(obj.pk) not in pinned:
            return obj.get_latest_revision_as_object()
        revision_id = pinned[str(obj.pk)]  # None: the stored row was the version checked
        return Revision.objects.get(pk=revision_id).as_object() if revision_id else obj

    if pins:
        lessons = [
            version(lesson, pins.get("lessons", {}))
            for lesson in course.lessons().filter(pk__in=[int(k) for k in pins.get("lessons", {})])
        ]
    else:
        lessons = [lesson.get_latest_revision_as_object() for lesson in course.lessons()]
    instructors = [version(i, pins.get("instructors", {})) for i in course.instructors.all()]
    return lessons, instructors
