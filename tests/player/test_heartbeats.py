"""The player protocol's heartbeats over HTTP (DESIGN.md §4): the server's clock decides."""

import datetime
import json

import pytest
from django.test import Client

from courses.models import LessonPage
from credits.models import CreditCategory, CreditEntry
from media.delivery import master_playlist_url
from player.models import CourseProgress, LessonProgress, PlaybackSession, RefusedRun
from tests.player.conftest import Player, lessons_of, publish

pytestmark = pytest.mark.django_db


def test_starting_a_session_answers_the_protocol(world, course, player, clock):
    lesson = lessons_of(course)[0]
    body = player.start(lesson)
    assert body["duration"] == 150.0
    assert body["resume_at"] == 0 and body["frontier"] == 0
    assert body["heartbeat_interval"] == world.year.heartbeat_interval_seconds == 10
    assert body["playlist"] == master_playlist_url(lesson.video)
    assert body["ws"] == f"/ws/player/{body['session']}/"
    assert body["challenge"] is None
    session = PlaybackSession.objects.get(pk=body["session"])
    assert session.learner == world.learner and session.lesson == lesson and session.active


def test_honest_watching_completes_the_lesson_and_writes_the_hours_once(
    world, course, player, clock
):
    lesson = lessons_of(course)[0]
    player.start(lesson)
    answer = player.watch(clock, 0, 140)
    assert answer["watched"] == 140 and answer["frontier"] == 140
    assert answer["complete"] is False and not CreditEntry.objects.exists()
    answer = player.watch(clock, 140, 145)  # 96.7 % of 150 s
    assert answer["complete"] is True and answer["course_complete"] is True
    assert answer["coverage"] == pytest.approx(145 / 150, abs=1e-3)
    entry = CreditEntry.objects.get(learner=world.learner)
    assert entry.hours == course.credit_hours and entry.category == CreditCategory.PUBLIC
    assert entry.course_id == course.pk and entry.source_key == f"course:{course.pk}"
    assert entry.year == world.year
    # Watching on, or again, writes nothing more.
    player.watch(clock, 145, 150)
    player.start(lesson)
    player.watch(clock, 0, 30)
    assert CreditEntry.objects.filter(learner=world.learner).count() == 1
    progress = CourseProgress.objects.get(learner=world.learner, course=course)
    assert progress.completed_at is not None and progress.credit_entry == entry


def test_a_replayed_heartbeat_gets_the_same_answer_and_credits_once(course, player, clock):
    player.start(lessons_of(course)[0])
    clock.tick(10)
    status, first = player.beat([[0, 10]])
    assert status == 200 and first["credited"] == 10
    clock.tick(10)
    again = player.beat([[0, 10]], seq=1)
    assert again == (200, first)
    changed = player.beat([[0, 20]], seq=1)  # the same seq with another body: old, ignored
    assert changed[1]["credited"] == 0 and changed[1]["reasons"] == ["duplicate"]
    assert changed[1]["frontier"] == 10
    assert LessonProgress.objects.get().frontier == 10


def test_seeking_ahead_earns_nothing_and_completes_nothing(course, player, clock):
    player.start(lessons_of(course)[0])
    clock.tick(10)
    status, answer = player.beat([[142.5, 150]], position=150)
    assert status == 200
    assert answer["credited"] == 0 and answer["reasons"] == ["skipped_ahead"]
    assert answer["frontier"] == 0 and answer["complete"] is False
    start = player.start(lessons_of(course)[0])
    assert start["resume_at"] == 0  # min(last position, frontier)


@pytest.mark.parametrize(
    ("change", "reason"), [({"rate": 2.0}, "rate"), ({"visible": False}, "hidden")]
)
def test_fast_playback_and_a_hidden_tab_earn_nothing(course, player, clock, change, reason):
    player.start(lessons_of(course)[0])
    clock.tick(10)
    status, answer = player.beat([[0, 10]], **change)
    assert status == 200 and answer["credited"] == 0 and answer["reasons"] == [reason]
    assert answer["frontier"] == 0


def test_claims_faster_than_the_clock_are_cut_to_the_clock(course, player, clock):
    player.start(lessons_of(course)[0])
    clock.tick(1)
    status, answer = player.beat([[0, 60]])  # 60 s of video in one second
    assert answer["credited"] == 1 and answer["reasons"] == ["wall_clock"]
    clock.tick(1)
    status, answer = player.beat([[0, 150]])
    assert answer["credited"] == 1 and answer["frontier"] == 2


def test_an_outage_of_two_minutes_loses_no_honest_time(course, player, clock):
    player.start(lessons_of(course)[0])
    player.watch(clock, 0, 20)
    clock.tick(120)  # offline: the player queues twelve heartbeats, then sends them at once
    credited = []
    for n in range(12):
        start = 20 + 10 * n
        status, answer = player.beat([[start, start + 10]])
        credited.append(answer["credited"])
    assert credited == [10] * 12 and answer["frontier"] == 140


