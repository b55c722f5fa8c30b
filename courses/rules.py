"""The platform's checks on a course before a reviewer sees it (DESIGN.md §2): the basis of the
courseware, an instructor bio for every instructor, a ready video of the institution for every
lesson, and hours no greater than the measured video time allows.

Everything is checked on what would go live if the course were approved now: the latest
revisions of the course, its lessons and its instructors.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from media.api import VideoStatus

from .models import BasisKind, CoursePage, InstitutionPage, LessonPage, Subject

HALF = Decimal("0.5")


def hours_cap(*, video_seconds: float, minutes_per_hour: int) -> Decimal:
    """The most 学时 a course with this much video may claim: the video time ÷ minutes per 学时,
    rounded down to a multiple of 0.5 (DESIGN.md §2)."""
    if video_seconds <= 0 or minutes_per_hour <= 0:
        return Decimal("0")
    half_hours = math.floor(video_seconds * 2 / (60 * minutes_per_hour) + 1e-9)
    return Decimal(half_hours) * HALF


@dataclass(frozen=True)
class CourseDraft:
    """What approving a course would publish: the course, lesson and instructor versions."""

    course: CoursePage
    lessons: list[LessonPage]
    instructors: list  # Instructor versions (latest revisions)
    lesson_revisions: dict[int, int | None]
    instructor_revisions: dict[int, int | None]


def _latest(obj):
    revision = obj.get_latest_revision()
    if revision is None:
        return obj, None
    return revision.as_object(), revision.pk


def course_draft(course: CoursePage) -> CourseDraft:
    """The latest revisions of `course`, of its lessons (in order) and of its instructors."""
    course_version, _ = _latest(course)
    lessons, lesson_revisions = [], {}
    for lesson in course.lessons():
        version, revision_id = _latest(lesson)
        lessons.append(version)
        lesson_revisions[lesson.pk] = revision_id
    instructors, instructor_revisions = [], {}
    for instructor in course_version.instructors.all():
        version, revision_id = _latest(instructor)
        instructors.append(version)
        instructor_revisions[instructor.pk] = revision_id
    return CourseDraft(course_version, lessons, instructors, lesson_revisions, instructor_revisions)


def course_problems(draft: CourseDraft, *, institution_id: int) -> list[str]:
    """Why `draft` cannot go to a reviewer yet, in Chinese; empty when it is complete."""
    course = draft.course
    problems: list[str] = []
    if not course.summary.strip():
        problems.append(_("未填写课程简介。"))
    if not course.subject:
        problems.append(_("未选择科目类型。"))
    if course.subject == Subject.PUBLIC and course.topic_id is None:
        problems.append(_("公需科目须选择专题。"))
    if course.subject == Subject.PROFESSIONAL and course.industry_id is None:
        problems.append(_("专业科目须选择行业。"))
    if course.subject == Subject.PUBLIC and course.fee:
        problems.append(_("公需科目免费学习，收费须为 0。"))
    years = list(course.credit_years.all())
    if not years:
        problems.append(_("未选择适用年度。"))

    problems.extend(_basis_problems(course))

    if not draft.instructors:
        problems.append(_("至少需要一位授课人。"))
    for instructor in draft.instructors:
        if instructor.institution_id != institution_id:
            problems.append(_("授课人“%(name)s”不是本机构的授课人。") % {"name": instructor.name})
        if not (instructor.bio or "").strip():
            problems.append(_("授课人“%(name)s”缺少个人简介。") % {"name": instructor.name})

    if not draft.lessons:
        problems.append(_("课程至少需要一讲。"))
    video_seconds = 0.0
    for number, lesson in enumerate(draft.lessons, start=1):
        label = _("第 %(number)d 讲“%(title)s”") % {"number": number, "title": lesson.title}
        video = lesson.video
        if video is None:
            problems.append(_("%(lesson)s未选择课件视频。") % {"lesson": label})
        elif video.institution_id != institution_id:
            problems.append(_("%(lesson)s的视频不属于本机构。") % {"lesson": label})
        elif video.status != VideoStatus.READY:
            problems.append(
                _("%(lesson)s的视频“%(video)s”尚未转码完成（%(status)s）。")
                % {"lesson": label, "video": video.title, "status": video.get_status_display()}
            )
        else:
            video_seconds += video.duration

    if years and course.credit_hours and draft.lessons:
        strictest = max(years, key=lambda year: year.minutes_per_hour)
        cap = hours_cap(video_seconds=video_seconds, minutes_per_hour=strictest.minutes_per_hour)
        if course.credit_hours > cap:
            problems.append(
                _(
                    "学时 %(hours)s 超过上限：视频总时长 %(minutes)s 分钟 ÷ %(year)s 年度每学时 "
                    "%(per)d 分钟 = %(cap)s 学时（按 0.5 学时向下取整）。"
                )
                % {
                    "hours": course.credit_hours,
                    "minutes": f"{video_seconds / 60:.1f}",
                    "year": strictest.year,
                    "per": strictest.minutes_per_hour,
                    "cap": cap,
                }
            )
    return problems


def _basis_problems(course: CoursePage) -> list[str]:
    problems = []
    if not course.basis_kind:
        problems.append(_("未选择课件审核依据。"))
    if not course.basis_body.strip():
        problems.append(_("未填写审核（推荐）单位。"))
    if course.basis_kind == BasisKind.RECOMMENDED and not course.basis_authoriser.strip():
        problems.append(_("由行业协会、学会推荐的课件须填写授权部门。"))
    if not course.basis_document_number.strip():
        problems.append(_("未填写文号或函号。"))
    if course.basis_date is None:
        problems.append(_("未填写发文日期。"))
    if course.basis_scan_id is None:
        problems.append(_("未上传审核文件扫描件。"))
    return problems


def disclosure_problems(page: InstitutionPage) -> list[str]:
    problems = []
    for field, label in (
        ("scope", _("培训范围")),
        ("training_content", _("培训内容")),
        ("contact", _("联系方式")),
    ):
        if not (getattr(page, field) or "").strip():
            problems.append(_("未填写%(field)s。") % {"field": label})
    if not len(page.fees):
        problems.append(_("未公布收费项目及标准。"))
    return problems
