"""The socket's common heartbeat on the event loop (player.loop_db, issue 17): one locked read and
one write with the commit, no database thread; whatever needs more is decided again on a thread,
from the start; and the two ways answer and write exactly the same. Through the real ASGI
application served by uvicorn (tests/conftest.py: asgi_server). On SQLite (the embedded default)
every heartbeat takes the thread."""

import json
import logging
from contextlib import contextmanager

import pytest
from django.db import connection

from credits.models import CreditEntry
from player import loop_db, services
from player.models import (
    CourseProgress,
    LearnerPlayState,
    LessonProgress,
    PlaybackSession,
    RefusedRun,
)

from .conftest import Player, heartbeat_limit_set, lessons_of, publish
from .test_websocket import closed_with, cookie_of, open_socket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@contextmanager
def loop_statements():
    """The statements the event loop's connections run (player.loop_db logs each at DEBUG)."""
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.args[1])

    logger, handler = logging.getLogger("player.loop_db"), Keep(logging.DEBUG)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def on_threads(monkeypatch):
    """The heartbeats decided on a database thread (services.heartbeat_record), by session."""
    calls: list[str] = []
    original = services.heartbeat_record

    def counted(**kwargs):
        calls.append(str(kwargs["session_id"]))
        return original(**kwargs)

    monkeypatch.setattr(services, "heartbeat_record", counted)
    return calls


def message(seq, played, **extra) -> str:
    body = {"type": "heartbeat", "seq": seq, "position": played[-1][1] if played else 0}
    return json.dumps({**body, "played": played, "rate": 1.0, "visible": True, **extra})


def test_the_common_heartbeat_is_one_read_one_write_and_the_commit_on_the_loop(
    asgi_server, world, clock, on_threads
):
    course = publish(world)
    player = Player(world.learner)
    session = player.start(lessons_of(course)[0])["session"]
    with open_socket(asgi_server, session, cookie_of(player)) as ws:
        clock.tick(10)
        ws.send(message(1, [[0, 10]]))  # the first fills this process's copies
        assert json.loads(ws.recv(timeout=10))["credited"] == 10
        threads_before = len(on_threads)
        with loop_statements() as sql:
            for seq in range(2, 5):
                clock.tick(10)
                ws.send(message(seq, [[(seq - 1) * 10, seq * 10]]))
                answer = json.loads(ws.recv(timeout=10))
                assert answer["status"] == 200 and answer["credited"] == 10, answer
    assert LessonProgress.objects.get().frontier == 40
    if connection.vendor != "postgresql":  # no loop connections: every heartbeat on a thread
        assert not loop_db.enabled() and sql == [] and len(on_threads) == 4
        return
    assert len(on_threads) == threads_before  # none of the three took a thread
    per_heartbeat = [sql[i : i + 4] for i in range(0, len(sql), 4)]
    assert len(per_heartbeat) == 3, sql
    for statements in per_heartbeat:
        begin, read, write, commit = statements
        assert (begin, commit) == ("BEGIN", "COMMIT"), statements
        assert read.startswith("SELECT") and "FOR UPDATE OF st, s" in read
        assert write.startswith("WITH lp AS (UPDATE")
        assert not any("wagtailcore_page" in s or "courses_" in s for s in statements)
    with connection.cursor() as cursor:  # BEGIN and COMMIT carry no work: the goal's three
        cursor.execute("SELECT heartbeats, heartbeats_ws FROM player_playbacksession")
        assert cursor.fetchone() == (4, 4)


