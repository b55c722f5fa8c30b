"""What a visitor sees, in Debian's Chromium, against the real ASGI server."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import NoticePage
from tests.factories import StaffUserFactory, home_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo_site(asgi_server):
    call_command(
        "load_demo", "--password", "Demo-pass-2025", "--skip-courses", stdout=io.StringIO()
    )
    return asgi_server


def test_visitor_opens_the_home_page_and_reads_the_2025_notice(demo_site, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    expect(page).to_have_title("安阳市专业技术人员继续教育平台")
    expect(page.locator(".site-brand__name")).to_have_text("安阳市专业技术人员继续教育平台")
    for title in ("公需科目", "专业科目", "会计专区", "学时申报", "学时查询", "证书查验"):
        expect(page.locator(".entry-list").get_by_text(title, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()

    notice = NoticePage.objects.get()
    page.get_by_role("link", name=notice.title).click()
    expect(page).to_have_url(re.compile(r"/notices/2025-continuing-education/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(notice.title)
    expect(page.locator(".notice__meta")).to_contain_text("安人社函〔2025〕44号")
    expect(page.locator(".notice__body")).to_contain_text("不少于 90 学时")
    expect(
        page.get_by_role("heading", name="二、明确重点内容，开展继续教育科目学习")
    ).to_be_visible()

    # The stylesheet loaded (the header is the platform's blue), and nothing broke the CSP.
    header_colour = page.locator(".site-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert header_colour == "rgb(11, 74, 139)"
    assert page.console_errors == []


def test_home_page_works_on_a_phone(demo_site, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    expect(page.locator(".entry-list").get_by_text("公需科目", exact=True)).to_be_visible()
    page.get_by_role("link", name="常见问题").click()
    page.get_by_text("每年需要完成多少学时？").click()
    expect(page.get_by_text("公需科目不少于 30 学时")).to_be_visible()
    # Keyboard users can skip straight to the content.
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到正文")).to_be_focused()
    assert page.console_errors == []


def test_admin_works_under_its_content_security_policy(asgi_server, browser_page):
    StaffUserFactory(username="editor", password="Editor-pass-2025")
    page = browser_page
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill("Editor-pass-2025")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("link", name="控制面板")).to_be_visible()
    page.goto(f"/admin/pages/{home_page().pk}/edit/")
    expect(page.locator("#id_title")).to_have_value("安阳市专业技术人员继续教育平台")
    violations = [e for e in page.console_errors if "Content Security Policy" in e]
    assert violations == []
