"""The lesson player in Debian's Chromium against the real ASGI server (channel layer in use): a
learner plays a short lesson at 1x, answers the attention check from its image, and the lesson
and course complete with their 学时 in the ledger; with websockets blocked the same over HTTP;
a second tab supersedes the first. Screenshots on a 360 px wide screen are kept in
var/screenshots/."""

from urllib.parse import quote, unquote

import pytest
from playwright.sync_api import expect

from credits.models import CreditEntry
from player.models import LearnerPlayState, PlaybackSession, QuizAttempt
from tests.browser import PHONE, log_in, play, shot
from tests.factories import QUIZ
from tests.player.conftest import CLIP_SECONDS, lessons_of, publish

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# A websocket that can never open: what a proxy or a network that drops websockets does.
NO_WEBSOCKETS = """
window.WebSocket = class {
  constructor() { setTimeout(() => this.onclose && this.onclose({ code: 1006 }), 10); }
  send() {}
  close() {}
};
"""


@pytest.fixture
def lesson_course(world, clip_video):
    """A live course of two lessons of the clip."""
    return publish(world, lessons=2, video=clip_video)


@pytest.fixture
def quiz_course(world, clip_video):
    """The same with a quiz after each lesson."""
    return publish(world, lessons=2, video=clip_video, lesson_quiz=QUIZ)


def pass_quiz(page, learner, lesson):
    """Take the lesson's quiz in the page, ticking the right options (the test reads them from
    the attempt the server dealt)."""
    quiz = page.locator("[data-quiz]")
    quiz.get_by_role("button", name="开始测验").click()
    expect(quiz.locator("[data-quiz-form]")).to_be_visible()
    attempt = QuizAttempt.objects.get(learner=learner, page_id=lesson.pk, submitted_at=None)
    for question in attempt.dealt["questions"]:
        for option in question["correct"]:
            quiz.locator(f'input[name="q-{question["id"]}"][value="{option}"]').check()
    quiz.get_by_role("button", name="提交答卷").click()
    expect(quiz.locator("[data-quiz-result]")).to_contain_text("测验通过")
    return quiz


def test_a_learner_earns_the_hours_of_a_course_over_the_websocket(
    world, quiz_course, asgi_server, browser_page
):
    page = browser_page
    page.set_viewport_size(PHONE)
    LearnerPlayState.objects.create(learner=world.learner, next_check_after=3.0)
    log_in(page, asgi_server, world.learner)
    first, second = lessons_of(quiz_course)
    page.goto(first.url)
    expect(page.get_by_text("点击播放开始学习")).to_be_visible()
    # The quiz opens only once the lesson is watched far enough, and the page says so.
    page.get_by_role("button", name="开始测验").click()
    expect(page.locator("[data-quiz-message]")).to_contain_text("请先观看本讲视频")
    play(page)

    # After 3 s of credited watching the attention check arrives: the video stops for it.
    dialog = page.locator("[data-player-challenge]")
    expect(dialog).to_be_visible(timeout=20_000)
    expect(dialog.get_by_role("heading", name="随机验证")).to_be_visible()
    assert page.locator("video").evaluate("video => video.paused")
    shot(page, "player-check-360")
    code = LearnerPlayState.objects.get(learner=world.learner).check_code  # the test may
    dialog.get_by_label("验证码").fill(code)
    dialog.get_by_role("button", name="提交").click()
    expect(dialog).to_be_hidden()

    progress = page.locator("[data-player-progress]")
    expect(progress).to_contain_text("已观看 9", timeout=30_000)  # 95 % or more
    for hidden in ("在本页继续学习", "回到上次看到的位置"):  # nothing ended, nothing skipped
        expect(page.get_by_role("button", name=hidden)).to_be_hidden()
    expect(page.get_by_role("link", name="重新登录")).to_be_hidden()
    page.wait_for_timeout(2500)  # the heartbeat of the video's end
    quiz = pass_quiz(page, world.learner, first)
    expect(quiz.locator("[data-quiz-result]")).to_contain_text("本讲已完成")
    expect(page.locator("[data-lesson-state-current]")).to_have_text("已完成")
    shot(page, "player-quiz-passed-360")
    session = PlaybackSession.objects.get(learner=world.learner, lesson=first)
    assert session.heartbeats > 0 and session.heartbeats_ws == session.heartbeats
    assert page.locator("[data-lesson-player]").get_attribute("data-transport") == "ws"

    # The second lesson and its quiz complete the course: its 学时 are in the ledger once.
    page.goto(second.url)
    expect(page.locator("[data-lesson-state]").first).to_have_text("已完成")
    play(page)
    expect(progress).to_contain_text("已观看 9", timeout=30_000)
    page.wait_for_timeout(2500)
    quiz = pass_quiz(page, world.learner, second)
    result = quiz.locator("[data-quiz-result]")
    expect(result).to_contain_text("本课程已全部学完")
    expect(result).to_contain_text(f"{world.year.year} 年度公需科目已记入 2.0 学时")
    entry = CreditEntry.objects.get(learner=world.learner, course=quiz_course)
    assert entry.hours == quiz_course.credit_hours
    page.get_by_role("button", name="本次学习记录").click()
    expect(page.locator("[data-player-explanation]")).to_contain_text("本次计入观看时长")
    shot(page, "player-course-complete-360")

    # 学时查询 shows them: the public meter, the ledger's line.
    page.goto("/my/hours/")
    expect(page.locator('[data-meter="public"]')).to_contain_text("2.0")
    expect(page.locator("[data-entries]")).to_contain_text(quiz_course.title)
    shot(page, "my-hours-360")
    # The one error is the quiz opened too early (409, asked for above); no CSP or script error.
    assert [e for e in page.console_errors if "409 (Conflict)" not in e] == []


