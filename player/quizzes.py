"""Quiz attempts (课后测验, 结业考试): dealt in random order without answers, graded on the server.

An attempt keeps what it dealt (questions, options, and the answer key, server-side only), so a
quiz edited and re-approved while someone is answering grades them against what they saw. A
lesson's quiz opens once its video is watched to the year's coverage; the exam once every lesson
is complete. The attempt limit counts per round; when it runs out the course's rule applies:
`rewatch` starts the watching over (a new round), `closed` ends it (the institution must help).
"""

import random
import uuid

from django.db import transaction
from wagtail.models import Page

from courses.api import (
    CoursePage,
    LessonPage,
    WhenExhausted,
    course_live_lessons,
    course_study_refusal,
)

from . import clock
from .models import QuizAttempt
from .progress import (
    completion_year_get_or_create,
    course_counts_in,
    course_progress_locked,
    credit_summary,
    lesson_progress,
    progress_settle,
    watched_enough,
    year_refusal,
)
from .protocol import ProtocolError, malformed, page_id_valid

_random = random.SystemRandom()


def _deal(page) -> dict:
    questions = []
    for public, review in zip(
        page.quiz_public_questions(), page.quiz_review_questions(), strict=True
    ):
        options = [{"id": o["id"], "text": o["text"]} for o in public["options"]]
        _random.shuffle(options)
        questions.append(
            {
                "id": public["id"],
                "kind": public["kind"],
                "kind_label": public["kind_label"],
                "question": public["question"],
                "options": options,
                "correct": sorted(o["id"] for o in review["options"] if o["correct"]),
            }
        )
    _random.shuffle(questions)
    return {
        "questions": questions,
        "pass_mark": page.quiz_pass_mark,
        "limit": page.quiz_attempt_limit,
        "when_exhausted": page.quiz_when_exhausted,
    }


def _public(dealt: dict) -> list[dict]:
    return [{k: v for k, v in q.items() if k != "correct"} for q in dealt["questions"]]


def _quiz_page(page_id: int):
    if not page_id_valid(page_id):
        raise ProtocolError(404, "该测验不存在")
    page = Page.objects.live().filter(pk=page_id).first()
    page = page.specific if page is not None else None
    if not isinstance(page, LessonPage | CoursePage) or not page.has_quiz:
        raise ProtocolError(404, "该测验不存在")
    course = page if isinstance(page, CoursePage) else page.course
    if not course.live:
        raise ProtocolError(404, "该测验不存在")
    return page, course


def _round_and_gate(page, course, progress, now) -> int:
    """The current round of `page`'s quiz for this learner, or 409 if it is not open yet."""
    year = completion_year_get_or_create(course, now)
    if isinstance(page, LessonPage):
        item = lesson_progress(progress, page)
        if item.quiz_passed_at is not None:
            raise ProtocolError(409, "本讲测验已通过")
        if not watched_enough(item, page, year):
            raise ProtocolError(
                409, f"请先观看本讲视频（至少 {int(year.completion_coverage * 100)}%）再参加测验"
            )
        return item.rewatches
    if progress.exam_passed_at is not None:
        raise ProtocolError(409, "结业考试已通过")
    progress_settle(progress, now=now)
    items = {item.lesson_id: item for item in progress.lessons.all()}
    for lesson in course_live_lessons(course):
        item = items.get(lesson.pk)
        if item is None or item.completed_at is None or not watched_enough(item, lesson, year):
            raise ProtocolError(409, "请先学完全部课时再参加结业考试")
    return progress.exam_rewatches


def attempt_start(*, learner, page_id: int) -> tuple[int, dict]:
    """Deal an attempt (201), or give back the one still open (200)."""
    page, course = _quiz_page(page_id)
    not_allowed = course_study_refusal(learner, course)
    if not_allowed is not None:
        raise ProtocolError(403, not_allowed)
    now = clock.now()
    year = completion_year_get_or_create(course, now)
    if not course_counts_in(course, year):
        raise ProtocolError(409, year_refusal(year))
    refusal = None
    with transaction.atomic():
        progress = course_progress_locked(learner=learner, course=course, now=now)
        round_ = _round_and_gate(page, course, progress, now)
        attempts = QuizAttempt.objects.filter(learner=learner, page_id=page.pk, round=round_)
        limit = page.quiz_attempt_limit
        used = attempts.count()
        status = 200
        attempt = attempts.filter(submitted_at__isnull=True).first()
        if attempt is None and used >= limit:
            # Run out under rules changed since the last grade (a lower limit, or `closed`
            # turned `rewatch`): apply today's rule now, so nobody is left stuck.
            refusal = _exhausted_message(page.quiz_when_exhausted)
            if page.quiz_when_exhausted == WhenExhausted.REWATCH:
                _rewatch_round(page, progress)
        elif attempt is None:
            attempt = QuizAttempt.objects.create(
                learner=learner,
                course_progress=progress,
                page_id=page.pk,
                round=round_,
                dealt=_deal(page),
                started_at=now,
            )
            used += 1
            status = 201
    if refusal is not None:
        raise ProtocolError(409, refusal)
    return status, {
        "attempt": str(attempt.pk),
        "questions": _public(attempt.dealt),
        "pass_mark": attempt.dealt["pass_mark"],
        "attempts_left": max(0, limit - used),
    }


