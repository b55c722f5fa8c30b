"""The learner's explanation of a session, in plain Chinese (DESIGN.md §4: "the learner can see,
per session, what was not credited and why")."""

from django.utils import timezone

from .models import EndReason, PlaybackSession, Reason

_NOT_CREDITED = {
    Reason.HIDDEN: "标签页不可见，未计学时",
    Reason.RATE: "倍速播放（超过 1.0 倍），未计学时",
    Reason.SKIPPED_AHEAD: "跳过了尚未观看的部分，未计学时",
    Reason.WALL_CLOCK: "上报的播放时长超过实际经过的时间，超出部分未计学时",
    Reason.CHALLENGE_PENDING: "等待完成随机验证，未计学时",
}


def clock_text(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def duration_text(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} 小时 {minutes} 分"
    if minutes:
        return f"{minutes} 分 {seconds} 秒"
    return f"{seconds} 秒"


def explain(session: PlaybackSession) -> dict:
    not_credited = [
        {
            "from": run.started_at.isoformat(),
            "to": run.ended_at.isoformat(),
            "reason": run.reason,
            "seconds": round(run.seconds, 1),
            "text": f"{clock_text(run.started_at)}–{clock_text(run.ended_at)} "
            f"{_NOT_CREDITED[run.reason]}",
        }
        for run in session.refused.all()
    ]
    checks = [
        {
            "at": failure.created_at.isoformat(),
            "text": f"{clock_text(failure.created_at)} 随机验证答错"
            + ("（连续答错三次，本次学习结束）" if failure.ended_session else ""),
        }
        for failure in session.check_failures.all()
    ]
    ended = None
    if session.ended_at is not None:
        ended = (
            f"{clock_text(session.ended_at)} {EndReason(session.end_reason).label}，本次学习结束"
        )
    return {
        "session": str(session.pk),
        "lesson": {"id": session.lesson_id, "title": session.lesson.title},
        "course": {"id": session.course_id, "title": session.course.title},
        "started_at": session.started_at.isoformat(),
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "credited": round(session.credited, 1),
        "credited_text": f"{clock_text(session.started_at)} 开始，"
        f"本次计入观看时长 {duration_text(session.credited)}",
        "not_credited": not_credited,
        "failed_checks": checks,
        "ended": ended,
    }
