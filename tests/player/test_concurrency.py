"""Real concurrency (threads, each with its own database connection; PostgreSQL under CI, SQLite
with IMMEDIATE transactions on the embedded default): the same heartbeat ten times at once
credits once, and a heartbeat and a quiz grade completing a course at once write its hours once."""

import threading

import pytest
from django.db import connection, transaction

from courses.models import CoursePage
from credits.models import CreditEntry
from player.models import CourseProgress, LessonProgress, PlaybackSession, QuizAttempt
from player.progress import course_progress_locked
from tests.factories import QUIZ, LearnerFactory
from tests.player.conftest import Player, heartbeat_limit_set, lessons_of, publish
from tests.test_services import require_env

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_a_heartbeat_sent_ten_times_at_once_credits_once(world, clock):
    # Twenty messages in ten seconds are more than the default limit lets through: this is about
    # the locks, not the flood control (tests/player/test_flood.py).
    heartbeat_limit_set(world, 20)
    course = publish(world)
    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    clock.tick(10)
    players = [Player(world.learner) for _ in range(10)]
    for other in players:
        other.session = player.session
    answers = at_once(*[lambda p=p: p.beat([[0, 10]], seq=1) for p in players])
    assert all(status == 200 for status, _ in answers)
    assert {answer["credited"] for _, answer in answers} == {10}  # the same answer, repeated
    assert LessonProgress.objects.get().frontier == 10
    session = PlaybackSession.objects.get()
    assert session.credited == 10 and session.heartbeats == 1
    # Ten different heartbeats at once: the clock still allows ten seconds, not a hundred.
    clock.tick(10)
    answers = at_once(
        *[lambda p=p, n=n: p.beat([[10, 20]], seq=2 + n) for n, p in enumerate(players)]
    )
    assert sum(answer["credited"] for _, answer in answers) == 10
    assert PlaybackSession.objects.get().credited == 20


def test_a_heartbeat_and_a_quiz_grade_completing_a_course_at_once_credit_once(world, clock):
    course = publish(world, lessons=2, lesson_quiz=QUIZ)
    first, second = lessons_of(course)
    player = Player(world.learner)
    # The first lesson watched, its quiz dealt; the second watched but its quiz passed first...
    player.start(second)
    player.watch(clock, 0, 150)
    status, attempt = player.post(f"/api/player/quizzes/{second.pk}/attempts", {})
    dealt = QuizAttempt.objects.get(pk=attempt["attempt"]).dealt
    right = {q["id"]: q["correct"] for q in dealt["questions"]}
    assert player.post(f"/api/player/attempts/{attempt['attempt']}", {"answers": right})[1][
        "lesson_complete"
    ]
    # ...and the first lesson's quiz passed before its last seconds are watched.
    player.start(first)
    player.watch(clock, 0, 140)
    progress = CourseProgress.objects.get()
    LessonProgress.objects.filter(course_progress=progress, lesson=first).update(frontier=150)
    status, attempt = player.post(f"/api/player/quizzes/{first.pk}/attempts", {})
    assert status == 201
    LessonProgress.objects.filter(course_progress=progress, lesson=first).update(frontier=140)
    dealt = QuizAttempt.objects.get(pk=attempt["attempt"]).dealt
    right = {q["id"]: q["correct"] for q in dealt["questions"]}
    grader = Player(world.learner)
    grader.session = player.session
    clock.tick(10)
    beat, graded = at_once(
        lambda: player.beat([[140, 150]]),
        lambda: grader.post(f"/api/player/attempts/{attempt['attempt']}", {"answers": right}),
    )
    assert beat[0] == 200 and graded[0] == 200
    assert beat[1]["course_complete"] or graded[1]["course_complete"]
    assert CreditEntry.objects.filter(learner=world.learner).count() == 1
    progress.refresh_from_db()
    assert progress.completed_at is not None and progress.credit_entry is not None


@pytest.mark.services
def test_a_learners_progress_lock_holds_up_no_one_else(world, clock):
    """PostgreSQL: the lock is on the learner's progress row only — not on the course's page
    rows, which every other learner's lock and every editor's publish also need."""
    require_env("DATABASE_URL")
    course = publish(world)
    other = LearnerFactory(username="another")
    holding, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            course_progress_locked(learner=world.learner, course=course, now=clock.now)
            holding.set()
            release.wait(timeout=30)
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            course_progress_locked(learner=other, course=course, now=clock.now)
            CoursePage.objects.filter(pk=course.pk).update(title="网络安全法律法规解读（修订）")
    finally:
        release.set()
        thread.join(timeout=30)
