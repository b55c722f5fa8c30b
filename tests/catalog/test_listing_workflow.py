"""Listing approval: submit → checked → the reviewer computed from the course approves (course and
lessons go live together) or returns it with a comment; each reviewer sees and acts on only what
is theirs; a live course's changes wait for a new approval while the live version stays up."""

from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from accounts.models import AuditEvent, Industry
from catalog.listing import listing_reviewers
from catalog.wagtail_hooks import listing_queue
from courses.models import LessonPage, Subject
from tests.admin_refusals import admin_refused
from tests.courses.conftest import act, submit

pytestmark = pytest.mark.django_db


def action_url(page, action, task_state):
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])


def live_lessons(course):
    return list(LessonPage.objects.child_of(course).live().values_list("title", flat=True))


def test_submit_approve_publishes_the_course_and_its_lessons_together(world, client):
    course = world.course(lessons=2)
    assert not course.live and live_lessons(course) == []
    state = submit(course, world.a.editor)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "主管部门审核"
    assert client.get(course.url).status_code == 404  # not live yet

    act(course, world.reviewers["bureau"], "approve")
    course.refresh_from_db()
    assert course.live
    assert live_lessons(course) == ["第1讲", "第2讲"]
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    html = client.get(course.url).content.decode()
    assert "网络安全法律法规解读" in html and "第1讲" in html and "第2讲" in html


def test_return_with_comment_then_fix_and_resubmit(world):
    course = world.course()
    submit(course, world.a.editor)
    act(course, world.reviewers["bureau"], "reject", comment="课程简介过于简单，请补充。")
    state = course.current_workflow_state
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "课程简介过于简单，请补充。"
    course.refresh_from_db()
    assert not course.live

    draft = course.get_latest_revision_as_object()
    draft.summary = "系统解读网络安全法、数据安全法和个人信息保护法。"
    draft.save_revision(user=world.a.editor)
    state.resume(user=world.a.editor)  # "再次提交"
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    act(course, world.reviewers["bureau"], "approve")
    course.refresh_from_db()
    assert course.live and course.summary.startswith("系统解读")


def test_a_resubmission_is_checked_again(world):
    course = world.course()
    submit(course, world.a.editor)
    act(course, world.reviewers["bureau"], "reject", comment="请修改")
    draft = course.get_latest_revision_as_object()
    draft.credit_hours = Decimal("9.0")  # more than 150 s of video allows (2.5)
    draft.save_revision(user=world.a.editor)
    state = course.current_workflow_state
    state.resume(user=world.a.editor)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert "学时 9.0 超过上限" in state.current_task_state.comment


@pytest.mark.parametrize(
    ("fields", "reviewer", "others"),
    [
        ({}, "bureau", ["finance", "health", "industry"]),
        (
            {"subject": Subject.ACCOUNTING, "topic": None},
            "finance",
            ["bureau", "health", "industry"],
        ),
        (
            {"subject": Subject.PROFESSIONAL, "topic": None, "industry_name": "卫生健康"},
            "health",
            ["bureau", "finance", "industry"],
        ),
    ],
)
def test_the_right_reviewer_and_only_them(world, client, fields, reviewer, others):
    industry_name = fields.pop("industry_name", None)
    if industry_name:
        fields["industry"] = Industry.objects.get(name=industry_name)
    course = world.course(**fields)
    submit(course, world.a.editor)
    assert list(listing_reviewers(course)) == [world.reviewers[reviewer]]

    for name in others:
        other = world.reviewers[name]
        assert list(listing_queue(other)) == []
        client.force_login(other)
        assert course.title not in client.get("/admin/").content.decode()
        assert admin_refused(client.get(f"/admin/pages/{course.pk}/edit/"))
        task_state = course.current_workflow_state.current_task_state
        response = client.post(
            action_url(course, "approve", task_state),
            {"comment": ""},
        )
        assert admin_refused(response)
        assert task_state.task.specific.get_actions(course, other) == []
        course.refresh_from_db()
        assert not course.live

    mine = world.reviewers[reviewer]
    assert [s.revision.object_id for s in listing_queue(mine)] == [str(course.pk)]
    client.force_login(mine)
    dashboard = client.get("/admin/").content.decode()
    assert "待我审核的课程与公开信息" in dashboard and course.title in dashboard
    assert client.get(f"/admin/pages/{course.pk}/edit/").status_code == 200
    task_state = course.current_workflow_state.current_task_state
    response = client.post(action_url(course, "approve", task_state), {"comment": ""})
    assert response.status_code == 302 and response["Location"] == "/admin/"  # back to the queue
    course.refresh_from_db()
    assert course.live


def test_the_queue_is_oldest_first(world):
    first = world.course(title="先提交的课程")
    second = world.course(title="后提交的课程")
    submit(second, world.a.editor)
    submit(first, world.a.editor)
    titles = [
        state.revision.as_object().title for state in listing_queue(world.reviewers["bureau"])
    ]
    assert titles == ["后提交的课程", "先提交的课程"]


