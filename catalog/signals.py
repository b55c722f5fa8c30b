"""An audit row for every listing decision (DESIGN.md §5: actor, time, before → after, reason),
besides Wagtail's own task states and page history, which the institution sees."""

from django.dispatch import receiver
from wagtail.signals import task_approved, task_rejected

from accounts.api import audit_record

from .models import CompletenessTask, ListingReviewTask


def _listing_task(instance):
    task = instance.task.specific
    return task if isinstance(task, (CompletenessTask, ListingReviewTask)) else None


@receiver(task_approved)
def audit_listing_approved(sender, instance, user=None, **kwargs):
    # Only a reviewer approves; the automatic check passing is not an approval.
    if isinstance(_listing_task(instance), ListingReviewTask):
        _audit_decision(instance, user, "listing.approved")


@receiver(task_rejected)
def audit_listing_returned(sender, instance, user=None, **kwargs):
    if _listing_task(instance) is not None:
        action = "listing.returned" if user is not None else "listing.check_failed"
        _audit_decision(instance, user, action)


def _audit_decision(task_state, user, action):
    workflow_state = task_state.workflow_state
    audit_record(
        action=action,
        actor=user,
        page=int(workflow_state.object_id),
        title=task_state.revision.object_str,
        task=task_state.task.name,
        before="in_progress",
        after=task_state.status,
        reason=task_state.comment,
    )
