"""What other apps may use of the catalog app."""

from wagtail.models import Workflow


def listing_workflow() -> Workflow | None:
    """The listing-approval workflow (课程上架审核): the active workflow with a listing-review
    task. Course and disclosure pages use it wherever they are in the tree."""
    from .models import ListingReviewTask

    return (
        Workflow.objects.active()
        .filter(workflow_tasks__task__in=ListingReviewTask.objects.filter(active=True))
        .order_by("pk")
        .first()
    )


def listing_review_pins(page) -> dict | None:
    """The lesson and instructor revisions pinned by `page`'s review under way, if any: what
    approving it would publish."""
    from .listing import review_in_progress

    state = review_in_progress(page)
    return state.pins if state is not None else None