def test_a_heartbeat_that_needs_more_is_decided_on_a_thread_from_the_start(
    asgi_server, world, clock, on_threads
):
    """Completing the lesson (the course's lock, the ledger) and a lesson withdrawn while watched
    (the session ended, the push) take the thread; what the loop began is rolled back first."""
    course = publish(world, lessons=2)
    first, second = lessons_of(course)
    player = Player(world.learner)
    session = player.start(first)["session"]
    with open_socket(asgi_server, session, cookie_of(player)) as ws:
        answers = []
        for seq in range(1, 16):  # 150 s: the whole lesson
            clock.tick(10)
            ws.send(message(seq, [[(seq - 1) * 10, seq * 10]]))
            answers.append(json.loads(ws.recv(timeout=10)))
    assert [a["status"] for a in answers] == [200] * 15
    assert answers[-1]["complete"] and not answers[-2]["complete"]
    item = LessonProgress.objects.get(lesson=first)
    assert item.frontier == 150 and item.credited == 150 and item.completed_at is not None
    state = PlaybackSession.objects.get(pk=session)
    assert state.heartbeats == 15 and state.credited == 150 and state.last_seq == 15
    if connection.vendor == "postgresql":  # the completing one (and those before that the
        # coverage rule let complete) on a thread; the lesson under way on the loop
        assert 1 <= on_threads.count(session) < 15
        assert on_threads[-1] == session
    # The second lesson, withdrawn while watched: 409 and the session ended, told, closed.
    session = player.start(second)["session"]
    with open_socket(asgi_server, session, cookie_of(player)) as ws:
        clock.tick(10)
        ws.send(message(1, [[0, 10]]))
        assert json.loads(ws.recv(timeout=10))["status"] == 200
        course.unpublish()
        clock.tick(10)
        ws.send(message(2, [[10, 20]]))
        answer = json.loads(ws.recv(timeout=10))
        assert answer["status"] == 409 and answer["reason"] == "lesson_unavailable"
        assert json.loads(ws.recv(timeout=10)) == {"type": "ended", "reason": "lesson_unavailable"}
        assert closed_with(ws) == 4409
    ended = PlaybackSession.objects.get(pk=session)
    assert ended.end_reason == "lesson_unavailable" and ended.heartbeats == 1
    assert LessonProgress.objects.get(lesson=second).frontier == 10


def test_a_broken_loop_connection_hands_the_heartbeat_to_a_thread(
    asgi_server, world, clock, on_threads
):
    """The database drops the loop's connection (a restart, a failover): that heartbeat is
    answered from a thread, the next on a new connection of the loop."""
    course = publish(world)
    player = Player(world.learner)
    session = player.start(lessons_of(course)[0])["session"]
    with open_socket(asgi_server, session, cookie_of(player)) as ws:
        clock.tick(10)
        ws.send(message(1, [[0, 10]]))
        assert json.loads(ws.recv(timeout=10))["status"] == 200
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = %s",
                    [loop_db.APPLICATION_NAME],
                )
                assert cursor.fetchall() == [(True,)]  # the one the loop has used
        before = len(on_threads)
        for seq in (2, 3):
            clock.tick(10)
            ws.send(message(seq, [[(seq - 1) * 10, seq * 10]]))
            answer = json.loads(ws.recv(timeout=10))
            assert answer["status"] == 200 and answer["credited"] == 10, answer
    assert LessonProgress.objects.get().frontier == 30
    if connection.vendor == "postgresql":
        assert len(on_threads) == before + 1  # the heartbeat that met the broken connection


SCRIPT = [  # (clock tick, seq, played, extra): honest watching, refusals, repeats
    (10, 1, [[0, 10]], {}),
    (10, 2, [[10, 20]], {}),
    (0, 2, [[10, 20]], {}),  # a retransmission: the same answer
    (10, 3, [[20, 30]], {"visible": False}),  # hidden
    (10, 4, [[30, 40]], {"visible": False}),  # hidden again: the same refused run
    (10, 5, [[20, 30]], {"rate": 2.0}),  # too fast
    (10, 6, [[20, 30], [60, 70]], {}),  # a skip ahead, partly refused
    (10, 3, [[30, 40]], {}),  # an old one: earns nothing
    (10, 7, [[30, 40]], {}),
    (10, 8, [[40, 100]], {}),  # more than the clock allows
]


