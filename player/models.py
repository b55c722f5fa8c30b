"""Watching and quizzes (DESIGN.md §4): what the server decided about a learner's study.

Storage stays small (a year of one learner's watching is a few hundred rows, not tens of
thousands): a session keeps its totals and its last answer; a refused stretch is one row per
merged run of the same reason; a passed attention check is a counter, a failed answer a row.
Progress is one row per learner and course (the lock every completion decides under) and one per
learner and lesson.
"""

import uuid

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    """Why (part of) a heartbeat earned nothing: the protocol's `reasons` codes."""

    SKIPPED_AHEAD = "skipped_ahead", _("跳过了尚未观看的部分")
    WALL_CLOCK = "wall_clock", _("上报的播放时长超过实际经过的时间")
    RATE = "rate", _("倍速播放（超过 1.0 倍）")
    HIDDEN = "hidden", _("标签页不可见")
    DUPLICATE = "duplicate", _("重复上报")
    CHALLENGE_PENDING = "challenge_pending", _("等待完成随机验证")


class EndReason(models.TextChoices):
    SUPERSEDED = "superseded", _("已在其他页面或设备开始学习")
    CHALLENGE_FAILED = "challenge_failed", _("随机验证连续答错三次")
    LESSON_UNAVAILABLE = "lesson_unavailable", _("课程已下架")


class LearnerPlayState(models.Model):
    """The learner's clock and attention checks, shared by all their sessions on every device.

    Every heartbeat is decided under a lock on this row. `credited_until` is the learner's last
    credited instant (DESIGN.md §4 `wall_clock`); the attention-check count and a pending check
    belong here, so a new session neither resets nor clears them."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="play_state",
    )
    credited_until = models.DateTimeField(null=True, blank=True)
    credited_since_check = models.FloatField(default=0.0)
    next_check_after = models.FloatField(default=0.0)  # seconds of credited time
    checks_passed = models.PositiveIntegerField(default=0)
    checks_failed = models.PositiveIntegerField(default=0)
    # The pending check, if any (one per learner).
    check_id = models.UUIDField(null=True, blank=True, unique=True)
    check_code = models.CharField(max_length=8, blank=True)
    check_issued_at = models.DateTimeField(null=True, blank=True)
    check_image_served = models.BooleanField(default=False)
    check_audio_served = models.BooleanField(default=False)
    check_wrong_answers = models.PositiveSmallIntegerField(default=0)
    check_last_answer_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("学员播放状态")
        verbose_name_plural = _("学员播放状态")

    def __str__(self) -> str:
        return f"学员 {self.learner_id} 的播放状态"

    @property
    def check_pending(self) -> bool:
        return self.check_id is not None


class PlaybackSession(models.Model):
    """One playback of one lesson, from start until superseded or ended. Its totals and its last
    answer (for retransmissions) live on the row; heartbeats themselves are not stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="playback_sessions"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.PROTECT, related_name="playback_sessions"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="playback_sessions"
    )
    year = models.ForeignKey(
        "credits.CreditYear", on_delete=models.PROTECT, related_name="playback_sessions"
    )
    duration = models.FloatField()  # the video's, when the session started
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    last_digest = models.CharField(max_length=64, blank=True)
    last_answer = models.JSONField(null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    heartbeats = models.PositiveIntegerField(default=0)
    heartbeats_ws = models.PositiveIntegerField(default=0)  # of them, over the websocket
    credited = models.FloatField(default=0.0)  # seconds credited in this session
    # The lesson's progress row, read with the session in a heartbeat's one locked read (null:
    # a session from before this column; the heartbeat then finds it by learner and lesson).
    lesson_progress = models.ForeignKey(
        "LessonProgress", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(ended_at__isnull=True),
                name="player_one_active_session_per_learner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} 课时的学习（{self.started_at:%Y-%m-%d %H:%M}）"

    @property
    def active(self) -> bool:
        return self.ended_at is None


class RefusedRun(models.Model):
    """A stretch of one session in which heartbeats earned nothing (or less than they claimed)
    for the same reason: consecutive heartbeats refused for one reason extend one row."""

    session = models.ForeignKey(PlaybackSession, on_delete=models.CASCADE, related_name="refused")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    heartbeats = models.PositiveIntegerField(default=1)
    seconds = models.FloatField(default=0.0)  # media time claimed and not credited

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}（{self.heartbeats} 次上报）"


class CheckFailure(models.Model):
    """A wrong answer to an attention check (passed checks are only counted)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_failures"
    )
    session = models.ForeignKey(
        PlaybackSession, on_delete=models.CASCADE, related_name="check_failures"
    )
    check_id = models.UUIDField()
    created_at = models.DateTimeField()
    ended_session = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"随机验证答错（{self.created_at:%Y-%m-%d %H:%M}）"


class FraudSignal(models.Model):
    """A suspicious pattern for reviewers (DESIGN.md §2 fraud): hours obtained by faking are not
    credited, and the pattern is kept for a person to look at."""

    class Kind(models.TextChoices):
        ATTENTION_CHECK = "attention_check", _("随机验证连续答错")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fraud_signals"
    )
    session = models.ForeignKey(
        PlaybackSession, on_delete=models.PROTECT, null=True, related_name="fraud_signals"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    detail = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("发生时间"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("异常学习提示")
        verbose_name_plural = _("异常学习提示")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.created_at:%Y-%m-%d %H:%M}）"

    @admin.display(description=_("学员"))
    def learner_label(self) -> str:
        """Name and masked ID number: what staff may see of a learner (DESIGN.md §5)."""
        learner = self.learner
        return f"{learner.real_name or learner.username} {learner.id_number_masked}".strip()


class CourseProgress(models.Model):
    """A learner's progress in a course: THE row every completion decides under (a lock on it),
    so a heartbeat and a quiz grade landing together complete the course once."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_progress"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="progress"
    )
    started_at = models.DateTimeField()
    last_lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    exam_passed_at = models.DateTimeField(null=True, blank=True)
    exam_rewatches = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    credit_entry = models.OneToOneField(
        "credits.CreditEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("课程学习进度")
        verbose_name_plural = _("课程学习进度")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="player_course_progress"),
        ]

    def __str__(self) -> str:
        return f"学员 {self.learner_id} 学习课程 {self.course_id}"


