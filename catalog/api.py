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
