"""Security headers: the site's strict CSP, the admin's own policy, and production settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from tests.factories import StaffUserFactory, home_page

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_site_pages_carry_a_strict_csp(client):
    response = client.get("/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]  # no injected <base> can redirect relative URLs
    assert policy["frame-ancestors"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_admin_gets_its_own_policy_and_still_works(client):
    login = client.get("/admin/login/")
    assert login.status_code == 200
    policy = directives(login["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert "unsafe-eval" not in login["Content-Security-Policy"]

    client.force_login(StaffUserFactory())
    assert client.get("/admin/").status_code == 200
    editor = client.get(f"/admin/pages/{home_page().pk}/edit/")
    assert editor.status_code == 200
    assert "首页" in editor.content.decode()
    assert "'unsafe-inline'" in directives(editor["Content-Security-Policy"])["script-src"]


def test_wagtail_admin_speaks_chinese(client):
    client.force_login(StaffUserFactory())
    html = client.get("/admin/").content.decode()
    assert 'lang="zh-hans"' in html or 'lang="zh-Hans"' in html
    assert "控制面板" in html


def _env_example() -> dict[str, str]:
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def _run_with_production_env(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(_env_example())
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_the_sample_environment():
    result = _run_with_production_env("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_services():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=_env_example()["DJANGO_SECRET_KEY"],
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


PRODUCTION_SECURITY_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
)


def test_production_settings_send_hsts_and_secure_cookies(client):
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{k: getattr(settings, k) for k in {PRODUCTION_SECURITY_SETTINGS!r}}}))"
    )
    result = _run_with_production_env("-c", script)
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])
    production["SECURE_PROXY_SSL_HEADER"] = tuple(production["SECURE_PROXY_SSL_HEADER"])
    assert production["SECURE_HSTS_SECONDS"] >= 31536000

    with override_settings(**production):
        insecure = client.get("/accounts/login/")
        assert insecure.status_code == 301
        assert insecure["Location"].startswith("https://")

        response = client.get("/accounts/login/", secure=True)
        assert response.status_code == 200
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        cookie = response.cookies["csrftoken"]
        assert cookie["secure"] and cookie["httponly"]
