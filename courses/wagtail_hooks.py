from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import enrolment_admin
from .models import CoursePage, LessonPage, Topic
from .snippets import InstructorViewSet


class TopicViewSet(SnippetViewSet):
    """公需科目专题: editable data (DESIGN.md §2); the bureau's admins change them."""

    model = Topic
    icon = "tag"
    menu_label = "公需科目专题"
    list_display = ["name", "kind", "sort_order"]


register_snippet(InstructorViewSet)
register_snippet(TopicViewSet)


def _course_under_review(page) -> CoursePage | None:
    page = page.specific
    course = page if isinstance(page, CoursePage) else None
    if isinstance(page, LessonPage):
        course = page.course
    if course is not None and course.workflow_in_progress:
        return course
    return None


def _refuse_during_review(request, page, verb: str):
    course = _course_under_review(page)
    if course is None:
        return None
    messages.error(
        request,
        f"课程“{course.title}”正在审核，审核结束前不能{verb}其课时。审核通过或退回后再操作。",
    )
    return redirect("wagtailadmin_explore", course.pk)


@hooks.register("before_delete_page")
def refuse_delete_during_review(request, page):
    # The course page itself is locked by its workflow; its lessons are separate pages, and
    # deleting or moving one would change what the reviewer approves (hours vs. video time).
    return _refuse_during_review(request, page, "删除")


@hooks.register("before_move_page")
def refuse_move_during_review(request, page, destination):
    return _refuse_during_review(request, page, "移动") or _refuse_during_review(
        request, destination, "移入"
    )


@hooks.register("register_admin_urls")
def register_enrolment_urls():
    return [path("enrolments/", enrolment_admin.enrolments, name="courses_enrolments")]


@hooks.register("register_admin_menu_item")
def register_enrolment_menu_item():
    return enrolment_admin.EnrolmentMenuItem(
        "报名确认", reverse("courses_enrolments"), icon_name="tick", order=150
    )
