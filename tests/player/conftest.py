"""The player's world: a live course of the course tests' world, a learner logged in, and a
clock the tests move (the server's clock is the only one crediting reads)."""

import datetime
import json

import pytest
from django.utils import timezone

from courses.models import LessonPage
from credits.api import deadlines_forget
from credits.models import CreditYear
from media.api import VideoStatus, video_asset_ingest
from tests.clients import SiteClient
from tests.courses.conftest import world  # noqa: F401
from tests.factories import LearnerFactory
from tests.media.conftest import make_clip


class Clock:
    """The server's clock in tests: stands still until moved."""

    def __init__(self):
        self.now = timezone.now().replace(microsecond=0)

    def __call__(self):
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    value = Clock()
    monkeypatch.setattr("player.clock.now", value)
    return value


def publish(world, *, lessons=1, lesson_quiz=None, exam=None, **fields):
    """A live course (published without the workflow: the player reads live pages only)."""
    course = world.course(lessons=lessons, **fields)
    if exam is not None:
        course = course.get_latest_revision_as_object()
        course.quiz_questions = exam
        course.save_revision()
    course.get_latest_revision().publish()
    for lesson in LessonPage.objects.child_of(course):
        lesson = lesson.get_latest_revision_as_object()
        if lesson_quiz is not None:
            lesson.quiz_questions = lesson_quiz
        lesson.save_revision().publish()
    course.refresh_from_db()
    return course


def heartbeat_limit_set(world, per_interval: int) -> None:
    """The year's heartbeat messages per interval (every process reads it within a minute; the
    tests' process at once)."""
    CreditYear.objects.filter(pk=world.year.pk).update(heartbeat_messages_per_interval=per_interval)
    deadlines_forget()


def lessons_of(course) -> list[LessonPage]:
    return list(LessonPage.objects.live().child_of(course))


class Player:
    """A learner's browser speaking the protocol over HTTP."""

    def __init__(self, user):
        self.user = user
        self.client = SiteClient()  # the player API through its own stack, as served
        self.client.force_login(user)
        self.session = None
        self.seq = 0

    def post(self, path: str, body) -> tuple[int, dict]:
        raw = body if isinstance(body, str | bytes) else json.dumps(body)
        response = self.client.post(path, raw, content_type="application/json")
        return response.status_code, response.json()

    def start(self, lesson) -> dict:
        status, body = self.post("/api/player/sessions", {"lesson": lesson.pk})
        assert status == 201, body
        self.session, self.seq = body["session"], 0
        return body

    def beat(self, played, *, position=None, rate=1.0, visible=True, seq=None, **extra):
        """One heartbeat (the next seq unless given); (status, answer)."""
        if seq is None:
            self.seq += 1
            seq = self.seq
        if position is None:
            position = played[-1][1] if played else 0.0
        body = {
            "seq": seq,
            "position": position,
            "played": [list(r) for r in played],
            "rate": rate,
            "visible": visible,
            **extra,
        }
        return self.post(f"/api/player/sessions/{self.session}/heartbeat", body)

    def watch(self, clock, start: float, end: float, step: float = 10.0) -> dict:
        """Watch honestly from `start` to `end`: the clock moves as the video plays."""
        answer = None
        position = start
        while position < end:
            upto = min(end, position + step)
            clock.tick(upto - position)
            status, answer = self.beat([[position, upto]])
            assert status == 200, answer
            position = upto
        return answer


@pytest.fixture
def course(world):
    return publish(world)


@pytest.fixture
def player(world):
    return Player(world.learner)


@pytest.fixture
def other_player(db):
    from django.contrib.auth.models import Group

    other = LearnerFactory(username="other_learner")
    other.groups.add(Group.objects.get(name="学员"))
    return Player(other)


CLIP_SECONDS = 8


@pytest.fixture
def local_storage(settings, tmp_path):
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clip_video(world, local_storage, tmp_path):
    """A real 8 s clip of institution a, transcoded; heartbeats every 2 s (the year's rule,
    lowered for the test)."""
    clip = make_clip(tmp_path / "lesson.mp4", seconds=CLIP_SECONDS)
    video = video_asset_ingest(
        institution=world.a.organisation,
        title="示范讲座（测试）",
        original_name="lesson.mp4",
        created_by=world.a.editor,
        data=clip.read_bytes(),
    )
    assert video.status == VideoStatus.READY, video.failure_reason
    CreditYear.objects.filter(pk=world.year.pk).update(heartbeat_interval_seconds=2)
    deadlines_forget()
    return video
