"""Listing approval (DESIGN.md §1): who reviews a course or a disclosure page, and what happens
when the workflow approves it.

Reviewers of listings are users of the 审核员 group acting for:
- the city bureau (人社局, no county): public-subject courses and institutions' disclosure pages;
- the finance bureau (财政局): 会计专区 courses;
- the industry's department (行业主管部门 whose industry is the course's): professional courses.
Superusers may act on everything.
"""

from django.db.models import QuerySet
from wagtail.models import Page, WorkflowState

from accounts.models import Organisation, OrganisationKind, OrganisationStatus, User
from accounts.roles import REVIEWER
from courses.api import (
    CoursePage,
    InstitutionPage,
    Subject,
    listing_check,
    listing_publish_related,
)


def listing_reviewer_organisations(page: Page) -> QuerySet:
    """The organisations whose reviewers decide on `page`'s listing (pass the version under
    review: a draft's subject and industry may differ from the stored row's)."""
    if not isinstance(page, (CoursePage, InstitutionPage)):
        page = page.specific
    approved = Organisation.objects.filter(status=OrganisationStatus.APPROVED)
    if isinstance(page, CoursePage):
        if page.subject == Subject.PUBLIC:
            return approved.filter(kind=OrganisationKind.BUREAU, county__isnull=True)
        if page.subject == Subject.ACCOUNTING:
            return approved.filter(kind=OrganisationKind.FINANCE_BUREAU)
        if page.industry_id is None:
            return approved.none()
        return approved.filter(kind=OrganisationKind.DEPARTMENT, industry_id=page.industry_id)
    if isinstance(page, InstitutionPage):
        return approved.filter(kind=OrganisationKind.BUREAU, county__isnull=True)
    return approved.none()


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


def review_in_progress(page: Page):
    """The listing review of `page` under way, if any."""
    from .models import ListingReviewTaskState

    return (
        ListingReviewTaskState.objects.for_instance(page)
        .filter(status=ListingReviewTaskState.STATUS_IN_PROGRESS)
        .order_by("-pk")
        .first()
    )


def listing_reviewers(page: Page) -> QuerySet:
    """The users who decide on `page`'s listing: of the organisations fixed when its review began
    (or, with no review under way, those its latest version would go to)."""
    review = review_in_progress(page)
    organisations = (
        review.reviewer_organisations.all()
        if review is not None
        else listing_reviewer_organisations(page.specific.get_latest_revision_as_object())
    )
    return User.objects.filter(
        is_active=True, groups__name=REVIEWER, organisation__in=organisations
    ).distinct()


def _is_reviewer(user) -> bool:
    cache_attr = "_listing_reviewer"
    if not hasattr(user, cache_attr):
        setattr(
            user,
            cache_attr,
            bool(user.is_active and user.organisation_id)
            and user.groups.filter(name=REVIEWER).exists(),
        )
    return getattr(user, cache_attr)


def user_reviews_listing(user, page: Page) -> bool:
    """Whether `user` may decide on `page`'s listing now: a review is under way and the user is a
    reviewer of one of its organisations (or a superuser)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not _is_reviewer(user):
        return False
    review = review_in_progress(page)
    return (
        review is not None
        and review.reviewer_organisations.filter(pk=user.organisation_id).exists()
    )


def listing_task_states_for(user, task_states: QuerySet) -> QuerySet:
    """Of `task_states` (of the listing-review task), those in progress that `user` decides on."""
    from .models import ListingReviewTaskState

    in_progress = task_states.filter(status="in_progress")
    if user.is_superuser:
        return in_progress
    if not _is_reviewer(user):
        return in_progress.none()
    return in_progress.filter(
        pk__in=ListingReviewTaskState.objects.filter(
            reviewer_organisations=user.organisation_id
        ).values("pk")
    )


def listing_workflow_finish(workflow_state: WorkflowState, user=None) -> None:
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish the approved page, and with a course the lesson
    and instructor versions the listing check pinned when the review began. Runs inside
    WorkflowState.finish's transaction, so the course and its lessons go live together."""
    from .models import ListingReviewTaskState

    obj = workflow_state.content_object
    # Reviewers hold no publish permission of their own: the workflow's approval is the grant.
    obj.get_latest_revision().publish(user=user, skip_permission_checks=True)
    review = (
        ListingReviewTaskState.objects.filter(
            workflow_state=workflow_state, status=ListingReviewTaskState.STATUS_APPROVED
        )
        .order_by("-finished_at", "-pk")
        .first()
    )
    if review is not None:
        listing_publish_related(obj, review.pins, user=user)
