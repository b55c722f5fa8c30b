"""Benchmark: what a heartbeat costs and what a year of watching leaves in the database.

Run:  .venv/bin/pytest bench/bench_heartbeats.py -p no:logging -q -s
      (add DATABASE_URL=postgres://... to measure PostgreSQL; the embedded default is SQLite)
Writes docs/bench-heartbeats.md. Not part of the test suite (testpaths is tests/).

1. One learner watching 30-minute lessons honestly through the service (heartbeats every 10 s,
   attention checks answered): heartbeats per second, queries per heartbeat, and the player's
   rows per hour of watching, extrapolated to the yearly 90 学时.
2. Several learners at once, one thread each (PostgreSQL: real row locks): heartbeats per second
   for the whole process.
"""

import datetime
import platform
import statistics
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from player import services
from player.models import (
    CheckFailure,
    CourseProgress,
    LearnerPlayState,
    LessonProgress,
    PlaybackSession,
    RefusedRun,
)
from tests.courses.conftest import world  # noqa: F401
from tests.factories import LearnerFactory, VideoAssetFactory
from tests.player.conftest import Clock, lessons_of, publish

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LESSON_SECONDS = 1800.0
LESSONS = 6  # three hours of watching in part 1
THREADS = 4
BEATS_PER_THREAD = 300
OUT = Path(__file__).resolve().parent.parent / "docs" / "bench-heartbeats.md"


def watch_lesson(learner, lesson, clock, *, noisy: bool) -> tuple[int, int]:
    """Watch one lesson to the end; (heartbeats, queries)."""
    _status, body = services.session_start(learner=learner, lesson_id=lesson.pk)
    position, seq, queries = 0.0, 0, 0
    while position < LESSON_SECONDS:
        seq += 1
        clock.tick(10)
        data = {
            "seq": seq,
            "position": position + 10,
            "played": [[position, position + 10]],
            "rate": 1.0,
            # Now and then a hidden tab (refused, merged into runs), as real learners do.
            "visible": not (noisy and seq % 60 in (1, 2, 3)),
        }
        reset_queries()  # the query log keeps 9000 at most: count from empty each time
        with CaptureQueriesContext(connection) as captured:
            _status, answer = services.heartbeat_record(
                learner=learner, session_id=body["session"], data=data
            )
        queries += len(captured)
        if answer["challenge"]:
            clock.tick(5)
            state = LearnerPlayState.objects.get(learner=learner)
            services.challenge_answer(
                learner=learner,
                session_id=body["session"],
                data={"id": answer["challenge"]["id"], "answer": state.check_code},
            )
        if answer["credited"]:
            position += answer["credited"]
    return seq, queries


def rows(learner) -> dict:
    return {
        "playback sessions": PlaybackSession.objects.filter(learner=learner).count(),
        "refused runs": RefusedRun.objects.filter(session__learner=learner).count(),
        "failed checks": CheckFailure.objects.filter(learner=learner).count(),
        "course progress": CourseProgress.objects.filter(learner=learner).count(),
        "lesson progress": LessonProgress.objects.filter(course_progress__learner=learner).count(),
        "learner state": LearnerPlayState.objects.filter(learner=learner).count(),
    }


def test_heartbeat_benchmark(world, monkeypatch):  # noqa: F811
    clock = Clock()
    monkeypatch.setattr("player.clock.now", clock)
    video = VideoAssetFactory(
        institution=world.a.organisation, title="三十分钟的一讲", duration=LESSON_SECONDS
    )
    course = publish(world, lessons=LESSONS, video=video)
    learner = world.learner

    # 1. One learner, honest, through the service.
    started = time.perf_counter()
    beats = queries = 0
    for lesson in lessons_of(course):
        b, q = watch_lesson(learner, lesson, clock, noisy=True)
        beats, queries = beats + b, queries + q
    elapsed = time.perf_counter() - started
    hours = LESSONS * LESSON_SECONDS / 3600
    counted = rows(learner)
    per_hour = sum(counted.values()) / hours

    # 2. Several learners at once.
    learners = []
    for n in range(THREADS):
        other = LearnerFactory(username=f"bench{n}")
        other.groups.add(Group.objects.get(name="学员"))
        learners.append(other)
    lesson = lessons_of(course)[0]
    sessions = [services.session_start(learner=u, lesson_id=lesson.pk)[1] for u in learners]
    clock.tick(LESSON_SECONDS)
    latencies: list[float] = []
    lock = threading.Lock()

    def run(user, body):
        mine = []
        for seq in range(1, BEATS_PER_THREAD + 1):
            data = {
                "seq": seq,
                "position": seq * 5.0,
                "played": [[(seq - 1) * 5.0, seq * 5.0]],
                "rate": 1.0,
                "visible": True,
            }
            t0 = time.perf_counter()
            services.heartbeat_record(learner=user, session_id=body["session"], data=data)
            mine.append(time.perf_counter() - t0)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [
        threading.Thread(target=run, args=pair) for pair in zip(learners, sessions, strict=True)
    ]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    parallel = time.perf_counter() - t0
    latencies.sort()
    reset_queries()

    lines = [
        "# Heartbeat benchmark",
        "",
        f"Measured {datetime.date.today()} by `bench/bench_heartbeats.py` on {connection.vendor}, "
        f"Python {platform.python_version()}, {platform.machine()}, "
        "2 cores; the service layer (`player.services`), no HTTP.",
        "",
        f"## One learner, {hours:g} hours of honest watching",
        "",
        f"- {beats} heartbeats in {elapsed:.1f} s: **{beats / elapsed:.0f} heartbeats/s**, "
        f"{elapsed / beats * 1000:.1f} ms each, {queries / beats:.1f} queries each",
        f"- rows in the player's tables: {counted}",
        f"- **{per_hour:.1f} rows per hour** of watching → about {per_hour * 90:.0f} rows for "
        f"90 hours in a year, where a row per heartbeat would be {90 * 3600 // 10} rows",
        "",
        f"## {THREADS} learners at once, {BEATS_PER_THREAD} heartbeats each",
        "",
        f"- {THREADS * BEATS_PER_THREAD} heartbeats in {parallel:.1f} s: "
        f"**{THREADS * BEATS_PER_THREAD / parallel:.0f} heartbeats/s** for the process",
        f"- latency median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms",
        "",
        "At one heartbeat per 10 s per learner, N heartbeats/s carry 10·N learners watching at "
        "once per process of this kind.",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    assert per_hour < 100
