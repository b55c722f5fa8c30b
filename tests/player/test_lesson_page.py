"""The lesson page as a learner reads it: the course's lessons, each with its state (未开始 /
学习中 x% / 已完成) and the next one to continue, from the learner's own progress only."""

import re

import pytest

from tests.player.conftest import lessons_of, publish

pytestmark = pytest.mark.django_db


def states(html: str) -> list[str]:
    return re.findall(r"<span class=\"badge\" data-lesson-state[^>]*>([^<]+)</span>", html)


def test_each_lesson_says_where_the_learner_is(world, player, other_player, clock):
    course = publish(world, lessons=3)
    first, second, third = lessons_of(course)
    player.start(first)
    player.watch(clock, 0, 145)  # complete (96.7 % of 150 s)
    player.start(second)
    player.watch(clock, 0, 60)  # 40 %
    html = player.client.get(third.url).content.decode()
    assert states(html) == ["已完成", "学习中 40%", "未开始"]
    assert "观看时长自动计入学时" in html
    continue_link = re.search(r'<a class="button button--small" href="([^"]+)">继续学习</a>', html)
    assert continue_link and continue_link.group(1) == second.url
    # Another learner's page shows their own (nothing), not this learner's.
    theirs = other_player.client.get(third.url).content.decode()
    assert states(theirs) == ["未开始", "未开始", "未开始"]
