"""The HTTP heartbeat on the event loop (player.http_heartbeat, issue 17, decision 0012): through
the real ASGI application served by uvicorn (tests/conftest.py: asgi_server), the common
heartbeat is answered without Django's request cycle — one read of the login, the socket's read
and write with the commit — and everything else is handed to Django, which answers exactly as it
does through the WSGI entry: CSRF, the login's rules and their audit, another learner's session,
floods, bad bodies, the heartbeats that need a thread. On SQLite every heartbeat goes to Django."""

import http.client
import json
import time
import urllib.parse

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection

from accounts.models import AuditAction, AuditEvent
from courses.facts import lesson_facts_forget
from credits.api import deadlines_forget
from player import http_heartbeat, loop_db
from player.models import LessonProgress, PlaybackSession

from .conftest import Player, lessons_of, publish
from .test_flood import BURST
from .test_login_lifetime import VIDEO, clock, watch_then_hide  # noqa: F401 (one clock for both)
from .test_loop_heartbeats import loop_statements

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CSRF = "c" * 32
ON_LOOP = "loop"
TO_DJANGO = "django"


class ServerPlayer(Player):
    """A learner's browser posting to the ASGI server over one kept-alive connection, with the
    login of the test client's session and the CSRF cookie and header."""

    def __init__(self, user, server: str):
        super().__init__(user)
        netloc = urllib.parse.urlsplit(server).netloc
        self.http = http.client.HTTPConnection(netloc, timeout=10)
        self.token = CSRF
        self.cookies = {
            settings.SESSION_COOKIE_NAME: self.client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: CSRF,
        }
        self.headers = {}

    def post(self, path: str, body) -> tuple[int, dict]:
        raw = body if isinstance(body, str | bytes) else json.dumps(body)
        headers = {
            "Content-Type": "application/json",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if self.token:
            headers["X-CSRFToken"] = self.token
        self.http.request("POST", path, raw, headers)
        response = self.http.getresponse()
        content = response.read()
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        try:
            return response.status, json.loads(content)
        except ValueError:
            return response.status, {"content": content.decode(errors="replace")}


@pytest.fixture
def ways(monkeypatch):
    """Who answered each HTTP heartbeat the ASGI server was sent: ON_LOOP or TO_DJANGO."""
    seen: list[str] = []
    common = http_heartbeat._common

    async def recorded(*args):
        try:
            answer = await common(*args)
        except Exception as error:  # handed to Django, but a defect of this path's
            seen.append(f"failed: {error!r}")
            raise
        seen.append(TO_DJANGO if answer is None else ON_LOOP)
        return answer

    monkeypatch.setattr(http_heartbeat, "_common", recorded)
    return seen


@pytest.fixture
def learner(asgi_server, world, clock):  # noqa: F811
    course = publish(world)
    player = ServerPlayer(world.learner, asgi_server)
    player.start(lessons_of(course)[0])
    player.course = course
    yield player
    player.http.close()


def answered_by(ways: list, expected: list) -> None:
    """Who answered: as expected where the loop runs (PostgreSQL); on SQLite (the embedded
    default, no loop connections) Django answers every heartbeat the same way, and the rest of
    each test holds there too."""
    assert ways == (expected if loop_db.enabled() else []), ways


def test_the_common_http_heartbeat_is_answered_on_the_loop(learner, clock, ways):  # noqa: F811
    deadlines_forget()  # as in a process just started: the year's rules not copied yet
    lesson_facts_forget()
    clock.tick(10)
    status, answer = learner.beat([[0, 10]])  # the first fills the process's copies
    assert status == 200 and answer["credited"] == 10, answer
    with loop_statements() as sql:
        for seq in range(2, 5):
            clock.tick(10)
            status, answer = learner.beat([[(seq - 1) * 10, seq * 10]])
            assert status == 200 and answer["credited"] == 10, answer
    assert LessonProgress.objects.get().frontier == 40
    session = PlaybackSession.objects.get()
    assert (session.heartbeats, session.heartbeats_ws, session.last_seq) == (4, 0, 4)
    if connection.vendor != "postgresql":
        assert not loop_db.enabled() and ways == [] and sql == []
        return
    assert ways == [ON_LOOP] * 4
    # Per heartbeat: the login's one read, then the socket's BEGIN, locked read, write, COMMIT.
    assert len(sql) == 15, sql
    for statements in (sql[i : i + 5] for i in range(0, 15, 5)):
        login, begin, read, write, commit = statements
        assert "django_session" in login and "FOR UPDATE" not in login
        assert (begin, commit) == ("BEGIN", "COMMIT")
        assert "FOR UPDATE" in read and write.startswith("WITH lp AS (UPDATE")
        assert not any("wagtailcore_page" in s for s in statements)


def test_the_loop_answers_with_djangos_headers(learner, clock, ways, monkeypatch):  # noqa: F811
    clock.tick(10)
    assert learner.beat([[0, 10]])[0] == 200
    on_loop = learner.headers
    monkeypatch.setattr(http_heartbeat, "handles", lambda scope: None)  # Django answers all
    clock.tick(10)
    assert learner.beat([[10, 20]])[0] == 200
    by_django = learner.headers
    answered_by(ways, [ON_LOOP])
    varying = {"date", "expires", "content-length", "server"}

    def kept(headers):
        return {k: v for k, v in headers.items() if k not in varying}

    assert kept(on_loop) == kept(by_django)
    assert on_loop["x-content-type-options"] == "nosniff" and on_loop["vary"] == "Cookie"
    assert "no-store" in on_loop["cache-control"] and on_loop["x-frame-options"] == "DENY"
    assert "default-src" in on_loop["content-security-policy"]


def test_refusals_are_djangos(learner, clock, ways, other_player):  # noqa: F811
    clock.tick(10)
    learner.token = ""  # the cookie without the header
    assert learner.beat([[0, 10]])[0] == 403
    learner.token = CSRF
    other = {settings.SESSION_COOKIE_NAME: other_player.client.cookies["sessionid"].value}
    mine, learner.cookies = learner.cookies, {**learner.cookies, **other}
    assert learner.beat([[0, 10]])[0] == 404  # another learner's login on this session
    learner.cookies = {settings.CSRF_COOKIE_NAME: CSRF}
    assert learner.beat([[0, 10]]) == (401, {"error": "请先登录"})
    learner.cookies = mine
    assert learner.post(f"/api/player/sessions/{learner.session}/heartbeat", "x" * 9000)[0] == 400
    assert PlaybackSession.objects.get().last_seq == 0
    answered_by(
        ways, [TO_DJANGO, TO_DJANGO, TO_DJANGO]
    )  # the body over the limit is not read whole
    status, answer = learner.post(f"/api/player/sessions/{learner.session}/heartbeat", "[1]")
    assert (status, answer["error"]) == (400, "请求内容应为 JSON 对象")
    answered_by(ways, [TO_DJANGO, TO_DJANGO, TO_DJANGO, ON_LOOP])


def test_a_login_ended_elsewhere_is_djangos_401(learner, clock, ways):  # noqa: F811
    from accounts.login import sessions_end_all

    clock.tick(10)
    assert learner.beat([[0, 10]])[0] == 200
    sessions_end_all(learner.user)  # a password change, or 退出所有设备
    clock.tick(10)
    assert learner.beat([[10, 20]])[0] == 401
    answered_by(ways, [ON_LOOP, TO_DJANGO])


def test_an_idle_login_ends_through_django_with_its_audit(learner, clock, ways):  # noqa: F811
    clock.tick(settings.SESSION_IDLE_TIMEOUT + 60)
    assert learner.beat([[0, 10]]) == (401, {"error": "请先登录"})
    answered_by(ways, [TO_DJANGO])
    event = AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED)
    assert event.actor == learner.user and event.detail["reason"] == "idle"
    assert not Session.objects.exists()


