"""The course page's button for a logged-in learner: 开始学习, then 继续学习 at the first lesson
not yet complete, then 复习课程 once the course is complete (its hours written)."""

import pytest

from tests.player.conftest import lessons_of, publish

pytestmark = pytest.mark.django_db


def button(client, course) -> str:
    html = client.get(course.url).content.decode()
    start = html.index('<a class="button"', html.index("course__facts"))
    return html[start : html.index("</p>", start)]


def test_start_then_continue_then_review(world, player, clock):
    course = publish(world, lessons=2)
    first, second = lessons_of(course)
    client = player.client
    shown = button(client, course)
    assert "开始学习" in shown and f'href="{first.url}"' in shown
    player.start(first)
    player.watch(clock, 0, 60)
    shown = button(client, course)
    assert "继续学习" in shown and f'href="{first.url}"' in shown
    player.watch(clock, 60, 150)
    shown = button(client, course)
    assert "继续学习" in shown and f'href="{second.url}"' in shown  # the first is complete
    player.start(second)
    player.watch(clock, 0, 150)
    shown = button(client, course)
    assert "复习课程" in shown and "已完成，学时已记入" in shown


def test_another_learners_progress_is_not_shown(world, player, other_player, clock):
    course = publish(world)
    player.start(lessons_of(course)[0])
    player.watch(clock, 0, 150)
    assert "开始学习" in button(other_player.client, course)