def test_a_new_session_brings_no_free_time(course, player, clock):
    lesson = lessons_of(course)[0]
    player.start(lesson)
    clock.tick(3600)  # an hour with the page open but nothing played
    player.start(lesson)
    status, answer = player.beat([[0, 10]])
    assert answer["credited"] == 0 and answer["reasons"] == ["wall_clock"]
    clock.tick(10)
    assert player.beat([[0, 10]])[1]["credited"] == 10


def test_two_devices_credit_the_wall_time_once(world, player, clock):
    course = publish(world, lessons=2)
    first, second = lessons_of(course)
    phone = player
    player.start(first)
    phone_session = player.session
    laptop = Player(world.learner)
    player.watch(clock, 0, 60)
    laptop.start(second)  # supersedes the phone's session
    status, answer = laptop.beat([[0, 60]])  # claims time the phone already used
    assert answer["credited"] == 0
    phone.session = phone_session
    status, answer = phone.beat([[60, 70]])
    assert status == 409 and answer["reason"] == "superseded"
    clock.tick(10)
    assert laptop.beat([[0, 60]])[1]["credited"] == 10
    total = sum(PlaybackSession.objects.values_list("credited", flat=True))
    assert total == 70


def test_someone_elses_session_is_not_found(course, player, other_player, clock):
    player.start(lessons_of(course)[0])
    other_player.session = player.session
    clock.tick(10)
    assert other_player.beat([[0, 10]])[0] == 404
    status, _ = other_player.post(
        f"/api/player/sessions/{player.session}/challenge", {"id": "x", "answer": "1"}
    )
    assert status == 404
    response = other_player.client.get(f"/api/player/sessions/{player.session}/explanation")
    assert response.status_code == 404
    assert LessonProgress.objects.get().frontier == 0


