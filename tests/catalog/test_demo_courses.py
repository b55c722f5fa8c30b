"""`make run`'s demo courses come through the real pipeline: generated videos transcoded to HLS,
drafts submitted to the listing workflow, checked, and approved by the computed reviewer."""

import io

import pytest
from django.core.management import call_command
from wagtail.models import WorkflowState

from accounts.demo import demo_accounts_load
from accounts.models import Organisation, User
from courses.models import CoursePage, LessonPage, Subject, Topic
from demo.courses import INSTITUTIONS
from media.models import VideoAsset, VideoStatus
from tests.factories import VideoAssetFactory

pytestmark = pytest.mark.django_db


def test_demo_courses_cover_every_topic_two_industries_and_accounting(client):
    # A video left half-made by an interrupted earlier run is made again, not a dead end.
    demo_accounts_load(password="Demo-pass-2025")
    institution = Organisation.objects.get(name=INSTITUTIONS[0].name)
    stale = VideoAssetFactory(
        institution=institution, title=f"{institution.name[:12]} 示范讲座 1", status="uploading"
    )

    out = io.StringIO()
    call_command("load_demo", "--password", "Demo-pass-2025", stdout=out)
    assert "课程 17 门" in out.getvalue()
    courses = CoursePage.objects.live()
    for topic in Topic.objects.all():
        minimum = 2 if topic.kind == "popular" else 1
        assert courses.filter(topic=topic).count() >= minimum, topic.name
    for industry in ("卫生健康", "工业和信息化"):
        assert courses.filter(subject=Subject.PROFESSIONAL, industry__name=industry).count() >= 2
    assert courses.filter(subject=Subject.ACCOUNTING).exists()

    for course in courses:
        state = WorkflowState.objects.for_instance(course).get()
        assert state.status == WorkflowState.STATUS_APPROVED
        lessons = LessonPage.objects.child_of(course).live()
        assert lessons.count() == 2
        assert all(lesson.video.status == VideoStatus.READY for lesson in lessons)
        assert course.instructors.filter(live=True).exists()  # went live with the course
        seconds = sum(lesson.video.duration for lesson in lessons)
        assert float(course.credit_hours) <= seconds / 60  # demo: 1 minute per 学时
    # Believable: every lesson has a title of its own, a quiz of its own, and the syllabus names
    # the lessons; each course is taught by an instructor of its own field.
    lessons = LessonPage.objects.live()
    assert not lessons.filter(quiz_questions=[]).exists()
    assert len({lesson.title for lesson in lessons}) > 17 * 2 - 2
    for course in courses:
        for lesson in LessonPage.objects.child_of(course).live():
            assert lesson.title.split("　", 1)[1] in course.syllabus
        assert "示范讲座" not in course.syllabus
    teachers = {c.title: c.instructors.get().name for c in courses}
    assert teachers["临床合理用药与处方管理"] == "吴敏"  # a pharmacist, not an engineer
    assert teachers["政府会计准则制度解读"] == "周红"
    assert teachers["智能制造与工业互联网应用"] == "孙伟"
    # One video is 720p: its master playlist carries the whole ladder.
    hd = VideoAsset.objects.get(title=f"{institution.name[:12]} 示范讲座 1")
    assert sorted(int(r["height"]) for r in hd.renditions) == [360, 540, 720]
    client.force_login(User.objects.filter(is_superuser=False, groups__name="审核员").first())
    master = client.get(f"/media/videos/{hd.key}/master.m3u8").content.decode()
    assert master.count("#EXT-X-STREAM-INF") == 3 and "RESOLUTION=1280x720" in master
    client.logout()

    assert not VideoAsset.objects.filter(pk=stale.pk).exists()
    assert VideoAsset.objects.get(title=stale.title).status == VideoStatus.READY

    # A second run keeps everything and adds nothing.
    again = io.StringIO()
    call_command("load_demo", "--password", "Demo-pass-2025", stdout=again)
    assert "课程 0 门" in again.getvalue()
    assert "网络安全法律法规解读" in client.get("/search/", {"q": "安全"}).content.decode()
