"""On a phone-sized window in Chromium: a visitor searches for 安全, opens a course, and sees its
hours, lessons and instructors."""

import pytest
from playwright.sync_api import expect

from courses.models import Topic
from tests.catalog.test_catalog_search import listed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_visitor_on_a_phone_finds_a_course(world, asgi_server, chromium):
    listed(world, title="网络安全法律法规解读", summary="解读网络安全法及配套法规。", lessons=2)
    listed(
        world,
        title="应急管理基础知识与实务",
        summary="突发事件应对的基本知识。",
        topic=Topic.objects.get(name="应急管理"),
    )
    context = chromium.new_context(
        base_url=asgi_server, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    try:
        page.goto("/")
        page.get_by_role("searchbox").fill("安全")
        page.get_by_role("button", name="搜索").click()
        expect(page.locator(".course-card")).to_have_count(1)
        page.get_by_role("link", name="网络安全法律法规解读").click()
        main = page.locator("main")
        expect(page.get_by_role("heading", name="网络安全法律法规解读")).to_be_visible()
        expect(main).to_contain_text("2.0 学时")
        expect(page.locator(".lesson-list li")).to_have_count(2)
        expect(main).to_contain_text("甲老师长期从事网络安全研究。")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width  # nothing wider than the phone
        assert errors == []
    finally:
        context.close()
