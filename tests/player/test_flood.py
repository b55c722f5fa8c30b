"""Flood control (DESIGN.md §4): more messages on one session than the year's limit per heartbeat
interval are answered 429 (HTTP) or `status: 429` (websocket) without touching the database, a
socket that keeps flooding is closed (4429), and heartbeats queued through an outage of the
year's grace still go through at once."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from websockets.exceptions import ConnectionClosed

from config.cache import cache_is_redis
from credits.api import HeartbeatLimits
from player.models import LessonProgress, PlaybackSession
from player.ratelimit import Allowance, SocketBudget, gcra, http_heartbeat_admit
from tests.player.conftest import Player, heartbeat_limit_set, lessons_of, publish
from tests.player.test_websocket import cookie_of, heartbeat, open_socket
from tests.test_services import require_env

BURST = 120 // 10 + 3  # the default rules: the outage grace's worth of heartbeats, plus three


def test_the_bucket_holds_a_flood_to_the_years_rate():
    allowance = Allowance.of(HeartbeatLimits(interval=10, per_interval=3, outage_grace=120))
    tat, admitted = None, 0
    for _ in range(100):  # a flood at one instant
        ok, tat = gcra(tat, 1000.0, allowance)
        admitted += ok
    assert admitted == BURST
    # Over the next minute it earns three messages per ten seconds, however hard it pushes.
    for second in range(1, 61):
        for _ in range(10):
            ok, tat = gcra(tat, 1000.0 + second, allowance)
            admitted += ok
    assert admitted == BURST + 18
    budget = SocketBudget(allowance)
    for _ in range(BURST):
        assert budget.admit(now=0.0)
    assert not any(budget.admit(now=0.0) for _ in range(BURST))
    assert not budget.flooding
    assert not budget.admit(now=0.0) and budget.flooding


def test_an_http_flood_is_refused_before_any_database_work(world, clock, other_player):
    course = publish(world)
    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    clock.tick(10)
    statuses = [player.beat([[0, 10]], seq=1)[0] for _ in range(BURST)]
    assert statuses == [200] * BURST  # one heartbeat and its retransmissions
    with CaptureQueriesContext(connection) as queries:
        status, answer = player.beat([[0, 10]], seq=1)
    assert status == 429 and answer == {"error": "心跳过于频繁，请稍后再试"}
    touched = [q["sql"] for q in queries if "player_" in q["sql"] or "credits_" in q["sql"]]
    assert touched == []
    assert PlaybackSession.objects.get().heartbeats == 1
    # Another learner is not held back by this one's flood.
    other_player.start(lessons_of(course)[0])
    assert other_player.beat([[0, 0]])[0] == 200
    # An interval later, the steady rate again.
    clock.tick(10)
    assert [player.beat([[10, 20]])[0] for _ in range(4)] == [200, 200, 200, 429]


def test_heartbeats_queued_through_an_outage_go_through_at_once(world, clock):
    course = publish(world)
    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    clock.tick(120)  # two minutes offline, watching: twelve heartbeats queued in the page
    answers = [player.beat([[n * 10.0, n * 10.0 + 10]]) for n in range(12)]
    assert [status for status, _ in answers] == [200] * 12
    assert sum(answer["credited"] for _, answer in answers) == 120
    assert LessonProgress.objects.get().frontier == 120


def test_the_limit_is_the_years_rule(world, clock):
    heartbeat_limit_set(world, 10)
    course = publish(world)
    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    clock.tick(10)
    statuses = [player.beat([[0, 10]], seq=1)[0] for _ in range(120 // 10 + 10 + 1)]
    assert statuses.count(429) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_flooding_socket_is_refused_then_closed(asgi_server, world, clock):
    course = publish(world)
    player = Player(world.learner)
    body = player.start(lessons_of(course)[0])
    clock.tick(10)
    with open_socket(asgi_server, body["session"], cookie_of(player)) as ws:
        acks = []
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(3 * BURST):
                ws.send(heartbeat(1, [[0, 10]]))
                acks.append(json.loads(ws.recv(timeout=10)))
        assert closed.value.rcvd.code == 4429
    statuses = [ack["status"] for ack in acks]
    assert statuses == [200] * BURST + [429] * BURST
    assert acks[-1]["error"] == "心跳过于频繁，请稍后再试"
    assert PlaybackSession.objects.get().heartbeats == 1  # the refused ones changed nothing


@pytest.mark.services
def test_concurrent_http_heartbeats_of_one_flood_pass_at_most_the_burst(world):
    """Eight workers' requests of one session at the same moment: Redis moves the shared bucket
    atomically (one script per request), so exactly a burst passes, not a burst per reader."""
    require_env("REDIS_URL")
    assert cache_is_redis()
    now = 1_900_000_000.0
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda _: http_heartbeat_admit(
                    learner_id=world.learner.pk, session_id="s", now=now
                ),
                range(4 * BURST),
            )
        )
    assert sum(answers) == BURST
    assert http_heartbeat_admit(learner_id=world.learner.pk, session_id="s", now=now + 10)
