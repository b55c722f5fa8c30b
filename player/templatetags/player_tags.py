"""The learner's own standing on a course page (never on cached anonymous pages: an anonymous
visitor has none, so the page stays the same for everyone who is not logged in)."""

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext as _

from courses.api import course_live_lessons
from player.api import course_standing
from player.models import LessonProgress
from player.progress import lesson_coverage

register = template.Library()


@register.simple_tag
def study_button(user, course, lessons):
    """Where the course page's button leads and what it says: 开始学习 at the first lesson;
    继续学习 at the first lesson not yet complete (else the last one studied); 复习课程 once the
    course is complete."""
    lessons = list(lessons)
    if not lessons:
        return None
    standing = course_standing(user, course)
    if not standing.started:
        return {"lesson": lessons[0], "label": "开始学习", "completed": False}
    if standing.completed:
        return {"lesson": lessons[0], "label": "复习课程", "completed": True}
    by_id = {lesson.pk: lesson for lesson in lessons}
    unfinished = [lesson for lesson in lessons if lesson.pk not in standing.lessons_complete]
    lesson = by_id.get(standing.last_lesson_id)
    if lesson is None or lesson.pk in standing.lessons_complete:
        lesson = unfinished[0] if unfinished else lessons[0]
    return {"lesson": lesson, "label": "继续学习", "completed": False}


@register.simple_tag
def player_texts():
    """What the lesson player says (static/player/lesson.mjs), through gettext, as a JSON script
    element the module reads."""
    texts = {
        "starting": _("正在开始计时……"),
        "start_failed": _("暂时无法开始学习，请刷新页面重试。"),
        "offline_start": _("网络连接中断，恢复后点击播放即可开始计时。"),
        "retrying": _("网络不稳定：学习记录暂存在本页，恢复后自动补报，请不要关闭页面。"),
        "progress": _("本讲已计入观看 {watched}，已观看 {coverage}%"),
        "lesson_complete": _("本讲已完成。"),
        "state_complete": _("已完成"),
        "state_started": _("学习中 {percent}%"),
        "course_complete": _("本课程已全部学完，学时已记入您的学时档案。"),
        "no_skipping": _("不能跳过尚未观看的部分，已回到您看到的位置。"),
        "superseded": _("您已在其他页面或设备上继续学习，本页已停止计时。"),
        "ended": _("本次学习已结束。"),
        "login_ended": _("登录已过期，请重新登录后继续学习（学习进度已保存）。"),
        "check_left": _("请在 {seconds} 秒内输入"),
        "check_expired": _("验证码已过期，已为您换一张新的。"),
        "check_wrong": _("验证码不正确，还可以再试 {left} 次。"),
        "check_empty": _("请输入图片中的数字。"),
        "check_failed": _("提交失败，请稍后再试。"),
        "audio_failed": _("无法播放语音验证码，请查看图片中的数字。"),
        "record_failed": _("暂时无法读取本次学习记录，请稍后再试。"),
        "reasons": {
            "hidden": _("页面不在前台（切换了标签页或应用），这段时间不计入学时。"),
            "rate": _("倍速播放（超过 1.0 倍）不计入学时，请调回正常速度。"),
            "skipped_ahead": _("跳过了尚未观看的部分，这部分不计入学时。"),
            "wall_clock": _("上报的播放时长超过实际经过的时间，超出部分不计入学时。"),
            "challenge_pending": _("请先完成随机验证，验证完成前不计入学时。"),
        },
        "ended_reasons": {
            "superseded": _("您已在其他页面或设备上继续学习，本页已停止计时。"),
            "challenge_failed": _("随机验证连续答错，本次学习已结束，请重新开始。"),
            "lesson_unavailable": _("该课程已下架，本次学习已结束；已完成的学时不受影响。"),
        },
        "credit": _("{year} 年度{category}已记入 {hours} 学时。"),
        "quiz": {
            "multiple_hint": _("多选题：选出全部正确的选项。"),
            "missing": _("还有 {count} 题未作答，请答完后再提交。"),
            "failed": _("暂时无法提交，请稍后再试。"),
            "offline": _("网络连接中断，请恢复后再试（答卷未提交）。"),
            "score": _("得分 {score} 分（答对 {right}/{total} 题），{pass_mark} 分及格。"),
            "passed": _("测验通过。"),
            "failed_grade": _("未通过。"),
            "attempts_left": _("还可以作答 {left} 次。"),
            "again": _("再答一次"),
        },
        "video": {
            "unsupported": _("您的浏览器不支持播放该视频，请使用最新版浏览器。"),
            "failed": _("视频加载失败，请刷新页面重试。"),
            "module": _("无法加载播放器，请刷新页面重试。"),
        },
    }
    return json_script(texts, "player-texts")


@register.simple_tag
def lesson_states(user, course, current=None):
    """The course's live lessons with the learner's state of each (未开始 / 学习中 x% / 已完成),
    for the lesson page's list; `next` marks the lesson to continue with."""
    lessons = course_live_lessons(course)
    progress = {}
    if getattr(user, "is_authenticated", False):
        progress = {
            item.lesson_id: item
            for item in LessonProgress.objects.filter(
                course_progress__learner=user, course_progress__course=course
            )
        }
    rows, next_marked = [], False
    for number, lesson in enumerate(lessons, start=1):
        item = progress.get(lesson.pk)
        if item is not None and item.completed_at is not None:
            state, label = "complete", _("已完成")
        elif item is not None and item.frontier > 0:
            percent = int(lesson_coverage(item, lesson) * 100)
            state, label = "started", _("学习中 %(percent)s%%") % {"percent": percent}
        else:
            state, label = "new", _("未开始")
        is_next = not next_marked and state != "complete"
        next_marked = next_marked or is_next
        rows.append(
            {
                "lesson": lesson,
                "number": number,
                "state": state,
                "label": label,
                "current": current is not None and lesson.pk == current.pk,
                "next": is_next,
            }
        )
    return rows
