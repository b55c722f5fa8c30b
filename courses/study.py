"""Who may study a course, and which versions of it a preview shows."""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Revision

from accounts.api import LEARNER

from .extensions import listing


class EnrolmentState(models.TextChoices):
    PENDING = "pending", gettext_lazy("待确认缴费")
    CONFIRMED = "confirmed", gettext_lazy("已确认")
    DECLINED = "declined", gettext_lazy("未确认")


def course_study_refusal(user, course) -> str | None:
    """Why `user` may not study `course`, in the learner's words, or None when they may: a
    logged-in, active learner (学员), a live course, and — where the course has a fee — an
    enrolment (报名) its institution has confirmed as paid. Public-subject courses are free
    (a constraint of CoursePage) and need no enrolment."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _("请登录后学习本课程。")
    if not course.live:
        return _("该课程不存在或已下架。")
    if not user.groups.filter(name=LEARNER).exists():
        return _("本课程仅供已注册的学员学习（请以学员身份登录）。")
    if not course.fee:
        return None
    enrolment = course.enrolments.filter(learner=user).first()
    if enrolment is None:
        return _("本课程收费 %(fee)s 元，请先在课程页面报名，施教机构确认缴费后即可学习。") % {
            "fee": course.fee
        }
    if enrolment.state == EnrolmentState.PENDING:
        return _("您已报名本课程，待施教机构确认缴费后即可学习。")
    if enrolment.state == EnrolmentState.DECLINED:
        return _("施教机构未确认您的缴费：%(reason)s。请核对后在课程页面重新报名。") % {
            "reason": enrolment.reason
        }
    return None


def course_study_allowed(user, course) -> bool:
    """Whether `user` may study `course` (course_study_refusal says why not)."""
    return course_study_refusal(user, course) is None


def course_versions(course) -> tuple[list, list]:
    """The lesson and instructor versions approving `course` would publish: those pinned by its
    review under way, else the latest ones."""
    pins = listing.review_pins(course) or {}

    def version(obj, pinned: dict):
        if str(obj.pk) not in pinned:
            return obj.get_latest_revision_as_object()
        revision_id = pinned[str(obj.pk)]  # None: the stored row was the version checked
        return Revision.objects.get(pk=revision_id).as_object() if revision_id else obj

    if pins:
        lessons = [
            version(lesson, pins.get("lessons", {}))
            for lesson in course.lessons().filter(pk__in=[int(k) for k in pins.get("lessons", {})])
        ]
    else:
        lessons = [lesson.get_latest_revision_as_object() for lesson in course.lessons()]
    instructors = [version(i, pins.get("instructors", {})) for i in course.instructors.all()]
    return lessons, instructors
