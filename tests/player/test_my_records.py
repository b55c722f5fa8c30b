"""学习记录 (/my/records/): each of the learner's own sessions with the server's explanation —
what was credited and each stretch not credited with its reason — reachable from /my/."""

import pytest
from django.test import Client

from tests.factories import LearnerFactory

from .conftest import Player, lessons_of

pytestmark = pytest.mark.django_db


def test_my_records_explain_my_sessions_and_no_one_elses(world, course, clock):
    player = Player(world.learner)
    lesson = lessons_of(course)[0]
    player.start(lesson)
    player.watch(clock, 0, 30)
    clock.tick(10)
    assert player.beat([[30, 40]], visible=False)[0] == 200
    clock.tick(10)
    assert player.beat([[40, 50]], rate=2.0)[0] == 200

    area = player.client.get("/my/").content.decode()
    assert "/my/records/" in area and course.title in area
    page = player.client.get("/my/records/").content.decode()
    assert "本次计入观看时长 30 秒" in page
    assert "标签页不可见，未计学时" in page and "倍速播放（超过 1.0 倍），未计学时" in page
    assert lesson.title in page and "正在学习" in page

    # Another learner sees none of it.
    other = LearnerFactory(username="other")
    client = Client()
    client.force_login(other)
    page = client.get("/my/records/").content.decode()
    assert "还没有学习记录" in page and "标签页不可见" not in page
    # Anonymous: to the login page.
    response = Client().get("/my/records/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_records_page_by_page(world, course, clock):
    player = Player(world.learner)
    lesson = lessons_of(course)[0]
    for _ in range(21):
        player.start(lesson)
        clock.tick(5)
    first = player.client.get("/my/records/").content.decode()
    assert first.count("data-record=") == 20 and "第 1 / 2 页" in first
    second = player.client.get("/my/records/?p=2").content.decode()
    assert second.count("data-record=") == 1
    assert player.client.get("/my/records/?p=abc").status_code == 200  # the first page
