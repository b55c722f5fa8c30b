"""What a heartbeat needs of its lesson, from a per-process copy, without loading a page."""

import time
from dataclasses import dataclass

from wagtail.models import Page

from config import memo
from config.memo import NotCopied

from .models import CoursePage, LessonPage, Subject

LESSON_FACTS_TTL = 60.0  # s: a course withdrawn (or a video changed) in another process is seen
# within a minute; in this process at once (courses.signals forgets on publish and unpublish)


@dataclass(frozen=True)
class LessonFacts:
    lesson_id: int
    course_id: int
    live: bool  # the lesson and its course are both live
    duration: float  # the lesson's video's, now (player.progress measures watching against it)
    accounting: bool  # the course is of 会计专区 (its year turns a day later)


_facts: dict[int, tuple[float, LessonFacts | None]] = {}


def lesson_facts(lesson_id: int, *, query: bool = True) -> LessonFacts | None:
    """The lesson's facts from this process's copy, at most LESSON_FACTS_TTL old (one small
    query when older); None for no such lesson. With `query` false, never a query: NotCopied
    when the copy lacks the lesson or is too old (the socket's event loop, player.loop_db)."""
    now = time.monotonic()
    hit = _facts.get(lesson_id)
    if hit is not None and now - hit[0] < LESSON_FACTS_TTL:
        if not query and now - hit[0] >= LESSON_FACTS_TTL - memo.REFRESH_AHEAD:
            memo.refresh_ahead(("lesson", lesson_id), lambda: _facts_read(lesson_id))
        return hit[1]
    if not query:
        raise NotCopied(lesson_id)
    return _facts_read(lesson_id)


def _facts_read(lesson_id: int) -> LessonFacts | None:
    now = time.monotonic()
    row = (
        LessonPage.objects.filter(pk=lesson_id)
        .values_list("live", "path", "video__duration")
        .first()
    )
    facts = None
    if row is not None:
        course = (
            CoursePage.objects.filter(path=row[1][: -Page.steplen])
            .values_list("pk", "live", "subject")
            .first()
        )
        if course is not None:
            facts = LessonFacts(
                lesson_id=lesson_id,
                course_id=course[0],
                live=bool(row[0] and course[1]),
                duration=float(row[2] or 0.0),
                accounting=course[2] == Subject.ACCOUNTING,
            )
    _facts[lesson_id] = (now, facts)
    return facts


def lesson_facts_forget(**_kwargs) -> None:
    """Drop this process's copy (a course or lesson was published, withdrawn or moved)."""
    _facts.clear()
