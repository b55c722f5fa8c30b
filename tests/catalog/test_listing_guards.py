"""The listing workflow under misuse: actions aimed at another listing's task, client-supplied
action data, edits and deletions during a review, references deleted under a draft, other
institutions' instructor drafts, and the audit trail's honesty."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents.models import Document

from accounts.models import AuditEvent, Industry
from courses.models import CoursePage, LessonPage, Subject
from tests.admin_refusals import admin_refused
from tests.courses.conftest import act, submit

pytestmark = pytest.mark.django_db


def current_task_state(page):
    return page.specific.current_workflow_state.current_task_state.specific


def test_an_action_aimed_at_another_listings_task_is_refused(world, client):
    mine = world.course(title="公需课程")
    theirs = world.course(title="会计课程", subject=Subject.ACCOUNTING, topic=None)
    submit(mine, world.a.editor)
    submit(theirs, world.a.editor)
    client.force_login(world.reviewers["bureau"])
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[mine.pk, "approve", current_task_state(theirs).pk],
    )
    response = client.post(url, {"comment": ""})
    assert admin_refused(response)
    theirs.refresh_from_db()
    assert not theirs.live
    assert current_task_state(theirs).status == "in_progress"


def test_action_data_from_the_client_is_validated(world):
    course = world.course()
    submit(course, world.a.editor)
    task_state = current_task_state(course)
    task = task_state.task.specific
    reviewer = world.reviewers["bureau"]
    with pytest.raises(PermissionDenied):
        task.on_action(task_state, reviewer, "reject", comment="")  # a return needs a reason
    with pytest.raises(PermissionDenied):
        task.on_action(task_state, world.reviewers["health"], "approve", comment="")
    # Keys the form does not know (as the editor's action path could pass) are dropped.
    task.on_action(task_state, reviewer, "reject", comment="请修改", update=False)
    state = course.current_workflow_state
    assert state.status == "needs_changes"


def test_the_preview_and_the_approval_show_the_same_versions(world, client):
    course = world.course()
    submit(course, world.a.editor)
    lesson = LessonPage.objects.child_of(course).get()
    late = lesson.get_latest_revision_as_object()
    late.title = "审核期间偷改的标题"
    late.save_revision(user=world.a.editor)
    instructor = world.a.instructor
    instructor.bio = "审核期间偷改的简介。"
    instructor.save_revision(user=world.a.editor)

    task = current_task_state(course).task
    client.force_login(world.reviewers["bureau"])
    preview = client.get(
        reverse("wagtailadmin_pages:workflow_preview", args=[course.pk, task.pk])
    ).content.decode()
    assert "第1讲" in preview and "甲老师长期从事网络安全研究。" in preview
    assert "偷改" not in preview
    act(course, world.reviewers["bureau"], "approve")
    lesson.refresh_from_db()
    instructor.refresh_from_db()
    assert lesson.title == "第1讲" and instructor.bio == "甲老师长期从事网络安全研究。"


def test_the_reviewer_sees_videos_and_quiz_answers_in_the_preview(world, client):
    course = world.course()
    lesson = LessonPage.objects.child_of(course).get()
    draft = lesson.get_latest_revision_as_object()
    draft.quiz_questions = [("true_false", {"question": "网络安全人人有责。", "answer": "true"})]
    draft.save_revision(user=world.a.editor)
    submit(course, world.a.editor)
    task = current_task_state(course).task
    client.force_login(world.reviewers["bureau"])
    html = client.get(
        reverse("wagtailadmin_pages:workflow_preview", args=[course.pk, task.pk])
    ).content.decode()
    assert "审核视图" in html and "网络安全人人有责。" in html
    assert "正确 ✔ 正确答案" in html
    assert f"/media/videos/{world.a.video.key}/master.m3u8" in html


def test_lessons_cannot_be_deleted_or_moved_during_review(world, client):
    course = world.course(lessons=3)
    other = world.course(title="另一门课程")
    submit(course, world.a.editor)
    lesson = LessonPage.objects.child_of(course).last()
    client.force_login(world.a.editor)
    response = client.post(reverse("wagtailadmin_pages:delete", args=[lesson.pk]), follow=True)
    assert "正在审核" in response.content.decode()
    assert LessonPage.objects.filter(pk=lesson.pk).exists()
    response = client.post(
        reverse("wagtailadmin_pages:move_confirm", args=[lesson.pk, other.pk]), follow=True
    )
    assert "正在审核" in response.content.decode()
    assert LessonPage.objects.child_of(course).count() == 3
    # After the review, an unpublished lesson of a draft course may go again.
    act(course, world.reviewers["bureau"], "reject", comment="请修改")
    other_lesson = LessonPage.objects.child_of(other).get()
    client.post(reverse("wagtailadmin_pages:delete", args=[other_lesson.pk]))
    assert not LessonPage.objects.filter(pk=other_lesson.pk).exists()


def test_a_document_deleted_under_a_draft_does_not_break_the_admin(world, client):
    course = world.course()
    scan = Document(title="新扫描件")
    scan.file.save("new.pdf", ContentFile(b"%PDF-1.4"), save=False)
    scan.save()
    draft = course.get_latest_revision_as_object()
    draft.basis_scan = scan
    draft.save_revision(user=world.a.editor)
    scan.delete()
    client.force_login(world.a.editor)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).status_code == 200
    state = submit(CoursePage.objects.get(pk=course.pk), world.a.editor)
    assert "未上传审核文件扫描件。" in state.current_task_state.comment


def test_other_institutions_instructor_drafts_stay_private(world, client):
    theirs = world.b.instructor
    theirs.bio = "乙机构尚未审核的草稿简介。"
    theirs.save_revision(user=world.b.editor)
    client.force_login(world.a.editor)
    base = "/admin/snippets/courses/instructor"
    revision = theirs.latest_revision
    for url in (
        f"{base}/history/{theirs.pk}/",
        f"{base}/usage/{theirs.pk}/",
        f"{base}/revisions/{theirs.pk}/{revision.pk}/view/",
        f"{base}/edit/{theirs.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "草稿简介" not in response.content.decode()
    assert client.get(f"{base}/copy/{theirs.pk}/").status_code == 404
    mine = world.a.instructor
    assert client.get(f"{base}/history/{mine.pk}/").status_code == 200


def test_an_instructor_named_by_a_course_cannot_be_deleted(world, client):
    course = world.course()
    submit(course, world.a.editor)
    act(course, world.reviewers["bureau"], "approve")
    client.force_login(world.a.editor)
    response = client.post(f"/admin/snippets/courses/instructor/delete/{world.a.instructor.pk}/")
    assert admin_refused(response)
    assert type(world.a.instructor).objects.filter(pk=world.a.instructor.pk).exists()


def test_an_older_pinned_bio_never_rolls_back_a_newer_live_one(world):
    first = world.course(title="课程一")
    submit(first, world.a.editor)  # pins the instructor's current version
    instructor = world.a.instructor
    instructor.bio = "更新后的简介。"
    instructor.save_revision(user=world.a.editor)
    second = world.course(title="课程二")
    submit(second, world.a.editor)  # pins the newer version
    act(second, world.reviewers["bureau"], "approve")
    act(first, world.reviewers["bureau"], "approve")
    instructor.refresh_from_db()
    assert instructor.bio == "更新后的简介。"


def test_the_audit_trail_records_decisions_only(world):
    course = world.course()
    submit(course, world.a.editor)
    assert not AuditEvent.objects.filter(action__startswith="listing.").exists()
    act(course, world.reviewers["bureau"], "approve", comment="同意上架")
    event = AuditEvent.objects.get(action="listing.approved")
    assert event.actor == world.reviewers["bureau"] and event.detail["reason"] == "同意上架"

    incomplete = world.course(title="不完整的课程", summary="")
    submit(incomplete, world.a.editor)
    failed = AuditEvent.objects.get(action="listing.check_failed")
    assert failed.actor is None and "未填写课程简介。" in failed.detail["reason"]


def test_a_listing_nobody_can_review_is_returned_at_once(world):
    orphan_industry = Industry.objects.create(name="无主管部门的行业")
    course = world.course(subject=Subject.PROFESSIONAL, topic=None, industry=orphan_industry)
    state = submit(course, world.a.editor)
    assert state.status == "needs_changes"
    assert "没有负责审核该课程的单位" in state.current_task_state.comment
