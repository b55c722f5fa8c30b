"""报名 in the browser: a learner on a phone reads a paid course's fee items and enrols; the
institution's editor confirms the payment in 报名确认; the learner's lesson then plays and
counts. Screenshots in var/screenshots/."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from courses.models import Enrolment, Subject
from player.models import PlaybackSession
from tests.browser import PHONE, log_in, play, shot
from tests.player.conftest import lessons_of, publish

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_learner_enrols_the_editor_confirms_and_the_lesson_counts(
    world,
    clip_video,
    asgi_server,
    browser_page,
):
    course = publish(
        world, video=clip_video, subject=Subject.PROFESSIONAL, topic=None, fee=Decimal("2.50")
    )
    lesson = lessons_of(course)[0]
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, asgi_server, world.learner)

    page.goto(lesson.url)
    expect(page.locator("[data-study-refusal]")).to_contain_text("本课程收费 2.50 元")
    expect(page.locator("video")).to_have_count(0)
    page.get_by_role("link", name="去报名").click()
    box = page.locator("[data-enrolment]")
    expect(box).to_contain_text("每学时 2 元")  # the institution's disclosed fee items
    shot(page, "enrolment-course-360")
    box.get_by_role("button", name="报名").click()
    expect(page.locator(".messages")).to_contain_text("应缴 2.50 元")
    expect(page.locator('[data-enrolment-state="pending"]')).to_be_visible()
    shot(page, "enrolment-pending-360")

    editor = page.context.browser.new_context(base_url=asgi_server).new_page()
    log_in(editor, asgi_server, world.a.editor)
    editor.goto("/admin/enrolments/")
    row = editor.locator(f'[data-enrolment="{Enrolment.objects.get().pk}"]')
    expect(row).to_contain_text(world.learner.real_name)
    row.get_by_placeholder("收据号或转账流水号").fill("SJ-0001")
    row.get_by_role("button", name="确认已缴费").click()
    expect(editor.get_by_text("该学员现在可以学习")).to_be_visible()
    shot(editor, "enrolment-admin-confirmed")
    editor.context.close()

    page.goto(lesson.url)
    play(page)
    expect(page.locator("[data-player-progress]")).to_contain_text("已观看", timeout=20_000)
    assert PlaybackSession.objects.filter(learner=world.learner, lesson=lesson).exists()
    assert page.console_errors == []
