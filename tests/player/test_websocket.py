"""The player protocol over a websocket, through the real ASGI application served by uvicorn, on
channels-redis when REDIS_URL is set (CI) and the in-memory layer otherwise."""

import json
import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from accounts.api import logins_ended, session_login_deadlines
from accounts.login import sessions_end_all
from player import loop_db
from player.models import LessonProgress, PlaybackSession
from player.realtime import logins_ended_push
from tests.factories import LearnerFactory
from tests.player.conftest import Player, lessons_of, publish

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def cookie_of(player: Player) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={player.client.cookies[settings.SESSION_COOKIE_NAME].value}"


def open_socket(server: str, session: str, cookie: str | None):
    return connect(
        f"ws://{urlsplit(server).netloc}/ws/player/{session}/",
        origin=server,
        additional_headers={"Cookie": cookie} if cookie else None,
        open_timeout=10,
    )


def closed_with(ws) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=10)
    return closed.value.rcvd.code


def heartbeat(seq, played, **extra) -> str:
    body = {"type": "heartbeat", "seq": seq, "position": played[-1][1], "played": played}
    return json.dumps({**body, "rate": 1.0, "visible": True, **extra})


def test_heartbeats_are_acknowledged_and_superseding_closes_4409(asgi_server, world, clock):
    if os.environ.get("REDIS_URL"):
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("RedisChannelLayer")
    course = publish(world, lessons=2)
    first, second = lessons_of(course)
    player = Player(world.learner)
    body = player.start(first)
    with open_socket(asgi_server, body["session"], cookie_of(player)) as ws:
        clock.tick(10)
        ws.send(heartbeat(1, [[0, 10]]))
        ack = json.loads(ws.recv(timeout=10))
        assert ack["type"] == "heartbeat_ack" and ack["status"] == 200
        assert ack["seq"] == 1 and ack["credited"] == 10 and ack["frontier"] == 10
        ws.send(heartbeat(1, [[0, 10]]))  # a retransmission: the same answer
        assert json.loads(ws.recv(timeout=10)) == ack
        for bad in (
            "not json",
            "[]",
            json.dumps({"type": "ping"}),
            heartbeat(2, [[0, 10]], rate=-1),
        ):
            ws.send(bad)
            answer = json.loads(ws.recv(timeout=10))
            assert answer["type"] == "heartbeat_ack" and answer["status"] == 400
        clock.tick(10)
        ws.send(heartbeat(2, [[10, 20]]))  # still open after malformed messages
        assert json.loads(ws.recv(timeout=10))["credited"] == 10
        # The same learner starts on another device: this socket is told, then closed.
        Player(world.learner).start(second)
        assert json.loads(ws.recv(timeout=10)) == {"type": "superseded"}
        assert closed_with(ws) == 4409
    assert LessonProgress.objects.get(lesson=first).frontier == 20
    # Reconnecting to a superseded session is refused the same way.
    with open_socket(asgi_server, body["session"], cookie_of(player)) as ws:
        assert json.loads(ws.recv(timeout=10)) == {"type": "superseded"}
        assert closed_with(ws) == 4409


def test_other_learners_no_login_and_expired_logins_are_closed(asgi_server, world, clock):
    course = publish(world)
    player = Player(world.learner)
    body = player.start(lessons_of(course)[0])
    stranger = Player(LearnerFactory(username="stranger"))
    with open_socket(asgi_server, body["session"], cookie_of(stranger)) as ws:
        assert closed_with(ws) == 4404
    with open_socket(asgi_server, body["session"], None) as ws:
        assert closed_with(ws) == 4401
    with open_socket(asgi_server, "00000000-0000-0000-0000-000000000000", cookie_of(player)) as ws:
        assert closed_with(ws) == 4404
    ended = player.start(lessons_of(course)[0])["session"]
    PlaybackSession.objects.filter(pk=ended).update(
        ended_at=timezone.now(), end_reason="challenge_failed"
    )
    with open_socket(asgi_server, ended, cookie_of(player)) as ws:
        assert json.loads(ws.recv(timeout=10)) == {"type": "ended", "reason": "challenge_failed"}
        assert closed_with(ws) == 4409
    body = player.start(lessons_of(course)[0])
    with open_socket(asgi_server, body["session"], cookie_of(player)) as ws:
        Session.objects.all().delete()  # the login ends (expired, or logged out elsewhere)
        clock.tick(10)
        ws.send(heartbeat(1, [[0, 10]]))
        assert closed_with(ws) == 4401
    assert LessonProgress.objects.get().frontier == 0


def test_a_logout_elsewhere_closes_the_socket_and_the_login_is_not_read_per_heartbeat(
    asgi_server, world, clock, monkeypatch
):
    """The socket holds the login's deadlines: heartbeats read no session or user row; a logout
    elsewhere reaches it at once through the channel layer (the server's own logout, here from
    another client), and without that push within a minute of the login clock."""
    monkeypatch.setattr("accounts.middleware.clock_now", clock)
    course = publish(world)
    player = Player(world.learner)
    body = player.start(lessons_of(course)[0])
    reads = []
    monkeypatch.setattr(
        "player.consumers.session_login_deadlines",
        _counting(reads, session_login_deadlines),
    )
    login_check = loop_db.login_check  # the same read on the event loop (PostgreSQL)

    async def loop_read(*args, **kwargs):
        reads.append(args)
        return await login_check(*args, **kwargs)

    monkeypatch.setattr(loop_db, "login_check", loop_read)
    with open_socket(asgi_server, body["session"], cookie_of(player)) as ws:
        for seq in range(1, 6):  # 50 s of watching: one read of the login, at the first
            clock.tick(10)
            ws.send(heartbeat(seq, [[(seq - 1) * 10, seq * 10]]))
            assert json.loads(ws.recv(timeout=10))["status"] == 200
        assert len(reads) == 1
        # Logged out in another tab of the same browser: every login of theirs ends.
        other = Player(world.learner)
        other.client.post("/accounts/logout/")
        assert closed_with(ws) == 4401

    # The push lost (as with Redis down): found on the first heartbeat after a minute.
    world.learner.refresh_from_db()  # its session generation moved on at the logout
    player = Player(world.learner)
    body = player.start(lessons_of(course)[0])
    with open_socket(asgi_server, body["session"], cookie_of(player)) as ws:
        clock.tick(10)
        ws.send(heartbeat(1, [[0, 10]]))
        assert json.loads(ws.recv(timeout=10))["status"] == 200
        logins_ended.disconnect(dispatch_uid="player.logins_ended_push")
        try:
            sessions_end_all(world.learner)
        finally:
            logins_ended.connect(logins_ended_push, dispatch_uid="player.logins_ended_push")
        clock.tick(30)
        ws.send(heartbeat(2, [[10, 40]]))
        assert json.loads(ws.recv(timeout=10))["status"] == 200  # within the minute
        clock.tick(31)
        ws.send(heartbeat(3, [[40, 71]]))
        assert closed_with(ws) == 4401


def _counting(calls: list, function):
    def counted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return counted
