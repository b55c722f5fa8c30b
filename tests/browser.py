"""What the browser tests share: logging a user in without the login form (its CAPTCHA and
lockout are tested on their own), and screenshots kept as artefacts in var/screenshots/."""

from pathlib import Path

from django.conf import settings
from django.test import Client

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 360, "height": 740}


def log_in(page, server, user):
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": server}])


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def play(page):
    """Press play on the page's video (muted: headless Chromium may refuse sound)."""
    page.locator("video").evaluate("video => { video.muted = true; video.play(); }")
