"""The embedded default's errors are the site's Chinese pages (DESIGN.md §5): a missing page, a
refusal, an expired form and a defect each show the site's name, a way home and no internals;
Django's debug pages only when a developer asks for them (DJANGO_DEBUG)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db

INTERNALS = ("URLconf", "Traceback", "SECRET_KEY", "Page not found", "Forbidden", "Server Error")


def _page(response) -> str:
    html = response.content.decode()
    assert "安阳市专业技术人员继续教育平台" in html
    assert 'href="/"' in html and "返回首页" in html
    for word in INTERNALS:
        assert word not in html, word
    return html


@pytest.mark.parametrize("debug, shown", [("", "False"), ("1", "True")])
def test_make_run_has_no_debug_pages_unless_asked(tmp_path, debug, shown):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", VAR_DIR=str(tmp_path))
    if debug:
        env["DJANGO_DEBUG"] = debug
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == shown


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_each_error_is_the_sites_chinese_page():
    client = Client(raise_request_exception=False)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in _page(missing)
    forbidden = client.get("/test-errors/403")
    assert forbidden.status_code == 403 and "无权访问" in _page(forbidden)
    bad = client.get("/test-errors/400")
    assert bad.status_code == 400 and "请求无效" in _page(bad)
    broken = client.get("/test-errors/500")
    assert broken.status_code == 500 and "服务暂时不可用" in _page(broken)


def test_an_expired_form_says_so_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in _page(response)
