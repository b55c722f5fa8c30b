"""What other apps may use of the catalog: its page types (for the demo loader's site), the
listing workflow and its reviewers, and the registry by which the player tells the catalog how
many learners a course has."""

from wagtail.models import Workflow

from .extensions import learner_count_register
from .listing import listing_reviewers
from .models import (
    HelpPage,
    HomePage,
    ListingReviewTask,
    NoticeIndexPage,
    NoticePage,
    SiteFilingSettings,
    review_in_progress,
)
from .notice_text import notice_parse

__all__ = [
    "HelpPage",
    "HomePage",
    "NoticeIndexPage",
    "NoticePage",
    "SiteFilingSettings",
    "learner_count_register",
    "listing_review_pins",
    "listing_reviewers",
    "listing_workflow",
    "notice_parse",
]


def listing_workflow() -> Workflow | None:
    """The listing-approval workflow (课程上架审核): the active workflow with a listing-review
    task. Course and disclosure pages use it wherever they are in the tree."""
    return (
        Workflow.objects.active()
        .filter(workflow_tasks__task__in=ListingReviewTask.objects.filter(active=True))
        .order_by("pk")
        .first()
    )


def listing_review_pins(page) -> dict | None:
    """The lesson and instructor revisions pinned by `page`'s review under way, if any: what
    approving it would publish."""
    state = review_in_progress(page)
    return state.pins if state is not None else None