def _watched(asgi_server, player, lesson, clock) -> tuple[list, dict]:
    session = player.start(lesson)["session"]
    answers = []
    with open_socket(asgi_server, session, cookie_of(player)) as ws:
        for tick, seq, played, extra in SCRIPT:
            clock.tick(tick)
            ws.send(message(seq, played, **extra))
            answers.append(json.loads(ws.recv(timeout=10)))
    row = PlaybackSession.objects.get(pk=session)
    state = LearnerPlayState.objects.get(learner=player.user)
    rows = {
        "session": [
            row.last_seq,
            row.heartbeats,
            row.heartbeats_ws,
            row.credited,
            row.last_answer,
            row.last_heartbeat_at - row.started_at,
        ],
        "lesson": list(
            LessonProgress.objects.filter(pk=row.lesson_progress_id).values_list(
                "frontier", "credited", "position", "completed_at"
            )
        ),
        "state": [state.credited_until - row.started_at, state.credited_since_check],
        "runs": list(
            RefusedRun.objects.filter(session=row)
            .order_by("started_at", "reason")
            .values_list("reason", "heartbeats", "seconds")
        ),
    }
    return answers, rows


def test_the_loop_and_the_thread_answer_and_write_the_same(
    asgi_server, world, clock, settings, other_player, on_threads
):
    first = lessons_of(publish(world))[0]
    on_loop = _watched(asgi_server, Player(world.learner), first, clock)
    if connection.vendor == "postgresql":  # all but the first (which fills the copies)
        assert len(on_threads) <= 1, on_threads
    settings.PLAYER_SOCKET_LOOP_CONNECTIONS = 0  # every heartbeat on a thread
    assert not loop_db.enabled()
    threads_before = len(on_threads)
    on_thread = _watched(asgi_server, other_player, first, clock)
    assert len(on_threads) - threads_before == len(SCRIPT)
    assert on_loop == on_thread
    answers, rows = on_loop
    assert [a["credited"] for a in answers] == [10, 10, 10, 0, 0, 0, 10, 0, 10, 50]
    assert [a["reasons"] for a in answers][3:7] == [
        ["hidden"],
        ["hidden"],
        ["rate"],
        ["skipped_ahead"],
    ]
    assert answers[-1]["reasons"] == ["wall_clock"] and answers[-1]["frontier"] == 90
    assert answers[2] == answers[1] and answers[7]["reasons"] == ["duplicate"]
    assert [r for r, _h, _s in rows["runs"]].count("hidden") == 1
    assert ("hidden", 2, 20.0) in rows["runs"]
    assert CourseProgress.objects.filter(completed_at__isnull=False).count() == 0
    assert CreditEntry.objects.count() == 0


def test_the_same_heartbeat_on_several_sockets_and_over_http_at_once_credits_once(
    asgi_server, world, clock
):
    """The loop's lock is the threads' lock: one heartbeat sent at once over three sockets (three
    tabs) and three HTTP requests is credited once, and every copy gets the same answer."""
    from .test_concurrency import at_once

    heartbeat_limit_set(world, 20)
    course = publish(world)
    player = Player(world.learner)
    session = player.start(lessons_of(course)[0])["session"]
    sockets = [open_socket(asgi_server, session, cookie_of(player)) for _ in range(3)]
    try:
        clock.tick(10)
        body = message(1, [[0, 10]])

        def over_socket(ws):
            ws.send(body)
            return json.loads(ws.recv(timeout=10))

        def over_http():
            other = Player(world.learner)
            other.session = session
            status, answer = other.beat([[0, 10]], seq=1)
            return {"status": status, **answer}

        answers = at_once(
            *[lambda ws=ws: over_socket(ws) for ws in sockets], *[over_http for _ in range(3)]
        )
    finally:
        for ws in sockets:
            ws.close()
    assert [a["status"] for a in answers] == [200] * 6, answers
    assert {(a["credited"], a["frontier"]) for a in answers} == {(10, 10)}
    item = LessonProgress.objects.get()
    assert item.frontier == 10 and item.credited == 10
    row = PlaybackSession.objects.get(pk=session)
    assert row.heartbeats == 1 and row.credited == 10 and row.last_seq == 1
