"""A newcomer registers, their employer's reviewer confirms them in the admin, and they log in
and see their name and confirmed status — in Chromium, against the real ASGI server."""

import pytest
from playwright.sync_api import expect

from tests.factories import OrganisationFactory, employer_reviewer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def hospital(asgi_server):
    employer = OrganisationFactory(name="安阳市浏览器测试医院")
    reviewer = employer_reviewer(employer, "browser_hr")
    reviewer.set_password("Reviewer-pass-2025")
    reviewer.save()
    return employer


def test_register_confirm_and_see_the_confirmed_status(hospital, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})  # a phone

    page.goto("/accounts/register/")
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("身份证号码").fill(ID_NUMBER.lower())
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("工作单位").select_option(label="安阳市浏览器测试医院")
    page.get_by_label("职称级别").select_option(label="中级")
    page.locator("#id_password1").fill("Kx7-continuing-edu")
    page.locator("#id_password2").fill("Kx7-continuing-edu")
    page.get_by_label("我已阅读并同意").check()
    expect(page.locator("img.captcha__image")).to_be_visible()
    page.locator("#id_captcha_1").fill("passed")  # CAPTCHA_TEST_MODE in the test settings
    page.get_by_role("button", name="注册").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("王小明")
    expect(page.get_by_test_id("employment-status")).to_have_text("待单位确认")
    page.get_by_role("button", name="退出").click()

    # The employer's reviewer confirms the newcomer in the admin.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill("browser_hr")
    page.get_by_label("密码").fill("Reviewer-pass-2025")
    page.get_by_role("button", name="登录").click()
    page.goto("/admin/staff/")
    row = page.get_by_role("row").filter(has_text="王小明")
    expect(row).to_contain_text("1101**********002X")
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="确认为本单位人员").click()
    expect(page.get_by_text("已将 1 人确认为本单位人员")).to_be_visible()
    page.context.clear_cookies()

    # The learner logs in with their ID number and sees the confirmation.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    page.get_by_label("身份证号码或手机号").fill(ID_NUMBER)
    page.get_by_label("密码").fill("Kx7-continuing-edu")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("王小明")
    expect(page.get_by_test_id("employment-status")).to_have_text("单位已确认")
    expect(page.get_by_text("安阳市浏览器测试医院")).to_be_visible()
    assert ID_NUMBER not in page.content()
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
