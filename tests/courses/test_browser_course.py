"""In Debian's Chromium, through the Wagtail admin as people use it: an institution editor creates
a professional course with an instructor, a lesson from a ready video with a quiz, and submits
it; the health department's reviewer finds it on their dashboard and approves it; it is live."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import CoursePage, LessonPage
from tests.browser import log_in, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_editor_creates_and_submits_a_course_and_the_department_approves_it(
    world, asgi_server, browser_page
):
    page = browser_page
    editor, reviewer = world.a.editor, world.reviewers["health"]

    # The editor creates the course under their institution's page.
    log_in(page, asgi_server, editor)
    page.goto(f"/admin/pages/{world.a.page.pk}/")
    page.get_by_role("link", name="添加子页面").first.click()
    expect(page.locator("#id_title")).to_be_visible()
    page.locator("#id_title").fill("医疗质量安全管理实务")
    page.locator("#id_summary").fill("医疗质量安全核心制度的要点与案例。")
    page.locator("#id_subject").select_option("professional")
    page.locator("#id_industry").select_option(label="卫生健康")
    page.locator("#id_credit_hours").fill("2")
    page.locator("#id_fee").fill("4")
    page.get_by_label("2026 年度").check()
    page.get_by_label("甲老师（教授）").check()
    page.locator("#id_basis_kind").select_option("recommended")
    page.locator("#id_basis_body").fill("河南省医院协会")
    page.locator("#id_basis_authoriser").fill("河南省卫生健康委员会")
    page.locator("#id_basis_document_number").fill("豫医协函〔2025〕3号")
    page.locator("#id_basis_date").fill("2025-05-06")
    page.locator("#id_basis_date").press("Escape")
    page.locator("[data-field-wrapper]:has(#id_basis_scan) button:visible").first.click()
    page.get_by_role("link", name=world.a.scan.title).click()
    expect(page.locator("[data-field-wrapper]:has(#id_basis_scan)")).to_contain_text(
        world.a.scan.title
    )
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("已创建", timeout=15_000)
    course = CoursePage.objects.get(title="医疗质量安全管理实务")

    # A lesson with the institution's ready video and a single-choice question.
    page.goto(f"/admin/pages/{course.pk}/")
    page.get_by_role("link", name="添加子页面").first.click()
    page.locator("#id_title").fill("第一讲 医疗质量安全核心制度")
    page.locator("#id_video").select_option(label=world.a.video.title)
    root = page.locator("#quiz_questions-root")
    root.locator("button[title='插入内容块']").first.click()
    page.get_by_role("option", name="单选题").click()
    question = "quiz_questions-0-value"
    page.locator(f"#{question}-question").fill("首诊负责制要求谁负责？")
    root.locator("button[title='新增']").last.click()  # a second option
    page.locator(f"#{question}-options-0-value-text").fill("首诊医师")
    page.locator(f"#{question}-options-1-value-text").fill("患者家属")
    page.locator(f"#{question}-options-0-value-correct").check()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("已创建", timeout=15_000)
    lesson = LessonPage.objects.child_of(course).get()
    assert lesson.get_latest_revision_as_object().has_quiz

    # Submit the course for listing.
    page.goto(f"/admin/pages/{course.pk}/edit/")
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name="提交给课程上架审核").click()
    expect(page.locator(".messages")).to_contain_text("提交", timeout=15_000)
    shot(page, "course-submitted")
    course.refresh_from_db()
    state = course.current_workflow_state
    assert state.current_task_state.task.name == "主管部门审核", state.current_task_state.comment

    # The health department's reviewer approves it from their queue.
    page.context.clear_cookies()
    log_in(page, asgi_server, reviewer)
    page.goto("/admin/")
    queue = page.locator("[data-listing-row]")
    expect(queue).to_have_count(1)
    expect(queue).to_contain_text("医疗质量安全管理实务")
    shot(page, "reviewer-queue")
    queue.get_by_role("link", name="审核").click()
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name="审核通过并上架").click()
    # Back on the reviewer's queue, told what happened.
    expect(page.locator(".messages")).to_contain_text(
        "《医疗质量安全管理实务》审核通过，已上架。", timeout=15_000
    )
    expect(page).to_have_url(re.compile(r"/admin/$"))

    course.refresh_from_db()
    assert course.live
    assert LessonPage.objects.child_of(course).live().count() == 1

    # Anyone can see it now, with its instructor's bio and the lesson.
    page.context.clear_cookies()
    page.goto(course.url)
    expect(page.get_by_role("heading", name="医疗质量安全管理实务")).to_be_visible()
    expect(page.locator("main")).to_contain_text("甲老师长期从事网络安全研究。")
    expect(page.locator("main")).to_contain_text("第一讲 医疗质量安全核心制度")
    shot(page, "course-live")
    assert page.console_errors == []
