"""The reviewers' queue on the admin dashboard (oldest submission first), and what the listing
workflow tells editors and reviewers in the admin."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from wagtail import hooks
from wagtail.admin.action_menu import SubmitForModerationMenuItem, WorkflowMenuItem
from wagtail.admin.ui.components import Component
from wagtail.models import TaskState

from .models import DECISION_MESSAGE_TAG, ListingReviewTask, ListingReviewTaskState
from .reviewers import is_listing_reviewer


def listing_queue(user):
    """The listing reviews waiting for `user`, oldest first."""
    tasks = ListingReviewTask.objects.filter(active=True)
    states = TaskState.objects.none()
    for task in tasks:
        states = states | task.get_task_states_user_can_moderate(user)
    return (
        ListingReviewTaskState.objects.filter(pk__in=states.values("pk"))
        .select_related("workflow_state__requested_by", "revision")
        .order_by("started_at", "pk")
    )


class ListingQueuePanel(Component):
    name = "listing_queue"
    order = 40
    template_name = "catalog/admin/listing_queue_panel.html"

    def __init__(self, request, states):
        self.request = request
        self.states = states

    def get_context_data(self, parent_context=None):
        now = timezone.now()
        rows = []
        for state in self.states[:50]:
            page = state.revision.as_object()
            rows.append(
                {
                    "page": page,
                    "institution": page.get_parent().title if page.depth > 1 else "",
                    "kind": page._meta.verbose_name,
                    "submitted_at": state.started_at,
                    "waiting_days": (now - state.started_at).days,
                    "submitted_by": state.workflow_state.requested_by,
                }
            )
        return {"rows": rows, "total": self.states.count()}


@hooks.register("construct_homepage_panels")
def add_listing_queue_panel(request, panels):
    user = request.user
    if not (user.is_superuser or is_listing_reviewer(user)):
        return
    states = listing_queue(user)
    # Wagtail's own "awaiting your review" panel lists newest first and mixes tasks: ours replaces
    # it for reviewers of listings.
    panels[:] = [panel for panel in panels if panel.name != "workflow_objects_to_moderate"]
    panels.insert(0, ListingQueuePanel(request, states))


def _explain_refused_submission(request, page):
    """Wagtail says "submitted for review" even when the completeness check refused the page the
    same instant: say what is missing, so the editor does not wait for a reviewer."""
    if "action-submit" not in request.POST:
        return
    state = page.current_workflow_state
    if state is None or state.status != state.STATUS_NEEDS_CHANGES:
        return
    refused = state.current_task_state
    if refused is None or refused.finished_by_id is not None:  # a reviewer's return, not ours
        return
    _success_messages_drop(request)  # Wagtail's "已经提交进行审核" is not true
    messages.error(
        request,
        format_html(
            "{}<br>{}",
            "提交未通过完整性检查，没有交给审核人员。请修改以下问题后点击“修改后重新提交”：",
            format_html_join(
                mark_safe("<br>"), "{}", ((line,) for line in refused.comment.splitlines())
            ),
        ),
    )
    # Back to the editor, where the problems are fixed (Wagtail would show the page tree).
    return redirect("wagtailadmin_pages:edit", page.pk)


def _success_messages_drop(request) -> None:
    """Take back Wagtail's success messages of this request (the messages framework has no API
    for it: its queue is the storage's `_queued_messages`); a listing decision's own stays."""
    storage = messages.get_messages(request)
    queued = getattr(storage, "_queued_messages", None)
    if queued is not None:
        queued[:] = [
            message
            for message in queued
            if message.level != messages.SUCCESS or DECISION_MESSAGE_TAG in message.tags
        ]


def _reviewer_back_to_queue(request, page):
    """A reviewer who decided from the page editor goes back to their queue (the explorer Wagtail
    sends them to is the institution's, which they may not open); the decision's own message
    (catalog.models.ListingReviewTask.on_action) says what happened."""
    decided = getattr(request, "listing_decided", None)
    if decided is None or "action-workflow-action" not in request.POST:
        return None
    _success_messages_drop(request)  # "页面已更新": the reviewer changed nothing
    return redirect("wagtailadmin_home")


hooks.register("after_create_page", _explain_refused_submission)
hooks.register("after_edit_page", _explain_refused_submission)
hooks.register("after_edit_page", _reviewer_back_to_queue)


class ResubmitMenuItem(SubmitForModerationMenuItem):
    """After a return or a refused check, the button says what it does."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        page = context.get("page")
        state = page.current_workflow_state if page is not None and page.pk else None
        if state is not None and state.status == state.STATUS_NEEDS_CHANGES:
            context["label"] = "修改后重新提交"
        return context


@hooks.register("construct_page_action_menu")
def resubmit_label(menu_items, request, context):
    for number, item in enumerate(menu_items):
        if type(item) is SubmitForModerationMenuItem:
            menu_items[number] = ResubmitMenuItem(order=item.order)


@hooks.register("construct_page_action_menu")
def listing_approve_labels(menu_items, request, context):
    """Wagtail names the final approval “审核通过 和发布” (its own "%s and Publish"); in the listing
    workflow it says what it does: 上架 a course, 发布 a disclosure page."""
    page = context.get("page")
    task = page.current_workflow_task if page is not None else None
    if not isinstance(task, ListingReviewTask):
        return
    done = "并上架" if page.specific_class.__name__ == "CoursePage" else "并发布"
    for item in menu_items:
        if isinstance(item, WorkflowMenuItem) and item.name == "approve":
            item.label = ("附意见通过" if item.launch_modal else "审核通过") + done