def test_with_websockets_blocked_the_heartbeats_go_over_http(
    world, lesson_course, asgi_server, browser_page
):
    page = browser_page
    page.add_init_script(NO_WEBSOCKETS)
    log_in(page, asgi_server, world.learner)
    first = lessons_of(lesson_course)[0]
    page.goto(first.url)
    play(page)
    expect(page.locator(".player-status")).to_contain_text("本讲已完成", timeout=30_000)
    session = PlaybackSession.objects.get(learner=world.learner, lesson=first)
    assert session.heartbeats > 0 and session.heartbeats_ws == 0
    assert page.locator("[data-lesson-player]").get_attribute("data-transport") == "http"


def test_a_second_tab_supersedes_the_first(world, lesson_course, asgi_server, browser_page):
    page = browser_page
    log_in(page, asgi_server, world.learner)
    first, second = lessons_of(lesson_course)
    page.goto(first.url)
    play(page)
    expect(page.locator("[data-player-progress]")).to_contain_text("已观看", timeout=20_000)

    other = page.context.new_page()
    other.goto(second.url)
    play(other)
    ended = page.locator("[data-player-ended]")
    expect(ended).to_have_text("您已在其他页面或设备上继续学习，本页已停止计时。", timeout=20_000)
    assert page.locator("video").evaluate("video => video.paused")
    shot(page, "player-superseded")
    # Continuing here starts a new session, which supersedes the other tab in turn.
    page.get_by_role("button", name="在本页继续学习").click()
    expect(other.locator("[data-player-ended]")).to_be_visible(timeout=20_000)
    assert PlaybackSession.objects.filter(learner=world.learner).count() == 3


# The page's visibility, as the test sets it (headless Chromium is always "visible").
VISIBILITY = """
Object.defineProperty(document, "visibilityState", {
  configurable: true, get: () => window.__visibility || "visible",
});
window.__setVisibility = (value) => {
  window.__visibility = value;
  document.dispatchEvent(new Event("visibilitychange"));
};
"""


def test_a_hidden_tab_and_double_speed_earn_nothing_and_the_page_says_why(
    world, lesson_course, asgi_server, browser_page
):
    page = browser_page
    page.add_init_script(VISIBILITY)
    log_in(page, asgi_server, world.learner)
    first = lessons_of(lesson_course)[0]
    page.goto(first.url)
    page.evaluate("() => window.__setVisibility('hidden')")
    play(page)
    notice = page.locator("[data-player-notice]")
    expect(notice).to_contain_text("页面不在前台", timeout=20_000)
    page.evaluate("() => window.__setVisibility('visible')")
    page.locator("video").evaluate("video => { video.playbackRate = 2; }")
    expect(notice).to_contain_text("倍速播放（超过 1.0 倍）不计入学时", timeout=20_000)
    page.wait_for_function("() => document.querySelector('video').ended", timeout=20_000)
    page.wait_for_timeout(2500)  # the last heartbeat's answer
    session = PlaybackSession.objects.get(learner=world.learner, lesson=first)
    assert session.credited == 0
    assert {run.reason for run in session.refused.all()} >= {"hidden", "rate"}
    assert not CreditEntry.objects.filter(learner=world.learner).exists()


