"""What editors and reviewers are told: a reviewer who approves or returns a course lands back on
their queue with a message naming the course and what happened (it was "没有权限访问" on the
institution's page tree); a submission the completeness check refuses says only that, and the
button to try again says what it does."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.courses.conftest import submit

pytestmark = pytest.mark.django_db


def action_url(page, action, task_state):
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])


@pytest.mark.parametrize(
    "action, comment, told",
    [
        ("approve", "", "《网络安全法律法规解读》审核通过，已上架。"),
        (
            "reject",
            "请补充课程大纲。",
            "《网络安全法律法规解读》已退回施教机构修改，退回意见已送达。",
        ),
    ],
)
def test_a_reviewer_lands_on_their_queue_told_what_happened(world, client, action, comment, told):
    course = world.course()
    submit(course, world.a.editor)
    client.force_login(world.reviewers["bureau"])
    task_state = course.current_workflow_state.current_task_state
    response = client.post(action_url(course, action, task_state), {"comment": comment})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    dashboard = client.get("/admin/").content.decode()
    assert told in dashboard
    assert "没有权限" not in dashboard


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approving_in_the_page_editor_ends_on_the_queue(world, asgi_server, browser_page):
    course = world.course()
    submit(course, world.a.editor)
    page = browser_page
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill("bureau_reviewer")
    page.get_by_label("密码").fill("Correct-horse-42")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto(f"/admin/pages/{course.pk}/edit/")
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name="审核通过并上架").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator(".messages")).to_contain_text("《网络安全法律法规解读》审核通过，已上架。")
    expect(page.locator("body")).not_to_contain_text("没有权限")
    page.screenshot(path="/tmp/reviewer-approved.png")
    course.refresh_from_db()
    assert course.live


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_submission_says_only_what_is_true(world, asgi_server, browser_page):
    course = world.course(lessons=0)  # the completeness check refuses a course without lessons
    world.a.editor.set_password("Editor-pass-2025")
    world.a.editor.save()
    page = browser_page
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill(world.a.editor.username)
    page.get_by_label("密码").fill("Editor-pass-2025")
    page.get_by_role("button", name="登录").click()
    page.goto(f"/admin/pages/{course.pk}/edit/")
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name=re.compile("提交")).first.click()
    messages = page.locator(".messages")
    expect(messages).to_contain_text("提交未通过完整性检查，没有交给审核人员")
    expect(messages).to_contain_text("课程至少需要一讲。")
    expect(messages).not_to_contain_text("已经提交")
    expect(messages.locator(".success")).to_have_count(0)
    page.screenshot(path="/tmp/editor-refused.png", full_page=True)
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    expect(page.get_by_role("button", name="修改后重新提交")).to_be_visible()
