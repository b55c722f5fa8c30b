"""The public pages: home, notices, help and the entries of features still to come."""

import io
import re

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_LEARNER_PHONE
from catalog.models import NoticePage
from tests.factories import (
    HelpPageFactory,
    NoticeIndexPageFactory,
    NoticePageFactory,
    home_page,
)

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", "--password", "Demo-pass-2025", "--skip-courses", stdout=out)
    return out.getvalue()


PLATFORM_NAME = "安阳市专业技术人员继续教育平台"
ENTRY_TITLES = ("公需科目", "专业科目", "会计专区", "学时申报", "学时查询", "证书查验")


@pytest.fixture
def notices():
    index = NoticeIndexPageFactory(parent=home_page())
    return index, [
        NoticePageFactory(parent=index, title="关于做好2025年全市专业技术人员继续教育工作的通知"),
        NoticePageFactory(parent=index, title="关于开展继续教育学时审核的通知"),
    ]


def test_home_page_shows_entries_notices_help_and_login(client, notices):
    HelpPageFactory(parent=home_page(), title="常见问题")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert PLATFORM_NAME in html
    assert '<meta name="renderer" content="webkit">' in html
    for title in ENTRY_TITLES:
        assert title in html
    assert "关于做好2025年全市专业技术人员继续教育工作的通知" in html
    assert "关于开展继续教育学时审核的通知" in html
    assert 'href="/accounts/login/"' in html
    assert "常见问题" in html


def test_home_page_is_cacheable_for_visitors(client, notices):
    response = client.get("/")
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in response.cookies
    assert "sessionid" not in response.cookies


def test_unpublished_notice_is_not_listed_or_served(client, notices):
    _, (kept, withdrawn) = notices
    withdrawn.unpublish()
    html = client.get("/").content.decode()
    assert kept.title in html
    assert withdrawn.title not in html
    assert client.get(withdrawn.url).status_code == 404