def test_an_outage_of_half_a_minute_loses_no_credited_time(
    world, lesson_course, asgi_server, browser_page
):
    """Heartbeats over HTTP (websockets blocked) fail for 30 s mid-lesson while the video plays
    on from its buffer: they wait in the page and go, in order, when the network returns."""
    page = browser_page
    page.add_init_script(NO_WEBSOCKETS)
    log_in(page, asgi_server, world.learner)
    first = lessons_of(lesson_course)[0]
    page.goto(first.url)
    play(page)
    expect(page.locator("[data-player-progress]")).to_contain_text("已观看", timeout=20_000)
    page.route(
        "**/api/player/sessions/*/heartbeat", lambda route: route.abort("internetdisconnected")
    )
    page.wait_for_function("() => document.querySelector('video').ended", timeout=30_000)
    session = PlaybackSession.objects.get(learner=world.learner, lesson=first)
    during = session.credited
    assert during < CLIP_SECONDS * 0.9  # most of the lesson was watched while offline
    page.wait_for_timeout(30_000 - 8_000)
    page.unroute("**/api/player/sessions/*/heartbeat")
    expect(page.locator(".player-status")).to_contain_text("本讲已完成", timeout=30_000)
    session.refresh_from_db()
    assert session.credited >= CLIP_SECONDS * 0.95 - 0.5


def test_a_moment_in_another_tab_costs_only_that_moment(
    world, lesson_course, asgi_server, browser_page
):
    """What was watched before the switch is reported as watched in view; the moment away is
    not credited; the way back to the frontier then earns again until the lesson completes."""
    page = browser_page
    page.add_init_script(VISIBILITY)
    log_in(page, asgi_server, world.learner)
    first = lessons_of(lesson_course)[0]
    page.goto(first.url)
    play(page)
    page.wait_for_function("() => document.querySelector('video').currentTime > 3", timeout=20_000)
    page.evaluate("() => window.__setVisibility('hidden')")
    page.wait_for_timeout(1200)
    page.evaluate("() => window.__setVisibility('visible')")
    back = page.get_by_role("button", name="回到上次看到的位置")
    expect(back).to_be_visible(timeout=20_000)  # the seconds away left a gap to watch again
    session = PlaybackSession.objects.get(learner=world.learner, lesson=first)
    assert session.credited >= 2.5  # the seconds before the switch counted
    back.click()
    expect(page.locator(".player-status")).to_contain_text("本讲已完成", timeout=30_000)


@pytest.mark.parametrize("transport", ["ws", "http"])
def test_an_ended_login_says_so_and_leads_back_to_this_lesson(
    world, lesson_course, asgi_server, browser_page, transport
):
    """The login ends mid-lesson (退出 in another tab): the socket is told at once (4401), over
    HTTP the next heartbeat is refused (401); the page says so and links to the login page,
    which returns to this lesson."""
    page = browser_page
    if transport == "http":
        page.add_init_script(NO_WEBSOCKETS)
    log_in(page, asgi_server, world.learner)
    first = lessons_of(lesson_course)[0]
    page.goto(first.url)
    play(page)
    expect(page.locator("[data-player-progress]")).to_contain_text("已观看", timeout=20_000)
    assert page.locator("[data-lesson-player]").get_attribute("data-transport") == transport
    other = page.context.new_page()
    other.goto("/my/")
    other.get_by_role("button", name="退出").click()
    expect(other.get_by_role("link", name="登录", exact=True)).to_be_visible()
    ended = page.locator("[data-player-ended]")
    expect(ended).to_contain_text("登录已过期，请重新登录后继续学习", timeout=20_000)
    login = page.get_by_role("link", name="重新登录")
    expect(login).to_be_visible()
    assert login.get_attribute("href") == f"/accounts/login/?next={quote(unquote(first.url))}"
    assert page.locator("video").evaluate("video => video.paused")
    shot(page, f"player-login-ended-{transport}")
