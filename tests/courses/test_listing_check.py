"""The completeness check (完整性检查) and the hours rule: every failure, in Chinese, and the rule
at its boundary."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from courses.api import listing_check
from courses.models import BasisKind, Subject
from courses.rules import hours_cap
from media.models import VideoStatus
from tests.courses.conftest import submit
from tests.factories import LessonPageFactory, VideoAssetFactory

pytestmark = pytest.mark.django_db


def problems(course):
    return listing_check(course).problems


def test_a_complete_course_passes(world):
    assert problems(world.course()) == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"summary": ""}, "未填写课程简介。"),
        ({"topic": None}, "公需科目须选择专题。"),
        (
            {"subject": Subject.PROFESSIONAL, "topic": None, "industry": None, "fee": 0},
            "专业科目须选择行业。",
        ),
        ({"basis_kind": ""}, "未选择课件审核依据。"),
        ({"basis_body": ""}, "未填写审核（推荐）单位。"),
        ({"basis_kind": BasisKind.RECOMMENDED}, "由行业协会、学会推荐的课件须填写授权部门。"),
        ({"basis_document_number": ""}, "未填写文号或函号。"),
        ({"basis_date": None}, "未填写发文日期。"),
        ({"basis_scan": None}, "未上传审核文件扫描件。"),
        ({"instructors": []}, "至少需要一位授课人。"),
    ],
)
def test_each_missing_piece_is_named(world, fields, expected):
    assert expected in problems(world.course(**fields))


def test_a_recommendation_with_its_authoriser_passes(world):
    course = world.course(basis_kind=BasisKind.RECOMMENDED, basis_authoriser="河南省卫生健康委员会")
    assert problems(course) == []


def test_no_lessons_and_no_year(world):
    course = world.course(lessons=0)
    assert "课程至少需要一讲。" in problems(course)
    course.credit_years.set([])
    course.save_revision()
    assert "未选择适用年度。" in problems(course)


def test_an_instructor_without_a_bio_in_the_version_to_publish(world):
    instructor = world.a.instructor
    instructor.bio = ""
    instructor.save_revision(
        clean=False
    )  # a draft from an older form or an import: the row keeps its bio
    assert "授课人“甲老师”缺少个人简介。" in problems(world.course())


def test_another_institutions_instructor_is_refused(world):
    course = world.course(instructors=[world.b.instructor])
    assert "授课人“乙老师”不是本机构的授课人。" in problems(course)


def test_lessons_need_a_ready_video_of_the_institution(world):
    course = world.course(lessons=0)

    for title, video in [
        ("无视频", None),
        ("别家视频", world.b.video),
        (
            "转码中",
            VideoAssetFactory(
                institution=world.a.organisation,
                title="转码中的视频",
                status=VideoStatus.PROCESSING,
            ),
        ),
        (
            "失败",
            VideoAssetFactory(
                institution=world.a.organisation, title="失败的视频", status=VideoStatus.FAILED
            ),
        ),
    ]:
        LessonPageFactory(parent=course, title=title, video=video, revision_by=world.a.editor)
    found = problems(course)
    assert "第 1 讲“无视频”未选择课件视频。" in found
    assert "第 2 讲“别家视频”的视频不属于本机构。" in found
    assert any(p.startswith("第 3 讲“转码中”的视频“转码中的视频”尚未转码完成") for p in found)
    assert any(p.startswith("第 4 讲“失败”的视频“失败的视频”尚未转码完成") for p in found)


def test_the_check_reads_the_latest_draft_not_the_row(world):
    course = world.course()
    draft = course.get_latest_revision_as_object()
    draft.summary = ""
    draft.save_revision(clean=False)
    course.refresh_from_db()
    assert "未填写课程简介。" in problems(course)


# --- The hours rule -------------------------------------------------------------------------------


def test_hours_cap_rounds_down_to_half_hours():
    assert hours_cap(video_seconds=45 * 60 * 2, minutes_per_hour=45) == Decimal("2.0")
    assert hours_cap(video_seconds=45 * 60 * 2 - 1, minutes_per_hour=45) == Decimal("1.5")
    assert hours_cap(video_seconds=45 * 60 * 2.5, minutes_per_hour=45) == Decimal("2.5")
    assert hours_cap(video_seconds=22.5 * 60 - 0.5, minutes_per_hour=45) == Decimal("0")
    assert hours_cap(video_seconds=0, minutes_per_hour=45) == Decimal("0")


@given(
    seconds=st.floats(min_value=0, max_value=400 * 3600, allow_nan=False),
    minutes=st.integers(min_value=1, max_value=120),
)
def test_hours_cap_never_exceeds_the_video_time_and_is_a_half_step(seconds, minutes):
    cap = hours_cap(video_seconds=seconds, minutes_per_hour=minutes)
    assert cap % Decimal("0.5") == 0
    assert float(cap) * minutes * 60 <= seconds + 1e-6
    assert (float(cap) + 0.5) * minutes * 60 > seconds - 1e-6  # the largest such step


def test_hours_at_the_boundary(world):
    # Two lessons of 150 s = 5 minutes; at 2 minutes per 学时 the cap is 2.5.
    world.year.minutes_per_hour = 2
    world.year.save()
    assert problems(world.course(lessons=2, credit_hours=Decimal("2.5"))) == []
    refused = problems(world.course(lessons=2, credit_hours=Decimal("3.0")))
    assert refused == [
        f"学时 3.0 超过上限：视频总时长 5.0 分钟 ÷ {world.year.year} 年度每学时 2 分钟 = 2.5 学时"
        "（按 0.5 学时向下取整）。"
    ]


def test_the_strictest_year_decides(world):
    from credits.services import credit_year_get_or_create

    stricter = credit_year_get_or_create(year=world.year.year - 1)
    stricter.minutes_per_hour = 3
    stricter.save()
    course = world.course(lessons=2, credit_hours=Decimal("2.0"))  # 5 min ÷ 3 = 1.5
    course.credit_years.set([world.year, stricter])
    course.save_revision()
    assert any(f"{stricter.year} 年度每学时 3 分钟 = 1.5 学时" in p for p in problems(course))


def test_a_failed_check_returns_the_course_with_every_problem(world):
    course = world.course(summary="", basis_scan=None)
    state = submit(course, world.a.editor)
    assert state.status == state.STATUS_NEEDS_CHANGES
    comment = state.current_task_state.comment
    assert "1. 未填写课程简介。" in comment and "2. 未上传审核文件扫描件。" in comment
    course.refresh_from_db()
    assert not course.live


def test_public_courses_are_free(world):
    from django.core.exceptions import ValidationError

    course = world.course()
    course.fee = Decimal("10")
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "公需科目免费学习，收费须为 0。" in str(error.value)


def test_credit_hours_come_in_half_steps(world):
    from django.core.exceptions import ValidationError

    course = world.course()
    course.credit_hours = Decimal("1.3")
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "学时须为 0.5 的整数倍。" in str(error.value)


def test_basis_date_is_rendered_on_the_live_course(world, client):
    course = world.course()
    course.save_revision().publish()
    for lesson in course.get_children():
        lesson.specific.save_revision().publish()
    html = client.get(course.url).content.decode()
    assert "豫人社函〔2025〕12号" in html and "2025年3月1日" in html
    assert "甲老师长期从事网络安全研究。" in html  # every instructor's bio
