"""Who reviews a listing (DESIGN.md §1), decided from the version submitted: the city bureau
(人社局, no county) public-subject courses and institutions' disclosure pages; the finance bureau
(财政局) 会计专区 courses; the industry's department (行业主管部门) professional courses.
Superusers may act on everything. The task states that record a review live in models.py."""

from django.db.models import QuerySet
from wagtail.models import Page

from accounts.api import REVIEWER, OrganisationKind, reviewer_organisations
from courses.api import CoursePage, InstitutionPage, Subject, listing_check


def listing_reviewer_organisations(page: Page) -> QuerySet:
    """The organisations whose reviewers decide on `page`'s listing (pass the version under
    review: a draft's subject and industry may differ from the stored row's)."""
    if not isinstance(page, (CoursePage, InstitutionPage)):
        page = page.specific
    if isinstance(page, CoursePage):
        if page.subject == Subject.PUBLIC:
            return reviewer_organisations(kind=OrganisationKind.BUREAU)
        if page.subject == Subject.ACCOUNTING:
            return reviewer_organisations(kind=OrganisationKind.FINANCE_BUREAU)
        return reviewer_organisations(
            kind=OrganisationKind.DEPARTMENT, industry_id=page.industry_id
        )
    if isinstance(page, InstitutionPage):
        return reviewer_organisations(kind=OrganisationKind.BUREAU)
    return reviewer_organisations(kind=OrganisationKind.BUREAU).none()


def listing_problems(page: Page):
    """The completeness check of `page` (courses.api.listing_check) plus ours: someone must be
    able to review it. Returns the check (problems and pins) and the reviewing organisations."""
    check = listing_check(page)
    submitted = page.specific.get_latest_revision_as_object()
    organisations = listing_reviewer_organisations(submitted)
    problems = list(check.problems)
    if not problems and not organisations.exists():
        problems.append(
            "没有负责审核该课程的单位（该行业尚无已登记的行业主管部门），请联系人社局。"
        )
    return problems, check.pins, organisations


def is_listing_reviewer(user) -> bool:
    cache_attr = "_listing_reviewer"
    if not hasattr(user, cache_attr):
        setattr(
            user,
            cache_attr,
            bool(user.is_active and user.organisation_id)
            and user.groups.filter(name=REVIEWER).exists(),
        )
    return getattr(user, cache_attr)
