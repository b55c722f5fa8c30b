"""What other apps (the catalog's listing workflow, the player, media delivery) may use of courses."""

from dataclasses import dataclass, field

from django.db import transaction
from wagtail.models import Page, Revision

from accounts.roles import LEARNER

from .models import CoursePage, InstitutionPage, Instructor, LessonPage, Subject, Topic
from .rules import course_draft, course_problems, disclosure_problems

__all__ = [
    "CoursePage",
    "InstitutionPage",
    "Instructor",
    "LessonPage",
    "ListingCheck",
    "Subject",
    "Topic",
    "asset_study_allowed",
    "course_study_allowed",
    "course_versions",
    "listing_check",
    "listing_publish_related",
]


@dataclass(frozen=True)
class ListingCheck:
    """The platform's check of a page submitted for listing, and the versions it checked (pins:
    what approving it will publish alongside the page)."""

    problems: list[str]
    pins: dict = field(default_factory=dict)


def listing_check(page: Page) -> ListingCheck:
    """Check what approving `page` now would publish. Pages other than courses and disclosures
    have nothing to check."""
    page = page.specific
    if isinstance(page, CoursePage):
        draft = course_draft(page)
        return ListingCheck(
            problems=course_problems(draft, institution_id=page.institution.pk),
            pins={
                "lessons": {str(k): v for k, v in draft.lesson_revisions.items()},
                "instructors": {str(k): v for k, v in draft.instructor_revisions.items()},
            },
        )
    if isinstance(page, InstitutionPage):
        version = page.get_latest_revision_as_object()
        return ListingCheck(problems=disclosure_problems(version))
    return ListingCheck(problems=[])


@transaction.atomic
def listing_publish_related(page: Page, pins: dict, *, user=None) -> None:
    """Publish, with an approved course, the lesson and instructor versions that were checked
    when it was submitted (later edits stay drafts for the next approval)."""
    lessons = LessonPage.objects.child_of(page).filter(
        pk__in=[int(k) for k in pins.get("lessons", {})]
    )
    for lesson in lessons:
        _publish_pinned(lesson, pins["lessons"][str(lesson.pk)], user=user)
    for instructor in Instructor.objects.filter(
        pk__in=[int(k) for k in pins.get("instructors", {})]
    ):
        _publish_pinned(instructor, pins["instructors"][str(instructor.pk)], user=user)


def _publish_pinned(obj, revision_id: int | None, *, user) -> None:
    if revision_id is None:  # never edited through the admin: the row itself is the version
        if not obj.live:
            obj.save_revision(user=user).publish(user=user, skip_permission_checks=True)
        return
    if obj.live and obj.live_revision_id and obj.live_revision_id >= revision_id:
        # Already live, or a newer version went live with another course (instructors are
        # shared): never roll it back.
        return
    Revision.objects.get(pk=revision_id).publish(user=user, skip_permission_checks=True)


def course_versions(course: CoursePage) -> tuple[list[LessonPage], list[Instructor]]:
    """The lesson and instructor versions approving `course` would publish: those pinned by its
    review under way, else the latest ones."""
    from catalog.api import listing_review_pins  # catalog's workflow pins them

    pins = listing_review_pins(course) or {}

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


def course_study_allowed(user, course: CoursePage) -> bool:
    """Whether `user` may study `course`: a logged-in, active learner (学员) and a live course.

    The player issue adds enrolment where a course has a fee; until then every live course is
    open to every learner."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not course.live:
        return False
    return user.groups.filter(name=LEARNER).exists()


def asset_study_allowed(user, asset_id: int) -> bool:
    """Whether `user` may watch the video asset as a lesson: it is the video of a live lesson of a
    live course the learner may study."""
    lesson_paths = (
        LessonPage.objects.live().filter(video_id=asset_id).values_list("path", flat=True)
    )
    courses = CoursePage.objects.live().filter(
        path__in=[path[: -Page.steplen] for path in lesson_paths]
    )
    return any(course_study_allowed(user, course) for course in courses)
