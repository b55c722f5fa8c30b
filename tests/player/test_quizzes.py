"""Quiz attempts (课后测验, 结业考试) over the JSON API: dealt in random order without answers,
graded on the server, the attempt limit and the rule for running out enforced; a pass completes
the lesson and the course under the same lock as watching."""

import pytest

from courses.quiz import WhenExhausted
from credits.models import CreditEntry
from player.models import LessonProgress, QuizAttempt
from tests.factories import QUIZ
from tests.player.conftest import Player, lessons_of, publish

pytestmark = pytest.mark.django_db


def start(player, page) -> tuple[int, dict]:
    return player.post(f"/api/player/quizzes/{page.pk}/attempts", {})


def submit(player, attempt: dict, *, right: bool) -> tuple[int, dict]:
    """Answer every question, all right or all wrong, by reading the server's key (a test may)."""
    dealt = QuizAttempt.objects.get(pk=attempt["attempt"]).dealt
    answers = {}
    for question in dealt["questions"]:
        options = [o["id"] for o in question["options"]]
        wrong = [o for o in options if o not in question["correct"]][:1]
        answers[question["id"]] = question["correct"] if right else wrong
    return player.post(f"/api/player/attempts/{attempt['attempt']}", {"answers": answers})


@pytest.fixture
def quizzed(world):
    return publish(world, lesson_quiz=QUIZ)


def test_the_quiz_opens_after_the_video_and_a_pass_completes_the_course(
    world, quizzed, player, clock
):
    lesson = lessons_of(quizzed)[0]
    status, body = start(player, lesson)
    assert status == 409 and "观看" in body["error"]
    player.start(lesson)
    answer = player.watch(clock, 0, 150)
    assert answer["coverage"] == 1 and answer["complete"] is False  # the quiz is still to pass
    assert not CreditEntry.objects.exists()
    status, attempt = start(player, lesson)
    assert status == 201 and attempt["attempts_left"] == 2 and attempt["pass_mark"] == 60
    assert {q["question"] for q in attempt["questions"]} == {v["question"] for _k, v in QUIZ}
    text = str(attempt)
    assert "correct" not in text and "answer" not in text.replace("attempt", "")
    assert start(player, lesson) == (200, attempt)  # the open attempt, not a new one
    status, graded = submit(player, attempt, right=True)
    assert status == 200 and graded["passed"] is True and graded["score"] == 100
    assert graded["lesson_complete"] is True and graded["course_complete"] is True
    entry = CreditEntry.objects.get(learner=world.learner)
    assert entry.hours == quizzed.credit_hours
    status, body = submit(player, attempt, right=True)
    assert status == 409  # an attempt is graded once
    assert start(player, lesson)[0] == 409  # passed: no more attempts
    assert CreditEntry.objects.count() == 1


def test_options_and_questions_come_in_random_order(world, quizzed, player, clock):
    lesson = lessons_of(quizzed)[0]
    player.start(lesson)
    player.watch(clock, 0, 150)
    orders = set()
    for _ in range(12):
        status, attempt = start(player, lesson)
        orders.add(tuple(o["text"] for q in attempt["questions"] for o in q["options"]))
        QuizAttempt.objects.filter(pk=attempt["attempt"]).delete()  # deal again
    assert len(orders) > 1


def test_running_out_means_rewatching(world, quizzed, player, clock):
    lesson = lessons_of(quizzed)[0]
    player.start(lesson)
    player.watch(clock, 0, 150)
    for left in (2, 1, 0):
        status, attempt = start(player, lesson)
        assert status == 201
        status, graded = submit(player, attempt, right=False)
        assert graded["passed"] is False and graded["score"] == 0
        assert graded["attempts_left"] == left
    assert graded["rewatch_required"] is True and "重新观看" in graded["message"]
    item = LessonProgress.objects.get(lesson=lesson)
    assert item.frontier == 0 and item.rewatches == 1
    assert start(player, lesson)[0] == 409  # watch again first
    player.start(lesson)
    again = player.watch(clock, 0, 150)
    # Watching again opens the quiz but credits nothing new: never more than the video.
    assert again["credited"] == 0 and again["frontier"] == 150 and again["watched"] == 150
    assert LessonProgress.objects.get(lesson=lesson).credited == 150
    status, attempt = start(player, lesson)
    assert status == 201 and attempt["attempts_left"] == 2
    assert submit(player, attempt, right=True)[1]["course_complete"] is True


