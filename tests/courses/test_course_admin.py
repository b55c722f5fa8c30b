"""Authoring in the admin: an editor creates courses and lessons in their own institution only,
picks only its instructors and ready videos, writes quizzes whose answers never reach a learner's
page; learners of a live course get its videos' playlists."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from courses.models import CoursePage, LessonPage, Topic
from media import delivery
from media.models import VideoStatus
from tests.admin_refusals import admin_refused
from tests.courses.conftest import act, submit
from tests.factories import VideoAssetFactory
from tests.media.people import make_staff

pytestmark = pytest.mark.django_db


def course_form(world, institution, **overrides):
    data = {
        "title": "应急管理基础知识与实务",
        "slug": "emergency-basics",
        "summary": "突发事件应对的基本知识与处置流程。",
        "subject": "public",
        "topic": Topic.objects.get(name="应急管理").pk,
        "credit_hours": "2.0",
        "fee": "0",
        "credit_years": [world.year.pk],
        "syllabus": rich_text("<p>第一讲 应急管理体系</p>"),
        "instructors": [institution.instructor.pk],
        "basis_kind": "department",
        "basis_body": "安阳市应急管理局",
        "basis_document_number": "安应急函〔2025〕8号",
        "basis_date": "2025-04-01",
        "basis_scan": institution.scan.pk,
        "quiz_questions": streamfield([]),
        "quiz_pass_mark": "60",
        "quiz_attempt_limit": "3",
        "quiz_when_exhausted": "rewatch",
        "comments": inline_formset([]),
    }
    data.update(overrides)
    # Multiple-choice fields post a list each (nested_form_data would number them).
    lists = {name: data.pop(name) for name in ("credit_years", "instructors")}
    return {**nested_form_data(data), **lists}


def lesson_form(video_pk, questions=(), **overrides):
    data = {
        "title": "第一讲 应急管理体系",
        "slug": "lesson-1",
        "video": video_pk,
        "summary": "",
        "quiz_questions": streamfield(list(questions)),
        "quiz_pass_mark": "80",
        "quiz_attempt_limit": "2",
        "quiz_when_exhausted": "rewatch",
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def single(question, options, correct):
    return (
        "single",
        {
            "question": question,
            "options": streamfield(
                [("item", {"text": text, "correct": text == correct}) for text in options]
            ),
        },
    )


def add_url(model, parent):
    return reverse("wagtailadmin_pages:add", args=["courses", model, parent.pk])


def test_an_editor_creates_a_course_and_a_lesson_in_their_institution(world, client):
    client.force_login(world.a.editor)
    response = client.post(add_url("coursepage", world.a.page), course_form(world, world.a))
    assert response.status_code == 302, response.content.decode()[:3000]
    course = CoursePage.objects.get(title="应急管理基础知识与实务")
    assert course.get_parent().pk == world.a.page.pk and not course.live
    draft = course.get_latest_revision_as_object()
    assert list(draft.instructors.all()) == [world.a.instructor]

    response = client.post(
        add_url("lessonpage", course),
        lesson_form(world.a.video.pk, [single("应急预案由谁批准？", ["甲", "乙", "丙"], "乙")]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    lesson = LessonPage.objects.child_of(course).get()
    assert lesson.get_latest_revision_as_object().video == world.a.video


def test_another_institutions_instructor_or_video_is_refused(world, client):
    client.force_login(world.a.editor)
    response = client.post(
        add_url("coursepage", world.a.page),
        course_form(world, world.a, instructors=[world.b.instructor.pk]),
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not CoursePage.objects.filter(title="应急管理基础知识与实务").exists()

    # The form offers own instructors only.
    form_html = client.get(add_url("coursepage", world.a.page)).content.decode()
    assert "甲老师" in form_html and "乙老师" not in form_html

    course = world.course()
    for video in (
        world.b.video,
        VideoAssetFactory(
            institution=world.a.organisation, title="未就绪", status=VideoStatus.PROCESSING
        ),
    ):
        response = client.post(add_url("lessonpage", course), lesson_form(video.pk))
        assert response.status_code == 200
        assert "选择一个有效的选项" in response.content.decode()
    assert LessonPage.objects.child_of(course).count() == 1  # the builder's own lesson only
    lesson_html = client.get(add_url("lessonpage", course)).content.decode()
    assert world.a.video.title in lesson_html and world.b.video.title not in lesson_html


def test_an_editor_cannot_add_to_or_edit_another_institution(world, client):
    theirs = world.course(world.b)
    client.force_login(world.a.editor)
    response = client.post(add_url("coursepage", world.b.page), course_form(world, world.b))
    assert admin_refused(response)
    assert not CoursePage.objects.filter(title="应急管理基础知识与实务").exists()
    assert admin_refused(client.get(reverse("wagtailadmin_pages:edit", args=[theirs.pk])))
    lesson = LessonPage.objects.child_of(theirs).get()
    assert admin_refused(client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])))


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (single("两个正确？", ["甲", "乙"], None), "单选题须有且只有一个正确答案。"),
        (
            (
                "multiple",
                {
                    "question": "多选只有一个正确？",
                    "options": streamfield(
                        [
                            ("item", {"text": "甲", "correct": True}),
                            ("item", {"text": "乙", "correct": False}),
                        ]
                    ),
                },
            ),
            "多选题须有至少两个正确答案。",
        ),
    ],
)
def test_quiz_questions_are_validated(world, client, question, message):
    course = world.course()
    client.force_login(world.a.editor)
    response = client.post(add_url("lessonpage", course), lesson_form(world.a.video.pk, [question]))
    assert response.status_code == 200
    # StreamField errors reach the page as JSON for the block editor (non-ASCII escaped).
    assert json.dumps(message)[1:-1] in response.content.decode()
    assert LessonPage.objects.child_of(course).count() == 1  # nothing saved


def test_public_courses_cannot_charge(world, client):
    client.force_login(world.a.editor)
    response = client.post(
        add_url("coursepage", world.a.page), course_form(world, world.a, fee="20")
    )
    assert response.status_code == 200
    assert "公需科目免费学习，收费须为 0。" in response.content.decode()


def live_course_with_quiz(world, client):
    """A live course whose lesson has a single-choice and a true/false question."""
    client.force_login(world.a.editor)
    course = world.course(lessons=0)
    response = client.post(
        add_url("lessonpage", course),
        lesson_form(
            world.a.video.pk,
            [
                single("网络安全法自哪一年起施行？", ["2015年", "2017年", "2019年"], "2017年"),
                ("true_false", {"question": "个人信息可以随意出售。", "answer": "false"}),
            ],
        ),
    )
    assert response.status_code == 302
    submit(course, world.a.editor)
    act(course, world.reviewers["bureau"], "approve")
    return LessonPage.objects.child_of(course).get()


def test_quiz_answers_never_reach_the_lesson_page(world, client):
    lesson = live_course_with_quiz(world, client)
    assert lesson.live
    stored = lesson.quiz_questions.raw_data
    assert stored[0]["value"]["options"][1]["value"]["correct"] is True  # the answer is stored

    client.force_login(world.learner)
    html = client.get(lesson.url).content.decode()
    assert "网络安全法自哪一年起施行？" in html and "2017年" in html  # question and options shown
    assert "个人信息可以随意出售。" in html
    for leak in ('"correct"', "correct", "正确答案", "data-answer", "answer"):
        assert leak not in html, leak
    public = lesson.quiz_public_questions()
    assert all(set(option) == {"id", "text"} for q in public for option in q["options"])
    assert "answer" not in str(public) and "correct" not in str(public)


def test_learners_get_the_playlist_of_a_live_lesson_only(world, client, settings):
    lesson = live_course_with_quiz(world, client)
    video = lesson.video
    assert delivery.playlist_allowed(world.learner, video)
    client.force_login(world.learner)
    html = client.get(lesson.url).content.decode()
    assert delivery.master_playlist_url(video) in html
    assert "观看时长自动计入学时" in html and 'data-study="1"' in html  # the player credits it
    assert "不计入学时。" not in html.split('id="player-texts"')[0]  # no "watching earns nothing"

    # Not a learner, not logged in, or the course not live: no playlist.
    hr = make_staff("用人单位审核员", "hr_staff")
    assert not delivery.playlist_allowed(hr, video)
    client.logout()
    anonymous = client.get(lesson.url).content.decode()
    assert (
        delivery.master_playlist_url(video) not in anonymous and "请登录后学习本课程" in anonymous
    )

    course = lesson.get_parent().specific
    course.unpublish()
    assert not delivery.playlist_allowed(world.learner, video)
    other_video = VideoAssetFactory(
        institution=world.a.organisation, title="未用于课程", duration=30.0
    )
    assert not delivery.playlist_allowed(world.learner, other_video)
    assert Decimal(course.credit_hours) == Decimal("2.0")


def test_a_refused_submission_says_why_in_the_editor(world, client):
    client.force_login(world.a.editor)
    data = course_form(world, world.a, basis_document_number="")
    data["action-submit"] = "1"
    response = client.post(add_url("coursepage", world.a.page), data, follow=True)
    html = response.content.decode()
    assert "提交未通过完整性检查" in html
    assert "未填写文号或函号。" in html and "课程至少需要一讲。" in html
    course = CoursePage.objects.get(title="应急管理基础知识与实务")
    assert course.current_workflow_state.status == "needs_changes"
    assert not course.live
