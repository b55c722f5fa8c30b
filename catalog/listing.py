"""Listing approval (DESIGN.md §1): who decides on a listing now, and what happens when the
workflow approves it. Who reviews which page is catalog/reviewers.py."""

from django.db.models import QuerySet
from wagtail.models import Page, WorkflowState

from accounts.api import reviewers_of
from courses.api import listing_publish_related

from .models import ListingReviewTaskState, review_in_progress
from .reviewers import listing_reviewer_organisations


def listing_reviewers(page: Page) -> QuerySet:
    """The users who decide on `page`'s listing: of the organisations fixed when its review began
    (or, with no review under way, those its latest version would go to)."""
    review = review_in_progress(page)
    organisations = (
        review.reviewer_organisations.all()
        if review is not None
        else listing_reviewer_organisations(page.specific.get_latest_revision_as_object())
    )
    return reviewers_of(organisations)


def listing_workflow_finish(workflow_state: WorkflowState, user=None) -> None:
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish the approved page, and with a course the lesson
    and instructor versions the listing check pinned when the review began. Runs inside
    WorkflowState.finish's transaction, so the course and its lessons go live together."""
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