def _answers(data: dict, dealt: dict) -> dict[str, set[str]]:
    raw = data.get("answers")
    if not isinstance(raw, dict):
        raise malformed("answers 应为 {题目编号: [选项编号, …]}")
    questions = {q["id"]: q for q in dealt["questions"]}
    answers = {}
    for question_id, chosen in raw.items():
        question = questions.get(question_id)
        if question is None:
            raise malformed("answers 中有不属于本次测验的题目")
        if isinstance(chosen, str):
            chosen = [chosen]
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            raise malformed("每题的答案应为选项编号的列表")
        options = {o["id"] for o in question["options"]}
        if not set(chosen) <= options or len(chosen) != len(set(chosen)):
            raise malformed("答案中有不属于该题的选项")
        answers[question_id] = set(chosen)
    return answers


def attempt_submit(*, learner, attempt_id, data: dict) -> tuple[int, dict]:
    """Grade an attempt; on a pass the quiz is passed, and the lesson and the course complete
    if everything else is done (under the lock on the course's progress)."""
    try:
        key = uuid.UUID(str(attempt_id))
    except ValueError:
        raise ProtocolError(404, "作答记录不存在") from None
    found = QuizAttempt.objects.filter(pk=key, learner=learner).select_related(
        "course_progress__course"
    )
    attempt = found.first()
    if attempt is None:
        raise ProtocolError(404, "作答记录不存在")
    now = clock.now()
    with transaction.atomic():
        progress = course_progress_locked(
            learner=learner, course=attempt.course_progress.course, now=now
        )
        attempt = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.submitted_at is not None:
            raise ProtocolError(409, "本次作答已提交，请重新开始作答")
        dealt = attempt.dealt
        answers = _answers(data, dealt)
        right = sum(
            1 for q in dealt["questions"] if answers.get(q["id"], set()) == set(q["correct"])
        )
        total = len(dealt["questions"])
        score = 100 * right // total if total else 0  # floored: 57.5 is not 58
        passed = total > 0 and right * 100 >= dealt["pass_mark"] * total
        attempt.submitted_at = now
        attempt.answers = {k: sorted(v) for k, v in answers.items()}
        attempt.score = score
        attempt.passed = passed
        attempt.save(update_fields=["submitted_at", "answers", "score", "passed"])
        page = attempt.page.specific
        used = QuizAttempt.objects.filter(
            learner=learner, page_id=attempt.page_id, round=attempt.round
        ).count()
        # The live page's rules (the same ones attempt_start applies).
        attempts_left = max(0, page.quiz_attempt_limit - used)
        rewatch = closed = False
        if passed and isinstance(page, LessonPage):
            item = lesson_progress(progress, page)
            item.quiz_passed_at = now
            item.save(update_fields=["quiz_passed_at"])
        elif passed:
            progress.exam_passed_at = now
            progress.save(update_fields=["exam_passed_at"])
        elif attempts_left == 0 and page.quiz_when_exhausted == WhenExhausted.REWATCH:
            rewatch = True
            _rewatch_round(page, progress)
        elif attempts_left == 0:
            closed = True
        course_complete = progress_settle(progress, now=now)
        lesson_complete = None
        if isinstance(page, LessonPage):
            lesson_complete = lesson_progress(progress, page).completed_at is not None
    payload = {
        "attempt": str(attempt.pk),
        "score": score,
        "correct": right,
        "total": total,
        "pass_mark": dealt["pass_mark"],
        "passed": passed,
        "attempts_left": attempts_left,
        "rewatch_required": rewatch,
        "closed": closed,
        "lesson_complete": lesson_complete,
        "course_complete": course_complete,
        "credit": credit_summary(progress) if course_complete else None,
    }
    if rewatch:
        payload["message"] = _exhausted_message(WhenExhausted.REWATCH)
    elif closed:
        payload["message"] = _exhausted_message(WhenExhausted.CLOSED)
    return 200, payload


def _rewatch_round(page, progress) -> None:
    """Attempts ran out under `rewatch`: the lesson (for the exam, every lesson) is to be
    watched again from the start, which opens a new round of attempts. Watching it again
    moves the frontier but credits nothing new (LessonProgress.credited)."""
    if isinstance(page, LessonPage):
        items = [lesson_progress(progress, page)]
        items[0].rewatches += 1
    else:
        items = list(progress.lessons.all())
        progress.exam_rewatches += 1
        progress.save(update_fields=["exam_rewatches"])
    for item in items:
        item.frontier = item.position = 0.0
        item.save(update_fields=["frontier", "position", "rewatches"])


def _exhausted_message(rule: str) -> str:
    if rule == WhenExhausted.REWATCH:
        return "作答次数已用完：请重新观看视频，看完后可获得新的作答次数"
    return "作答次数已用完，不能再作答，请联系施教机构"
