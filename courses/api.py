"""What other apps may use of courses: the page types (as types, for the demo loader's tree and
for isinstance; other apps' rows point to them as "courses.CoursePage"), the listing check and
publication the catalog's workflow runs, who may study what, the lessons a player plays, and
the search matching. Other apps query courses through the functions here; the catalog's listing
and search selectors, and the demo loader building its tree, are the readers that use the page
types themselves (decision 0009)."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from wagtail.models import Page, Revision

from .extensions import listing_hooks_register
from .facts import LessonFacts, lesson_facts, lesson_facts_forget
from .models import (
    BasisKind,
    CoursePage,
    Enrolment,
    EnrolmentState,
    InstitutionIndexPage,
    InstitutionPage,
    Instructor,
    LessonPage,
    Subject,
    Topic,
)
from .quiz import WhenExhausted
from .rules import course_draft, course_problems, disclosure_problems
from .search import search_document, search_query
from .services import enrolment_confirm, enrolment_request, institution_page_ensure
from .study import course_study_allowed, course_study_refusal, course_versions

__all__ = [
    "BasisKind",
    "CoursePage",
    "Enrolment",
    "EnrolmentState",
    "InstitutionIndexPage",
    "InstitutionPage",
    "Instructor",
    "LessonFacts",
    "LessonPage",
    "ListingCheck",
    "Subject",
    "Topic",
    "WhenExhausted",
    "asset_study_allowed",
    "courses_closing",
    "course_live_lessons",
    "courses_live_lessons",
    "course_study_allowed",
    "course_study_refusal",
    "enrolment_confirm",
    "enrolment_request",
    "enrolments_waiting",
    "course_versions",
    "institution_page_ensure",
    "lesson_facts",
    "lesson_facts_forget",
    "lesson_live",
    "listing_check",
    "listing_hooks_register",
    "listing_publish_related",
    "search_document",
    "search_query",
    "topics",
    "institutions_live",
    "institution_index_under",
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


def lesson_live(lesson_id: int) -> LessonPage | None:
    """The live lesson `lesson_id`, with its video, or None."""
    return LessonPage.objects.live().filter(pk=lesson_id).select_related("video").first()


def course_live_lessons(course: CoursePage) -> list[LessonPage]:
    """The course's live lessons, in order, with their videos."""
    return list(LessonPage.objects.live().child_of(course).select_related("video"))


def topics():
    """The public-subject topics (公需科目专题), in their order."""
    return Topic.objects.all()


def institutions_live():
    """The institutions' live disclosure pages, by name."""
    return InstitutionPage.objects.live().order_by("title")


def institution_index_under(page: Page):
    """The live 施教机构 section directly under `page` (the home page), if there is one."""
    return InstitutionIndexPage.objects.live().child_of(page).first()


def courses_closing(*, public: bool, year: int, exclude_ids=(), limit: int = 5) -> list[CoursePage]:
    """Live courses approved for `year` of the public subject (else of the professional ones,
    the 会计专区 included), most 学时 first: the fewest that close a gap come first."""
    subjects = [Subject.PUBLIC] if public else [Subject.PROFESSIONAL, Subject.ACCOUNTING]
    return list(
        CoursePage.objects.live()
        .public()
        .filter(subject__in=subjects, credit_years=year)
        .exclude(pk__in=list(exclude_ids))
        .order_by("-credit_hours", "title")[:limit]
    )


def courses_live_lessons(courses) -> dict[int, list[LessonPage]]:
    """The live lessons of each of `courses`, in order, with their videos, in one query."""
    courses = list(courses)
    if not courses:
        return {}
    by_path = {course.path: course.pk for course in courses}
    condition = Q()
    for course in courses:
        condition |= Q(path__startswith=course.path, depth=course.depth + 1)
    found: dict[int, list[LessonPage]] = {course.pk: [] for course in courses}
    for lesson in (
        LessonPage.objects.live().filter(condition).select_related("video").order_by("path")
    ):
        found[by_path[lesson.path[: -Page.steplen]]].append(lesson)
    return found


def enrolments_waiting(learner) -> list[Enrolment]:
    """The learner's enrolments not (yet) confirmed, newest first, with their courses."""
    return list(
        Enrolment.objects.filter(learner=learner)
        .exclude(state=EnrolmentState.CONFIRMED)
        .select_related("course")
        .order_by("-requested_at")
    )