def _activity(player, *, becomes=None) -> int:
    """The login's last activity; with `becomes`, waited for (up to 5 s) until it is that: on
    the loop it is recorded beside the answer, not before it."""
    deadline = time.monotonic() + 5
    while True:
        session = Session.objects.get(pk=player.cookies[settings.SESSION_COOKIE_NAME])
        value = session.get_decoded()["_last_activity"]
        if becomes is None or value == becomes or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def test_watching_is_activity_recorded_once_a_minute(learner, clock, ways):  # noqa: F811
    before = _activity(learner)
    clock.tick(10)
    assert learner.beat([[0, 10]])[0] == 200  # 10 s since the login's activity: not yet
    assert _activity(learner) == before
    clock.tick(55)
    assert learner.beat([[10, 20]], visible=False)[0] == 200  # hidden: never activity
    assert _activity(learner) == before
    assert learner.beat([[20, 30]])[0] == 200
    assert _activity(learner, becomes=before + 65) == before + 65
    answered_by(ways, [ON_LOOP] * 3)


def test_watching_keeps_the_login_alive_on_the_loop_and_a_hidden_tab_does_not(
    learner,
    clock,  # noqa: F811
    ways,
):
    """tests/player/test_login_lifetime.py's rule, with every heartbeat sent to the loop."""
    status, hidden_for = watch_then_hide(learner, clock)
    assert status == 401 and 29 * 60 <= hidden_for <= 30 * 60 + 10
    answered_by(ways, [ON_LOOP] * (len(ways) - 1) + [TO_DJANGO])  # only the one that ended it
    assert AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED).detail["reason"] == "idle"


