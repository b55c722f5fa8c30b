"""The learner's own standing on a course page (never on cached anonymous pages: an anonymous
visitor has none, so the page stays the same for everyone who is not logged in)."""

from django import template

from player.api import course_standing

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