def test_a_return_needs_a_comment(world, client):
    course = world.course()
    submit(course, world.a.editor)
    client.force_login(world.reviewers["bureau"])
    task_state = course.current_workflow_state.current_task_state
    url = action_url(course, "reject", task_state)
    response = client.post(url, {"comment": ""}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert "请填写退回意见" in response.json()["html"]
    task_state.refresh_from_db()
    assert task_state.status == task_state.STATUS_IN_PROGRESS


def test_decisions_are_recorded_and_visible_to_the_institution_only(world, client):
    course = world.course()
    submit(course, world.a.editor)
    act(course, world.reviewers["bureau"], "reject", comment="请补充课程大纲。")
    event = AuditEvent.objects.get(action="listing.returned", actor=world.reviewers["bureau"])
    assert event.detail["page"] == course.pk
    assert event.detail["reason"] == "请补充课程大纲。"
    assert event.detail["after"] == "rejected"
    assert event.at is not None

    client.force_login(world.a.editor)
    history = client.get(f"/admin/pages/{course.pk}/workflow_history/")
    assert history.status_code == 200
    detail_url = (
        f"/admin/pages/{course.pk}/workflow_history/detail/{course.current_workflow_state.pk}/"
    )
    detail = client.get(detail_url).content.decode()
    assert "请补充课程大纲。" in detail

    client.force_login(world.b.editor)
    assert admin_refused(client.get(f"/admin/pages/{course.pk}/workflow_history/"))
    assert admin_refused(client.get(detail_url))


def test_a_live_course_keeps_its_live_version_until_the_change_is_approved(
    world, client, django_capture_on_commit_callbacks
):
    course = world.course()
    submit(course, world.a.editor)
    act(course, world.reviewers["bureau"], "approve")
    course.refresh_from_db()

    draft = course.get_latest_revision_as_object()
    draft.title = "网络安全法律法规解读（2026 修订版）"
    draft.save_revision(user=world.a.editor)
    lesson = LessonPage.objects.child_of(course).get()
    lesson_draft = lesson.get_latest_revision_as_object()
    lesson_draft.title = "新的第一讲"
    lesson_draft.save_revision(user=world.a.editor)
    instructor = world.a.instructor
    instructor.refresh_from_db()
    instructor.bio = "修改后的简介：主持省级网络安全课题三项。"
    instructor.save_revision(user=world.a.editor)

    html = client.get(course.url).content.decode()
    assert "（2026 修订版）" not in html and "修改后的简介" not in html
    assert "甲老师长期从事网络安全研究。" in html
    assert "新的第一讲" not in client.get(course.url).content.decode()

    submit(course, world.a.editor)
    with django_capture_on_commit_callbacks(execute=True):  # the page cache is purged on commit
        act(course, world.reviewers["bureau"], "approve")
    html = client.get(course.url).content.decode()
    assert "（2026 修订版）" in html and "修改后的简介" in html and "新的第一讲" in html


def test_edits_made_during_review_wait_for_the_next_approval(world):
    course = world.course()
    submit(course, world.a.editor)
    lesson = LessonPage.objects.child_of(course).get()
    late = lesson.get_latest_revision_as_object()
    late.title = "审核期间改的标题"
    late.save_revision(user=world.a.editor)
    act(course, world.reviewers["bureau"], "approve")
    lesson.refresh_from_db()
    assert lesson.live and lesson.title == "第1讲"
    assert lesson.has_unpublished_changes


def test_editors_cannot_publish_or_approve(world, client):
    course = world.course()
    submit(course, world.a.editor)
    assert (
        course.specific.current_workflow_state.current_task_state.task.specific.get_actions(
            course, world.a.editor
        )
        == []
    )
    client.force_login(world.a.editor)
    task_state = course.current_workflow_state.current_task_state
    client.post(action_url(course, "approve", task_state), {})
    course.refresh_from_db()
    assert not course.live


def test_disclosure_changes_go_to_the_city_bureau(world):
    page = world.a.page
    draft = page.get_latest_revision_as_object()
    draft.contact = "<p>新电话 0372-7654321</p>"
    draft.save_revision(user=world.a.editor)
    submit(page, world.a.editor)
    assert list(listing_reviewers(page)) == [world.reviewers["bureau"]]
    act(page, world.reviewers["bureau"], "approve")
    page.refresh_from_db()
    assert "7654321" in page.contact


def test_the_reviewer_previews_what_approval_would_publish(world, client):
    course = world.course()
    lesson = LessonPage.objects.child_of(course).get()
    draft = lesson.get_latest_revision_as_object()
    draft.title = "草稿中的第一讲"
    draft.save_revision(user=world.a.editor)
    instructor = world.a.instructor
    instructor.bio = "草稿中的简介。"
    instructor.save_revision(user=world.a.editor)
    submit(course, world.a.editor)
    task = course.current_workflow_state.current_task_state.task
    url = reverse("wagtailadmin_pages:workflow_preview", args=[course.pk, task.pk])

    client.force_login(world.reviewers["bureau"])
    html = client.get(url).content.decode()
    assert "草稿中的第一讲" in html and "草稿中的简介。" in html
    client.force_login(world.b.editor)
    assert admin_refused(client.get(url))


def test_the_reviewers_buttons_say_what_approval_does(world, client):
    course = world.course()
    submit(course, world.a.editor)
    client.force_login(world.reviewers["bureau"])
    html = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    assert "审核通过并上架" in html and "附意见通过并上架" in html and "退回修改" in html
    assert "和发布" not in html