def test_running_out_can_close_the_quiz(world, player, clock):
    course = publish(world, lesson_quiz=QUIZ)
    lesson = lessons_of(course)[0]
    lesson.quiz_attempt_limit = 1
    lesson.quiz_when_exhausted = WhenExhausted.CLOSED
    lesson.save_revision().publish()
    player.start(lesson)
    player.watch(clock, 0, 150)
    status, attempt = start(player, lesson)
    status, graded = submit(player, attempt, right=False)
    assert graded["closed"] is True and graded["attempts_left"] == 0
    status, body = start(player, lesson)
    assert status == 409 and "联系施教机构" in body["error"]


def test_the_exam_comes_after_every_lesson_and_completes_the_course(world, player, clock):
    course = publish(world, lessons=2, exam=QUIZ)
    first, second = lessons_of(course)
    assert start(player, course)[0] == 409
    player.start(first)
    player.watch(clock, 0, 150)
    assert start(player, course)[0] == 409  # one lesson still to watch
    player.start(second)
    answer = player.watch(clock, 0, 150)
    assert answer["complete"] is True and answer["course_complete"] is False
    status, attempt = start(player, course)
    assert status == 201
    status, graded = submit(player, attempt, right=True)
    assert graded["course_complete"] is True and graded["lesson_complete"] is None
    assert CreditEntry.objects.filter(learner=world.learner, course=course).count() == 1


def test_someone_elses_attempt_and_bad_answers(world, quizzed, player, other_player, clock):
    lesson = lessons_of(quizzed)[0]
    player.start(lesson)
    player.watch(clock, 0, 150)
    status, attempt = start(player, lesson)
    url = f"/api/player/attempts/{attempt['attempt']}"
    assert other_player.post(url, {"answers": {}})[0] == 404
    assert player.post("/api/player/attempts/nonsense", {"answers": {}})[0] == 404
    question = attempt["questions"][0]
    for bad in [
        {},
        {"answers": []},
        {"answers": {"no-such-question": ["x"]}},
        {"answers": {question["id"]: ["no-such-option"]}},
        {"answers": {question["id"]: [1]}},
        {"answers": {question["id"]: [question["options"][0]["id"]] * 2}},
    ]:
        status, body = player.post(url, bad)
        assert status == 400 and body["error"], bad
    assert QuizAttempt.objects.get(pk=attempt["attempt"]).submitted_at is None
    # Unanswered questions are wrong, not an error.
    status, graded = player.post(url, {"answers": {}})
    assert status == 200 and graded["score"] == 0
    assert start(Player(world.a.editor), lesson)[0] == 403
    assert player.post("/api/player/quizzes/999999/attempts", {})[0] == 404
    assert player.post(f"/api/player/quizzes/{10**30}/attempts", {})[0] == 404


def test_the_pass_mark_is_not_rounded_up(world, player, clock):
    three = [*QUIZ, ("true_false", {"question": "个人信息可以随意公开。", "answer": "false"})]
    course = publish(world, lesson_quiz=three)
    lesson = lessons_of(course)[0]
    lesson.quiz_pass_mark = 67
    lesson.save_revision().publish()
    player.start(lesson)
    player.watch(clock, 0, 150)
    status, attempt = start(player, lesson)
    dealt = QuizAttempt.objects.get(pk=attempt["attempt"]).dealt["questions"]
    answers = {q["id"]: q["correct"] for q in dealt[:2]}  # two of three: 66.7 %
    status, graded = player.post(f"/api/player/attempts/{attempt['attempt']}", {"answers": answers})
    assert graded["score"] == 66 and graded["passed"] is False


def test_a_limit_lowered_mid_round_opens_the_rewatch_instead_of_a_dead_end(
    world, quizzed, player, clock
):
    lesson = lessons_of(quizzed)[0]
    player.start(lesson)
    player.watch(clock, 0, 150)
    status, attempt = start(player, lesson)
    submit(player, attempt, right=False)  # one of three used
    lesson.quiz_attempt_limit = 1
    lesson.save_revision().publish()
    status, body = start(player, lesson)
    assert status == 409 and "重新观看" in body["error"]
    assert LessonProgress.objects.get(lesson=lesson).frontier == 0  # the new round is open
    player.start(lesson)
    player.watch(clock, 0, 150)
    status, attempt = start(player, lesson)
    assert status == 201 and attempt["attempts_left"] == 0
    assert submit(player, attempt, right=True)[1]["passed"] is True
