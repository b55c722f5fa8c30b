"""The per-process copies the event loop's heartbeats read (a lesson's facts, the credit years'
rules) are read again beside their readers in the last seconds of their minute (config.memo): no
reader waits, none takes a database thread, and one read is asked for however many readers come
(the benchmark's once-a-minute stall: hundreds of heartbeats handed to six threads at once)."""

import asyncio
import time

import pytest
from django.db import connection

from config import memo
from courses import facts
from credits import api as credits_api

from .conftest import lessons_of


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_copies_near_their_minute_are_read_again_beside_their_readers(course, monkeypatch):
    lesson = lessons_of(course)[0]
    first = facts.lesson_facts(lesson.pk)
    credits_api.credit_year_rules(0)  # the credit years copied
    ran = []

    async def on_a_thread(function):
        ran.append(function)

        def call():
            try:
                function()
            finally:
                connection.close()

        await asyncio.to_thread(call)

    monkeypatch.setattr(memo, "runner", on_a_thread)
    near_the_end = time.monotonic() - (facts.LESSON_FACTS_TTL - 5)  # 55 s old: still good
    facts._facts[lesson.pk] = (near_the_end, first)
    credits_api._deadlines_memo["at"] = near_the_end

    async def readers():
        answers = []
        for _ in range(50):
            answers.append(facts.lesson_facts(lesson.pk, query=False))
            credits_api.credit_year_rules(0, query=False)  # never NotCopied: within the minute
        while memo._pending:
            await asyncio.sleep(0.01)
        return answers

    assert asyncio.run(readers()) == [first] * 50
    assert len(ran) == 2  # one read of each copy, for fifty readers
    assert time.monotonic() - facts._facts[lesson.pk][0] < 5  # read again
    assert time.monotonic() - credits_api._deadlines_memo["at"] < 5


def test_a_copy_past_its_minute_is_still_not_answered_from(course, monkeypatch):
    """Refreshing ahead never stretches the minute: past it, the loop hands the heartbeat on."""
    lesson = lessons_of(course)[0]
    first = facts.lesson_facts(lesson.pk)
    monkeypatch.setattr(memo, "runner", None)
    facts._facts[lesson.pk] = (time.monotonic() - facts.LESSON_FACTS_TTL - 1, first)
    with pytest.raises(memo.NotCopied):
        facts.lesson_facts(lesson.pk, query=False)
