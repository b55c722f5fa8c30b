"""Reads for the catalog and search: live, approved courses valid for the current credit year,
with what a listing shows, in a fixed number of queries however many courses there are."""

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from wagtail.models import Page

from courses.api import (
    CoursePage,
    InstitutionPage,
    Instructor,
    LessonPage,
    Subject,
    search_document,
    search_query,
)

from .extensions import course_learner_count

SORTS = {
    "newest": ("-first_published_at", "-pk"),
    "popular": ("-learner_count", "-first_published_at", "-pk"),
    "hours": ("-credit_hours", "-first_published_at"),
}


@dataclass(frozen=True)
class CatalogFilters:
    topic: int | None = None
    industry: int | None = None
    institution: int | None = None  # institution page id
    hours: Decimal | None = None
    fee: str = ""  # "", "free", "paid"
    sort: str = "newest"

    @classmethod
    def from_query(cls, params) -> "CatalogFilters":
        """Filters from a query string; anything malformed is ignored, never an error."""

        def number(name):
            value = params.get(name, "")
            return int(value) if _ID.fullmatch(value) else None

        hours = params.get("hours", "")
        fee = params.get("fee", "")
        sort = params.get("sort", "newest")
        return cls(
            topic=number("topic"),
            industry=number("industry"),
            institution=number("institution"),
            hours=Decimal(hours) if _HOURS.fullmatch(hours) else None,
            fee=fee if fee in ("free", "paid") else "",
            sort=sort if sort in SORTS else "newest",
        )

    def cache_key(self) -> str:
        return (
            f"{self.topic}|{self.industry}|{self.institution}|{self.hours}|{self.fee}|{self.sort}"
        )

    def to_query(self) -> str:
        """The filters as a query string (for pagination links): validated values only."""
        params = {
            "topic": self.topic,
            "industry": self.industry,
            "institution": self.institution,
            "hours": self.hours,
            "fee": self.fee,
            "sort": self.sort if self.sort != "newest" else "",
        }
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits only: str.isdigit() accepts ² and ①
_HOURS = re.compile(r"[0-9]{1,2}(\.[05])?")  # 0.5 steps, as courses carry them


def listed_courses(*, year: int | None, accounting_year: int | None = None) -> QuerySet:
    """Live, public courses valid for the current credit year — `year`, or for the 会计专区
    `accounting_year` (its deadline is a day later) — annotated with their institution's page
    title and id, their live instructors prefetched."""
    if year is None:
        return CoursePage.objects.none()
    accounting_year = accounting_year or year
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - CoursePage.steplen)
    institutions = InstitutionPage.objects.filter(path=parent_path)
    valid = Q(credit_years=year) & ~Q(subject=Subject.ACCOUNTING) | Q(
        credit_years=accounting_year, subject=Subject.ACCOUNTING
    )
    return (
        CoursePage.objects.live()
        .public()
        .filter(valid)
        .distinct()
        .annotate(
            institution_title=Subquery(institutions.values("title")[:1]),
            institution_id=Subquery(institutions.values("pk")[:1]),
        )
        .select_related("topic", "industry", "cover")
        .prefetch_related(
            Prefetch("instructors", queryset=Instructor.objects.filter(live=True)),
        )
    )


def catalog_courses(*, subject: str, year: int | None, filters: CatalogFilters) -> QuerySet:
    courses = listed_courses(year=year, accounting_year=year).filter(subject=subject)
    if filters.topic:
        courses = courses.filter(topic_id=filters.topic)
    if filters.industry:
        courses = courses.filter(industry_id=filters.industry)
    if filters.institution:
        institution = Page.objects.filter(pk=filters.institution).first()
        courses = (
            courses.filter(path__startswith=institution.path) if institution else courses.none()
        )
    if filters.hours is not None:
        courses = courses.filter(credit_hours=filters.hours)
    if filters.fee == "free":
        courses = courses.filter(fee=0)
    elif filters.fee == "paid":
        courses = courses.filter(fee__gt=0)
    if filters.sort == "popular":
        courses = courses.annotate(learner_count=course_learner_count())
    return courses.order_by(*SORTS[filters.sort])


def course_search(
    *, text: str, year: int | None, accounting_year: int | None = None, limit: int = 200
) -> list:
    """Courses matching `text` (courses.search), best first; empty for an empty query. Every
    match is ranked (on its title and document only) before the best `limit` are loaded."""
    query = search_query(text)
    if not query:
        return []
    courses = listed_courses(year=year, accounting_year=accounting_year)
    for term in query.required:
        courses = courses.filter(search_document__contains=f" {term} ")
    candidates = courses.order_by("-first_published_at").values_list(
        "pk", "title", "search_document"
    )
    ranked = sorted(
        candidates,
        # Title first (安全 puts 网络安全法律法规解读 before a course that only comes from an
        # institution with 安全 in its name), then the whole document; ties stay newest first.
        key=lambda row: (-query.score(search_document(row[1])), -query.score(row[2])),
    )[:limit]
    by_pk = {course.pk: course for course in courses.filter(pk__in=[row[0] for row in ranked])}
    return [by_pk[row[0]] for row in ranked if row[0] in by_pk]


def lesson_counts(courses) -> dict[int, int]:
    """Live lessons per course, in one query."""
    paths = {course.path: course.pk for course in courses}
    counts: dict[int, int] = {}
    if not paths:
        return counts
    rows = (
        LessonPage.objects.live()
        .annotate(parent_path=Substr("path", 1, Length("path") - LessonPage.steplen))
        .filter(parent_path__in=list(paths))
        .values_list("parent_path", flat=True)
    )
    for parent in rows:
        counts[paths[parent]] = counts.get(paths[parent], 0) + 1
    return counts
