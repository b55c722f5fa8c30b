"""Listing approval (DESIGN.md §1): who reviews a course or a disclosure page, and what happens
when the workflow approves it.

Reviewers of listings are users of the 审核员 group acting for:
- the city bureau (人社局, no county): public-subject courses and institutions' disclosure pages;
- the finance bureau (财政局): 会计专区 courses;
- the industry's department (行业主管部门 whose industry is the course's): professional courses.
Superusers may act on everything.
"""

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from wagtail.models import Page, WorkflowState

from accounts.models import Organisation, OrganisationKind, OrganisationStatus, User
from accounts.roles import REVIEWER
from courses.api import CoursePage, InstitutionPage, Subject, listing_publish_related


def listing_reviewer_organisations(page: Page) -> QuerySet:
    """The organisations whose reviewers decide on `page`'s listing."""
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


def listing_reviewers(page: Page) -> QuerySet:
    return User.objects.filter(
        is_active=True,
        groups__name=REVIEWER,
        organisation__in=listing_reviewer_organisations(page),
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
    """Whether `user` decides on `page`'s listing."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not _is_reviewer(user):
        return False
    return listing_reviewer_organisations(page).filter(pk=user.organisation_id).exists()


def listing_pages_reviewable_by(user) -> QuerySet:
    """The ids of every page whose listing `user` decides on, as a queryset of strings (the form
    WorkflowState.object_id stores them in). Mirrors listing_reviewer_organisations."""
    if user.is_superuser:
        pages = Page.objects.all()
    elif not _is_reviewer(user) or user.organisation.status != OrganisationStatus.APPROVED:
        pages = Page.objects.none()
    else:
        organisation = user.organisation
        courses = CoursePage.objects.none()
        disclosures = InstitutionPage.objects.none()
        if organisation.kind == OrganisationKind.BUREAU and organisation.county_id is None:
            courses = CoursePage.objects.filter(subject=Subject.PUBLIC)
            disclosures = InstitutionPage.objects.all()
        elif organisation.kind == OrganisationKind.FINANCE_BUREAU:
            courses = CoursePage.objects.filter(subject=Subject.ACCOUNTING)
        elif organisation.kind == OrganisationKind.DEPARTMENT:
            courses = CoursePage.objects.filter(
                subject=Subject.PROFESSIONAL, industry_id=organisation.industry_id
            )
        pages = Page.objects.filter(
            Q(pk__in=courses.values("pk")) | Q(pk__in=disclosures.values("pk"))
        )
    return pages.annotate(id_text=Cast("pk", CharField())).values_list("id_text", flat=True)


def listing_workflow_finish(workflow_state: WorkflowState, user=None) -> None:
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish the approved page, and with a course the lesson
    and instructor versions the listing check pinned when the review began. Runs inside
    WorkflowState.finish's transaction, so the course and its lessons go live together."""
    from .models import ListingReviewTaskState

    obj = workflow_state.content_object
    obj.get_latest_revision().publish(user=user)
    review = (
        ListingReviewTaskState.objects.filter(
            workflow_state=workflow_state, status=ListingReviewTaskState.STATUS_APPROVED
        )
        .order_by("-finished_at", "-pk")
        .first()
    )
    if review is not None:
        listing_publish_related(obj, review.pins, user=user)
