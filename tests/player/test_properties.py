"""Property tests (hypothesis) over random heartbeat sequences: whatever a client sends, the
credited time never exceeds the server's wall-clock time of the learner's active sessions nor the
video's duration; honest watching through an outage of up to two minutes loses nothing."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player import services
from player.models import LessonProgress, PlaybackSession
from player.protocol import ProtocolError
from tests.player.conftest import lessons_of, publish

pytestmark = pytest.mark.django_db

DURATION = 150.0
RUN = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Rollback(Exception):
    pass


def example(run):
    """Each hypothesis example in a transaction of its own, rolled back after."""
    try:
        with transaction.atomic():
            run()
            raise Rollback
    except Rollback:
        pass


seconds = st.floats(min_value=0, max_value=260, allow_nan=False)
ranges = st.lists(st.tuples(seconds, seconds).map(sorted), max_size=6)
events = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.floats(min_value=0, max_value=200, allow_nan=False)),
        st.tuples(
            st.just("beat"),
            st.fixed_dictionaries(
                {
                    "played": ranges,
                    "position": seconds,
                    "rate": st.sampled_from([0.5, 1.0, 1.0, 1.0, 1.25, 2.0, 60.0]),
                    "visible": st.booleans(),
                    "seq": st.sampled_from(["next", "next", "next", "same", "old", "jump"]),
                }
            ),
        ),
        st.tuples(st.just("replay"), st.none()),
        st.tuples(st.just("start"), st.integers(min_value=0, max_value=1)),
    ),
    min_size=1,
    max_size=60,
)


@pytest.fixture
def two_lessons(world):
    return lessons_of(publish(world, lessons=2))


@RUN
@given(events=events)
def test_credit_never_exceeds_the_wall_clock_nor_the_video(world, two_lessons, clock, events):
    learner = world.learner

    def run():
        start_time = clock.now
        clock.now = start_time
        session, seq, last = None, 0, None
        for kind, value in events:
            if kind == "tick":
                clock.tick(value)
            elif kind == "start" or session is None:
                lesson = two_lessons[value if kind == "start" else 0]
                _status, body = services.session_start(learner=learner, lesson_id=lesson.pk)
                session, seq, last = body["session"], 0, None
            if kind == "beat":
                mode = value.pop("seq")
                seq = {"next": seq + 1, "same": max(seq, 1), "old": max(seq - 1, 1)}.get(
                    mode, seq + 7
                )
                last = {**value, "played": [list(r) for r in value["played"]], "seq": seq}
            if kind in ("beat", "replay") and last is not None:
                try:
                    services.heartbeat_record(learner=learner, session_id=session, data=last)
                except ProtocolError as error:
                    assert error.status in (400, 409)
            check(learner, clock.now)
        clock.now = start_time

    example(run)


def check(learner, now):
    sessions = list(PlaybackSession.objects.filter(learner=learner))
    wall = sum(((s.ended_at or now) - s.started_at).total_seconds() for s in sessions)
    credited = sum(s.credited for s in sessions)
    assert credited <= wall + 1e-3  # microsecond rounding of stored instants
    for item in LessonProgress.objects.filter(course_progress__learner=learner):
        in_lesson = sum(s.credited for s in sessions if s.lesson_id == item.lesson_id)
        assert item.frontier <= DURATION and item.credited <= DURATION
        assert in_lesson == pytest.approx(item.credited, abs=1e-6)


honest = st.lists(st.floats(min_value=1, max_value=15, allow_nan=False), min_size=5, max_size=40)


@RUN
@given(
    steps=honest,
    outage_at=st.integers(min_value=0, max_value=39),
    outage=st.floats(min_value=1, max_value=120, allow_nan=False),
)
def test_an_outage_of_up_to_two_minutes_loses_no_honest_time(
    world, two_lessons, clock, steps, outage_at, outage
):
    learner = world.learner

    def run():
        start_time = clock.now
        _status, body = services.session_start(learner=learner, lesson_id=two_lessons[0].pk)
        position, seq, queued, offline = 0.0, 0, [], 0.0
        for index, step in enumerate(steps):
            step = min(step, DURATION - position)
            if step <= 0:
                break
            seq += 1
            beat = {
                "seq": seq,
                "position": position + step,
                "played": [[position, position + step]],
                "rate": 1.0,
                "visible": True,
            }
            position += step
            clock.tick(step)
            if outage_at <= index and offline + step <= outage:  # queued while offline
                queued.append(beat)
                offline += step
                continue
            for waiting in [*queued, beat]:  # back online: the queue first, in seq order
                status, answer = services.heartbeat_record(
                    learner=learner, session_id=body["session"], data=waiting
                )
                assert status == 200
            queued = []
        for waiting in queued:
            services.heartbeat_record(learner=learner, session_id=body["session"], data=waiting)
        item = LessonProgress.objects.get(course_progress__learner=learner, lesson=two_lessons[0])
        assert item.frontier == pytest.approx(position, abs=1e-3)
        clock.now = start_time

    example(run)


def test_the_clock_fixture_moves_time(clock):
    before = clock.now
    clock.tick(1.5)
    assert clock.now - before == datetime.timedelta(seconds=1.5)
