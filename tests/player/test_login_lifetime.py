"""How long a learner's login lasts while they watch (DESIGN.md §4): a visible, playing heartbeat
keeps it alive; 30 minutes of nothing else (a hidden tab's heartbeats included) end it; and the
12th hour after login ends it whatever was done. One rule on HTTP (401) and on the websocket
(close 4401), under a clock the tests move for the player and the login alike."""

import json

import pytest
from websockets.exceptions import ConnectionClosed

from accounts.models import AuditAction, AuditEvent
from tests.player.conftest import Clock, Player, lessons_of, publish
from tests.player.test_websocket import cookie_of, heartbeat, open_socket

VIDEO = 150.0  # s: the world's lesson video


@pytest.fixture
def clock(monkeypatch):
    """One clock for crediting and for the login's idle and age rules."""
    value = Clock()
    monkeypatch.setattr("player.clock.now", value)
    monkeypatch.setattr("accounts.middleware.clock_now", value)
    return value


def exchange(ws, message: str):
    """Send one message: its acknowledgement (a dict), or the code the socket closed with."""
    try:
        ws.send(message)
        return json.loads(ws.recv(timeout=10))
    except ConnectionClosed as closed:
        return closed.rcvd.code


def played_window(elapsed: float, step: float = 10.0) -> list[list[float]]:
    """What a learner who keeps watching (and rewatching) the lesson played in the last step."""
    start = elapsed % VIDEO
    return [[start, min(VIDEO, start + step)]]


def watch_then_hide(player, clock) -> tuple[int, float]:
    """35 minutes of visible, playing heartbeats; then the tab is hidden, its heartbeats
    answered but not activity, until one is refused: (that status, how long it was hidden)."""
    elapsed = 0.0
    while elapsed < 35 * 60:
        clock.tick(10)
        status, answer = player.beat(played_window(elapsed))
        assert status == 200, (elapsed, answer)
        elapsed += 10
    hidden_for = 0.0
    while True:
        clock.tick(10)
        hidden_for += 10
        status, _answer = player.beat(played_window(elapsed), visible=False)
        if status != 200:
            return status, hidden_for
        assert hidden_for <= 30 * 60 + 10


def test_watching_keeps_the_http_login_alive_and_a_hidden_tab_does_not(world, clock):
    course = publish(world)
    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    status, hidden_for = watch_then_hide(player, clock)
    assert status == 401
    assert 29 * 60 <= hidden_for <= 30 * 60 + 10
    event = AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED).get()
    assert event.subject == world.learner and event.detail["reason"] == "idle"
    # A page after that is the login page, not the learner's area.
    assert player.client.get("/my/").status_code == 302


def test_the_http_login_ends_twelve_hours_after_it_began(world, clock):
    course = publish(world)
    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    answers = []
    for step in range(1, 40):  # a visible heartbeat every 20 minutes: never idle
        clock.tick(20 * 60)
        status, _answer = player.beat(played_window(step * 10.0))
        answers.append((step * 20 / 60, status))
    assert all(status == 200 for hours, status in answers if hours <= 12)
    assert all(status == 401 for hours, status in answers if hours > 12)
    assert AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED).detail["reason"] == "age"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_websocket_follows_the_same_rules(asgi_server, world, clock):
    course = publish(world)
    player = Player(world.learner)
    body = player.start(lessons_of(course)[0])
    with open_socket(asgi_server, body["session"], cookie_of(player)) as ws:
        elapsed, seq = 0.0, 0
        while elapsed < 35 * 60:
            clock.tick(10)
            seq += 1
            ws.send(heartbeat(seq, played_window(elapsed)))
            ack = json.loads(ws.recv(timeout=10))
            assert ack["status"] == 200, (elapsed, ack)
            elapsed += 10
        # 30 minutes of a hidden tab: the socket is closed as the HTTP login would answer 401.
        hidden_for = 0.0
        while True:
            clock.tick(10)
            hidden_for += 10
            seq += 1
            answer = exchange(ws, heartbeat(seq, played_window(elapsed), visible=False))
            if not isinstance(answer, dict):
                break
            assert answer["status"] == 200 and hidden_for <= 30 * 60 + 10
        assert answer == 4401
        assert 29 * 60 <= hidden_for <= 30 * 60 + 10
    # The login is over for HTTP too: one session, one rule.
    assert player.beat(played_window(elapsed))[0] == 401

    # A new login: twelve hours on, the socket closes whatever it carries.
    player = Player(world.learner)
    body = player.start(lessons_of(course)[0])
    with open_socket(asgi_server, body["session"], cookie_of(player)) as ws:
        for step in range(1, 40):
            clock.tick(20 * 60)
            answer = exchange(ws, heartbeat(step, played_window(step * 10.0)))
            if step * 20 <= 12 * 60:
                assert answer["status"] == 200, step
            else:
                assert answer == 4401
                break
    reasons = [
        event.detail["reason"]
        for event in AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED).order_by("pk")
    ]
    assert reasons == ["idle", "age"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sockets_login_check_and_its_minutes_activity_run_on_the_loop(
    asgi_server, world, clock, monkeypatch
):
    """A socket's login is read again once a minute and a watching learner's activity recorded
    once a minute (accounts' rule), on the loop (player.loop_db.login_check) without a database
    thread; a login that ended without a push (here the password changed, which logs out
    everywhere) is left to the thread, which refuses it as before. On SQLite every check takes
    the thread."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.db import connection

    from accounts.api import session_login_deadlines
    from accounts.middleware import LAST_ACTIVITY_KEY
    from player import consumers

    from .test_loop_heartbeats import loop_statements

    threads: list[bool] = []

    def counted(key, user_id, *, touch=False):
        threads.append(touch)
        return session_login_deadlines(key, user_id, touch=touch)

    monkeypatch.setattr(consumers, "session_login_deadlines", counted)
    course = publish(world)
    player = Player(world.learner)
    session = player.start(lessons_of(course)[0])["session"]
    cookie = cookie_of(player)
    key = player.client.cookies[settings.SESSION_COOKIE_NAME].value

    def activity() -> int:
        return Session.objects.get(session_key=key).get_decoded()[LAST_ACTIVITY_KEY]

    initial, recorded = activity(), []
    with open_socket(asgi_server, session, cookie) as ws:
        with loop_statements() as sql:
            for seq in range(1, 19):  # three minutes of watching
                clock.tick(10)
                ws.send(heartbeat(seq, played_window((seq - 1) * 10.0)))
                assert json.loads(ws.recv(timeout=10))["status"] == 200
                recorded.append(activity())
        changes = [b - a for a, b in zip(recorded, recorded[1:], strict=False) if b != a]
        assert changes and all(change >= 60 for change in changes), recorded  # once a minute
        assert len(set(recorded)) >= 3
        if connection.vendor == "postgresql":
            assert threads == []  # every check and record on the loop
            writes = [s for s in sql if s.startswith('UPDATE "django_session"')]
            assert len(writes) == len({initial, *recorded}) - 1  # one UPDATE a record
        else:
            assert threads and all(threads)
        user = world.learner
        user.set_password("Another-pass-2026")
        user.save()
        clock.tick(61)  # the minute's check (or a push) finds the login changed: the thread
        ws.send(heartbeat(19, played_window(180.0)))  # refuses it
        assert exchange(ws, heartbeat(20, played_window(190.0))) == 4401
    assert threads