def test_an_http_flood_is_refused_on_the_loop(learner, clock, ways):  # noqa: F811
    clock.tick(10)
    statuses = [learner.beat([[0, 10]], seq=1)[0] for _ in range(BURST + 1)]
    assert statuses == [200] * BURST + [429]
    assert PlaybackSession.objects.get().heartbeats == 1
    answered_by(ways, [ON_LOOP] * (BURST + 1))


def test_a_heartbeat_that_completes_the_lesson_takes_the_thread(learner, clock, ways):  # noqa: F811
    answer = learner.watch(clock, 0, VIDEO)
    assert answer["complete"] is True and answer["course_complete"] is True, answer
    answered_by(ways, [ON_LOOP] * 15)  # the loop handed the last one to a thread itself
    assert PlaybackSession.objects.get().heartbeats_ws == 0


def test_the_loop_keeps_its_redis_connection_across_heartbeats(learner, clock, ways):  # noqa: F811
    """Django's `caches` gives each asyncio task a backend of its own: the loop's client must not
    live there (it opened a connection per heartbeat, a third of the CPU)."""
    import redis

    from config.cache import cache_is_redis

    def clients() -> int:  # the embedded default (SQLite) has a memory cache, no Redis
        if not cache_is_redis():
            return 0
        server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        return server.info("clients")["connected_clients"]

    assert cache_is_redis() or not loop_db.enabled(), "PostgreSQL runs with Redis (REDIS_URL)"
    clock.tick(10)
    assert learner.beat([[0, 10]])[0] == 200
    before = clients()
    for seq in range(2, 22):
        clock.tick(10)
        assert learner.beat([[(seq - 1) * 10, seq * 10]])[0] == 200
    assert clients() - before <= 1
    answered_by(ways, [ON_LOOP] * 21)


def test_a_session_id_spelt_otherwise_is_one_bucket(learner, clock, ways):  # noqa: F811
    """Upper case is the same session to PostgreSQL: it must be the same flood bucket too."""
    clock.tick(10)
    spellings = [learner.session, learner.session.upper()]
    statuses = []
    for number in range(BURST + 1):
        learner.session = spellings[number % 2]
        statuses.append(learner.beat([[0, 10]], seq=1)[0])
    assert statuses == [200] * BURST + [429]
    answered_by(ways, [ON_LOOP] * (BURST + 1))
    assert learner.beat([[0, 10]], seq=1)[0] == 429  # the bucket is shared by every spelling
    clock.tick(10)  # an interval later: a spelling PostgreSQL refuses is the same session here
    learner.session = f"urn:uuid:{spellings[0]}"
    status, answer = learner.beat([[10, 20]], seq=2)
    assert status == 200 and answer["credited"] == 10, answer
    answered_by(ways, [ON_LOOP] * (BURST + 3))


def test_a_defect_after_the_bucket_is_answered_500_not_decided_again(
    learner,
    clock,  # noqa: F811
    ways,
    monkeypatch,
):
    async def broken(**_kwargs):
        raise RuntimeError("a defect")

    monkeypatch.setattr(loop_db, "heartbeat_record", broken)
    clock.tick(10)
    if not loop_db.enabled():  # SQLite: Django decides every heartbeat on its own thread
        assert learner.beat([[0, 10]])[0] == 200
        return
    assert learner.beat([[0, 10]]) == (500, {"error": http_heartbeat.FAILED})
    answered_by(ways, [ON_LOOP])  # answered here: Django would spend a second token
    assert PlaybackSession.objects.get().heartbeats == 0


def test_the_answer_does_not_wait_for_the_activity_record(
    learner,
    clock,  # noqa: F811
    ways,
    monkeypatch,
):
    """A thousand learners whose minute comes round together must not each wait for their
    session's write (the benchmark's N = 1,000 stalled for seconds): the record runs beside."""
    import asyncio
    import threading

    released, calls = threading.Event(), []
    original = http_heartbeat.session_login_deadlines

    def held(*args, **kwargs):
        calls.append(released.wait(10))
        return original(*args, **kwargs)

    monkeypatch.setattr(http_heartbeat, "session_login_deadlines", held)
    original_check = loop_db.login_check

    async def held_check(*args, **kwargs):  # the record on the loop (loop_db.login_check)
        while not released.is_set():
            await asyncio.sleep(0.01)
        calls.append(True)
        return await original_check(*args, **kwargs)

    monkeypatch.setattr(loop_db, "login_check", held_check)
    before = _activity(learner)
    clock.tick(65)
    assert learner.beat([[0, 10]])[0] == 200  # answered while its record is held
    assert learner.beat([[10, 20]])[0] == 200  # and no second record asked for meanwhile
    released.set()
    assert _activity(learner, becomes=before + 65) == before + 65
    assert calls == ([True] if loop_db.enabled() else [])
    answered_by(ways, [ON_LOOP, ON_LOOP])