def test_notice_page_renders_its_document(client, notices):
    _, (notice, _) = notices
    response = client.get(notice.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert notice.title in html
    assert notice.document_number in html
    assert "不少于 90 学时" in html
    assert "2025年5月1日" in html


def test_notice_index_lists_newest_first_and_paginates(client):
    index = NoticeIndexPageFactory(parent=home_page())
    for day in range(1, 23):
        NoticePageFactory(parent=index, title=f"通知{day:02d}", date=f"2025-06-{day:02d}")
    first = client.get(index.url).content.decode()
    assert first.index("通知22") < first.index("通知03")
    assert "通知02" not in first  # 20 per page
    second = client.get(index.url, {"page": 2}).content.decode()
    assert "通知02" in second and "通知01" in second
    assert client.get(index.url, {"page": "not-a-number"}).status_code == 200


@pytest.mark.parametrize(
    "url,title",
    [
        ("/my/declarations/", "学时申报"),
        ("/verify/", "证书查验"),
    ],
)
def test_entries_still_to_come_say_so(client, url, title):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html
    assert "即将开放" in html


@pytest.mark.parametrize(
    "url,title",
    [
        ("/courses/public/", "公需科目"),
        ("/courses/professional/", "专业科目"),
        ("/courses/accounting/", "会计专区"),
    ],
)
def test_catalog_entries_lead_to_their_catalogs(client, url, title):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{title}" in html and "即将开放" not in html
    assert "没有符合条件的课程" in html  # no courses yet: a helpful line, not a blank page


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_footer_shows_filing_numbers(client):
    load_demo()
    html = client.get("/").content.decode()
    assert "豫ICP备" in html
    assert 'href="https://beian.miit.gov.cn/"' in html
    assert "公网安备" in html


def test_site_pages_have_no_inline_script_or_style(client, notices):
    load_demo()
    _, (notice, _) = notices
    for url in ("/", notice.url, "/faq/", "/contact/", "/accounts/login/", "/verify/"):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html, url
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url


def test_demo_content_loads_the_2025_notice_and_is_safe_to_run_twice(client):
    load_demo()
    notice = NoticePage.objects.get()
    assert notice.document_number == "安人社函〔2025〕44号"
    assert notice.title == (
        "安阳市人力资源和社会保障局关于做好2025年全市专业技术人员继续教育工作的通知"
    )
    # An editor changes the notice; the second run keeps the edit and adds nothing.
    notice.title = "已编辑的通知"
    notice.save_revision().publish()
    load_demo()
    assert NoticePage.objects.get().title == "已编辑的通知"
    response = client.get(NoticePage.objects.get().url)
    html = response.content.decode()
    assert "不得结转或顺延至下一年度" in html
    assert "<h2>二、明确重点内容，开展继续教育科目学习</h2>" in html
    # A paragraph the original broke mid-sentence is joined again.
    assert "收费项目及标准等情况" in html
    faq = client.get("/faq/").content.decode()
    assert "每年需要完成多少学时？" in faq


def test_demo_accounts_can_log_in(client):
    load_demo()
    response = client.post(
        "/accounts/login/", {"username": DEMO_LEARNER_PHONE, "password": "Demo-pass-2025"}
    )
    assert response.status_code == 302
    client.logout()
    bad = client.post("/accounts/login/", {"username": DEMO_LEARNER_PHONE, "password": "wrong"})
    assert bad.status_code == 200
    assert "账号或密码不正确" in bad.content.decode() or "不正确" in bad.content.decode()
    staff = client.post(
        "/accounts/login/", {"username": "bureau_admin", "password": "Demo-pass-2025"}
    )
    assert staff.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_purge_in_another_process_retires_this_processes_pages_within_seconds(monkeypatch):
    """The generation is read from the cache at most every GENERATION_MEMO_SECONDS; a purge made
    here takes effect at once, one made elsewhere (the token replaced in the shared cache) once
    that copy is older."""
    from django.core.cache import caches

    from config import page_cache

    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    first = page_cache._generation()
    caches["pages"].set(page_cache.GENERATION_KEY, "elsewhere", None)  # another process purged
    assert page_cache._generation() == first
    now[0] += page_cache.GENERATION_MEMO_SECONDS
    assert page_cache._generation() == "elsewhere"
    page_cache.page_cache_purge()  # here: at once
    assert page_cache._generation() not in (first, "elsewhere")


def test_a_process_serves_its_own_copy_of_a_cached_page_until_the_generation_changes(
    client, notices, monkeypatch
):
    """A page served once is served again from this process's copy — the shared cache is not
    read, each answer is a response of its own — and a purge retires the copy with the shared
    one (config.page_cache)."""
    from django.core.cache import caches

    from config import page_cache

    first = client.get("/")  # rendered and stored in the shared cache
    assert first.status_code == 200
    reads = []
    shared = caches["pages"]
    original_get = type(shared).get

    def counted_get(self, key, *args, **kwargs):
        if key != page_cache.GENERATION_KEY:
            reads.append(key)
        return original_get(self, key, *args, **kwargs)

    monkeypatch.setattr(type(shared), "get", counted_get)
    second, third = client.get("/"), client.get("/")
    assert len(reads) == 1  # the second read the shared copy; the third, this process's
    assert second.content == third.content == first.content
    assert second is not third and second["Content-Type"] == first["Content-Type"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]

    NoticePageFactory(parent=notices[0], title="关于延长学时申报期限的通知")  # published: purged
    page_cache.page_cache_purge()
    fourth = client.get("/")
    assert "关于延长学时申报期限的通知" in fourth.content.decode()
    client.get("/")  # copied from the shared cache

    # A copy lasts COPY_SECONDS at most: the shared cache is read again after that.
    reads.clear()
    now = [page_cache.time.monotonic() + page_cache.COPY_SECONDS + 1]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    page_cache._memo = None
    assert client.get("/").content == fourth.content
    assert len(reads) == 1


def test_a_process_keeps_at_most_copies_pages(monkeypatch):
    from django.http import HttpResponse

    from config import page_cache

    monkeypatch.setattr(page_cache, "COPIES", 3)
    for number in range(5):
        page_cache._page_copy(f"k{number}", HttpResponse(f"p{number}"), 0.0)
    assert list(page_cache._copies) == ["k2", "k3", "k4"]


def test_no_copies_are_kept_when_the_pages_cache_is_configured_away(client, notices, settings):
    from config import page_cache

    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert not page_cache._copies


def test_a_page_seen_through_its_password_is_never_cached_for_other_visitors(notices):
    """A visitor who gave a page's password (Wagtail's view restriction, kept in their session)
    sees it rendered; what they saw is never stored, so the next visitor still meets the form."""
    from django.test import Client
    from wagtail.models import PageViewRestriction

    home = home_page()
    restriction = PageViewRestriction.objects.create(
        page=home, restriction_type=PageViewRestriction.PASSWORD, password="kaoshi2026"
    )
    form = 'name="password"'
    insider, outsider = Client(), Client()
    assert form in insider.get("/").content.decode()  # the password form
    passed = insider.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{home.pk}/",
        {"password": "kaoshi2026", "return_url": "/"},
    )
    assert passed.status_code == 302
    for _ in range(3):  # the page itself, rendered for them each time
        page = insider.get("/").content.decode()
        assert form not in page and PLATFORM_NAME in page
    for _ in range(2):  # never served from what they saw
        assert form in outsider.get("/").content.decode()