GOOD = {"seq": 1, "position": 10, "played": [[0, 10]], "rate": 1.0, "visible": True}


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        '{"seq": 1, "position": NaN, "played": [], "rate": 1.0, "visible": true}',
        '{"seq": 1, "position": 1, "played": [[0, Infinity]], "rate": 1.0, "visible": true}',
        {**GOOD, "position": -1},
        {**GOOD, "position": 1e300},
        '{"seq": 1, "position": 1e400, "played": [], "rate": 1.0, "visible": true}',
        {**GOOD, "seq": 10**30},
        {**GOOD, "seq": 0},
        {**GOOD, "seq": "1"},
        {**GOOD, "seq": True},
        {**GOOD, "rate": 0},
        {**GOOD, "rate": "1"},
        {**GOOD, "visible": "yes"},
        {**GOOD, "played": [[10, 0]]},
        {**GOOD, "played": [[0, 1, 2]]},
        {**GOOD, "played": [[0, 1]] * 51},
        {**GOOD, "played": "0-10"},
        {k: v for k, v in GOOD.items() if k != "rate"},
        {**GOOD, "padding": "x" * 10_000},
        "[" * 5000 + "]" * 5000,
        '{"seq": 1, "position": 1' + "0" * 400 + ', "played": [], "rate": 1, "visible": true}',
        '{"seq": 1, "position": 1, "played": [[0, 1'
        + "0" * 400
        + ']], "rate": 1, "visible": true}',
        b"\xff\xfe",
    ],
)
def test_malformed_bodies_answer_400_and_change_nothing(course, player, clock, body):
    player.start(lessons_of(course)[0])
    clock.tick(10)
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    response = player.client.post(
        f"/api/player/sessions/{player.session}/heartbeat", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert LessonProgress.objects.get().frontier == 0
    assert PlaybackSession.objects.get().last_seq == 0


def test_no_body_field_makes_anything_complete(course, player, clock):
    player.start(lessons_of(course)[0])
    clock.tick(10)
    status, answer = player.beat(
        [], position=150, complete=True, coverage=1.0, watched=150, frontier=150, credited=150
    )
    assert status == 200 and answer["complete"] is False and answer["watched"] == 0
    assert not CreditEntry.objects.exists()


def test_refused_heartbeats_are_kept_as_merged_runs_and_explained(course, player, clock):
    player.start(lessons_of(course)[0])
    player.watch(clock, 0, 20)
    for n in range(3):
        clock.tick(10)
        player.beat([[20 + 10 * n, 30 + 10 * n]], visible=False)
    clock.tick(10)
    player.beat([[20, 30]])  # back in view: credited again
    clock.tick(10)
    player.beat([[30, 40]], rate=1.5)
    runs = list(RefusedRun.objects.order_by("started_at"))
    assert [(r.reason, r.heartbeats) for r in runs] == [("hidden", 3), ("rate", 1)]
    response = player.client.get(f"/api/player/sessions/{player.session}/explanation")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    explained = response.json()
    assert explained["credited"] == 30
    hidden = explained["not_credited"][0]
    assert hidden["reason"] == "hidden" and hidden["text"].endswith("标签页不可见，未计学时")
    assert "–" in hidden["text"] and hidden["seconds"] == 30
    assert "倍速播放" in explained["not_credited"][1]["text"]


def test_the_api_wants_a_logged_in_learner_and_a_live_lesson(world, course, client, clock):
    lesson = lessons_of(course)[0]
    response = client.post(
        "/api/player/sessions", {"lesson": lesson.pk}, content_type="application/json"
    )
    assert response.status_code == 401
    client.force_login(world.a.editor)  # staff, not a learner
    response = client.post(
        "/api/player/sessions", {"lesson": lesson.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    client.force_login(world.learner)
    draft = world.course()  # never published: its lesson is not live
    draft_lesson = LessonPage.objects.child_of(draft).first()
    for body, status in [
        ({"lesson": draft_lesson.pk}, 404),
        ({"lesson": 999999}, 404),
        ({"lesson": "1"}, 400),
        ({"lesson": 10**30}, 400),
        ({"lesson": True}, 400),
        ({}, 400),
    ]:
        response = client.post("/api/player/sessions", body, content_type="application/json")
        assert response.status_code == status, body


def test_posts_need_the_csrf_token(world, course):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.learner)
    response = browser.post(
        "/api/player/sessions",
        {"lesson": lessons_of(course)[0].pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not PlaybackSession.objects.exists()


def test_a_course_withdrawn_while_watching_ends_the_session(course, player, clock):
    player.start(lessons_of(course)[0])
    player.watch(clock, 0, 20)
    course.unpublish()
    clock.tick(10)
    status, body = player.beat([[20, 30]])
    assert status == 409 and body["reason"] == "lesson_unavailable" and "下架" in body["error"]
    assert LessonProgress.objects.get().frontier == 20
    assert player.beat([[20, 30]])[0] == 409
    lesson = LessonPage.objects.child_of(course).get()  # still live itself
    status, body = player.post("/api/player/sessions", {"lesson": lesson.pk})
    assert status == 404 and "下架" in body["error"]


def test_a_completion_after_the_deadline_counts_only_where_the_course_is_approved(
    world, course, player, clock
):
    """Dec 30 24:00 ends the year: finishing a course at 00:00:20 on Dec 31 counts for the next
    year, and only once the course is approved for that year (DESIGN.md §2)."""
    from zoneinfo import ZoneInfo

    from credits.services import credit_year_get_or_create

    year = world.year.year
    clock.now = datetime.datetime(year, 12, 30, 23, 57, tzinfo=ZoneInfo("Asia/Shanghai"))
    player.start(lessons_of(course)[0])
    player.watch(clock, 0, 140)
    clock.tick(60)  # past midnight
    status, answer = player.beat([[140, 150]])
    assert answer["credited"] == 10 and answer["complete"] is True
    assert answer["course_complete"] is False and not CreditEntry.objects.exists()
    next_year = credit_year_get_or_create(year=year + 1)
    course.credit_years.add(next_year)  # the course is approved for the next year too
    course.save()  # (parental many-to-many: written on save)
    clock.tick(10)
    status, answer = player.beat([])
    assert answer["course_complete"] is True
    assert CreditEntry.objects.get().year == next_year


def test_crediting_does_not_depend_on_the_channel_layer(
    world, course, player, clock, monkeypatch, django_capture_on_commit_callbacks
):
    """Redis (the channel layer) down: superseding and completing still work; only the push to
    the old page's socket is lost (its next heartbeat gets 409 anyway)."""

    class Down:
        async def group_send(self, *args, **kwargs):
            raise ConnectionError("redis is down")

    monkeypatch.setattr("player.realtime.get_channel_layer", lambda: Down())
    lesson = lessons_of(course)[0]
    with django_capture_on_commit_callbacks(execute=True):
        player.start(lesson)
        first = player.session
        player.start(lesson)  # supersedes the first: the push fails, the start does not
    answer = player.watch(clock, 0, 150)
    assert answer["course_complete"] is True and CreditEntry.objects.count() == 1
    player.session = first
    assert player.beat([[0, 10]])[0] == 409


def test_completion_is_measured_against_the_video_as_it_is_now(world, course, player, clock):
    """One rule, one duration (player.progress.watched_enough): a video re-processed shorter
    while a session is open completes the lesson on the heartbeat that reaches its coverage,
    and the answer's coverage is of that same duration."""
    lesson = lessons_of(course)[0]
    player.start(lesson)  # the session keeps 150 s, the duration at its start
    type(lesson.video).objects.filter(pk=lesson.video_id).update(duration=100.0)
    answer = player.watch(clock, 0, 90)
    assert answer["complete"] is False
    assert answer["coverage"] == pytest.approx(0.9, abs=1e-3)
    answer = player.watch(clock, 90, 96)  # 96 % of the video now, 64 % of the session's copy
    assert answer["complete"] is True and answer["course_complete"] is True
    assert CreditEntry.objects.filter(learner=world.learner, course=course).count() == 1
