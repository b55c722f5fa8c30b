"""The player's HTTP API through its own middleware stack (config.stacks, decision 0011), at the
real entry points: config.wsgi (gunicorn in production) and config.asgi (the embedded default).
What the shorter stack keeps must still hold there — CSRF, the login and its idle rule, the audit,
the security headers — and every other path keeps the pages' stack."""

import io
import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from accounts.models import AuditAction, AuditEvent
from config.stacks import PlayerAPIWSGIHandler
from player.models import PlaybackSession
from tests.player.conftest import lessons_of
from tests.player.test_login_lifetime import clock  # noqa: F401 (one clock for both rules)

CSRF = "c" * 32


def wsgi_call(path: str, *, method="GET", body=b"", cookies=None, headers=None):
    """One request through config.wsgi.application, as gunicorn makes it: (status, headers, body)."""
    from config.wsgi import application

    cookie = "; ".join(f"{name}={value}" for name, value in (cookies or {}).items())
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "HTTP_COOKIE": cookie,
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()},
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    # As Django's test client does: the test's transaction keeps its connection across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        content = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


def heartbeat_body(seq: int, start: float, end: float) -> bytes:
    return json.dumps(
        {"seq": seq, "position": end, "played": [[start, end]], "rate": 1.0, "visible": True}
    ).encode()


@pytest.fixture
def watching(player, course, clock):  # noqa: F811
    player.start(lessons_of(course)[0])
    return player


def login_cookies(player) -> dict:
    return {
        settings.SESSION_COOKIE_NAME: player.client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: CSRF,
    }


def post_heartbeat(player, *, cookies=None, token=True):
    """The player's first heartbeat (10 s watched) through config.wsgi, with the learner's login
    and the CSRF token unless told otherwise."""
    return wsgi_call(
        f"/api/player/sessions/{player.session}/heartbeat",
        method="POST",
        body=heartbeat_body(1, 0, 10),
        cookies=cookies or login_cookies(player),
        headers={"X-CSRFToken": CSRF} if token else {},
    )


def test_the_player_api_has_its_own_shorter_stack():
    chain = [type(m.__self__).__module__ for m in PlayerAPIWSGIHandler()._view_middleware]
    assert chain == ["django.middleware.csrf"]  # the pages' view hooks (page cache) are not here
    assert "django.contrib.messages.middleware.MessageMiddleware" not in (
        settings.PLAYER_API_MIDDLEWARE
    )
    assert set(settings.PLAYER_API_MIDDLEWARE) <= set(settings.MIDDLEWARE)
    order = [settings.MIDDLEWARE.index(m) for m in settings.PLAYER_API_MIDDLEWARE]
    assert order == sorted(order)


def test_a_heartbeat_through_the_wsgi_entry_is_credited(watching, clock):  # noqa: F811
    clock.tick(10)
    status, headers, content = post_heartbeat(watching)
    assert status == 200, content
    assert json.loads(content)["credited"] == 10
    assert PlaybackSession.objects.get(pk=watching.session).last_seq == 1
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src" in headers["Content-Security-Policy"]
    assert headers["Content-Length"] == str(len(content))  # keep-alive holds without chunking
    assert "no-cache" in headers["Cache-Control"]


def test_csrf_still_holds_on_the_player_api(watching, clock):  # noqa: F811
    clock.tick(10)
    status, _, _ = post_heartbeat(watching, token=False)  # the cookie, no token in the header
    assert status == 403
    assert PlaybackSession.objects.get(pk=watching.session).last_seq == 0


def test_an_idle_login_ends_on_the_player_api(watching, clock):  # noqa: F811
    clock.tick(settings.SESSION_IDLE_TIMEOUT + 60)
    status, _, content = post_heartbeat(watching)
    assert status == 401 and json.loads(content)["error"] == "请先登录"
    assert AuditEvent.objects.filter(
        action=AuditAction.SESSION_EXPIRED, actor=watching.user
    ).exists()


def test_another_learners_session_is_still_refused(watching, other_player, clock):  # noqa: F811
    clock.tick(10)
    status, _, _ = post_heartbeat(watching, cookies=login_cookies(other_player))
    assert status == 404
    assert PlaybackSession.objects.get(pk=watching.session).last_seq == 0


def test_pages_keep_the_pages_stack(world, player):
    """A learner who has not accepted the privacy notice is sent to it from a page (the consent
    middleware is in the pages' stack only) while the player API, exempt, answers as JSON."""
    type(world.learner).objects.filter(pk=world.learner.pk).update(privacy_accepted_at=None)
    cookies = login_cookies(player)
    status, headers, _ = wsgi_call("/my/", cookies=cookies)
    assert status == 302 and headers["Location"].startswith("/my/consent/")
    status, _, content = wsgi_call("/api/player/sessions/none/explanation", cookies=cookies)
    assert status == 404 and "error" in json.loads(content)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_heartbeat_through_the_asgi_entry_is_credited(asgi_server, world, course):
    """The embedded default (one ASGI server) splits the same way."""
    from tests.player.conftest import Player

    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    request = urllib.request.Request(
        f"{asgi_server}/api/player/sessions/{player.session}/heartbeat",
        data=heartbeat_body(1, 0, 0.5),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Cookie": "; ".join(f"{k}={v}" for k, v in login_cookies(player).items()),
            "X-CSRFToken": CSRF,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        assert response.status == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    request.remove_header("X-csrftoken")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert refused.value.code == 403