class LessonProgress(models.Model):
    """How far a learner has watched a lesson (`frontier`, from 0, sequentially), the time
    credited in it, where they stopped, and whether its quiz is passed."""

    course_progress = models.ForeignKey(
        CourseProgress, on_delete=models.CASCADE, related_name="lessons"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.PROTECT, related_name="progress"
    )
    frontier = models.FloatField(default=0.0)
    # Seconds credited in the lesson: the frontier's first extension, never more than the video
    # (watching again after failed quizzes moves the frontier, not this).
    credited = models.FloatField(default=0.0)
    position = models.FloatField(default=0.0)
    quiz_passed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    rewatches = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course_progress", "lesson"], name="player_lesson_progress"
            ),
        ]

    def __str__(self) -> str:
        return f"课时 {self.lesson_id}：已观看 {self.frontier:.0f} 秒"


class QuizAttempt(models.Model):
    """One attempt at a lesson's quiz or a course's exam: the questions as dealt (order, and the
    answer key, kept on the server) and, once submitted, the score."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    course_progress = models.ForeignKey(
        CourseProgress, on_delete=models.CASCADE, related_name="attempts"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(default=0)  # bumped when a rewatch gives new tries
    dealt = models.JSONField()  # [{"id", "kind", "question", "options": [...], "correct": [...]}]
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [models.Index(fields=["learner", "page", "round"])]

    def __str__(self) -> str:
        return f"测验作答（{self.started_at:%Y-%m-%d %H:%M}）"
