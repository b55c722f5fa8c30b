"""报名 (enrolment) in a course with a fee: until the institution confirms the payment, the player
refuses to start (403 with the reason) and the quiz too; the editor of that institution alone
confirms or declines, with an audit row; public-subject courses need none."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import AuditAction, AuditEvent
from courses.models import Enrolment, EnrolmentState, Subject
from courses.payment import MemoryPaymentBackend
from courses.services import EnrolmentError, enrolment_confirm
from tests.admin_refusals import admin_refused
from tests.factories import QUIZ
from tests.media.people import make_staff

from .conftest import Player, lessons_of, publish

pytestmark = pytest.mark.django_db

ENROLMENTS = "/admin/enrolments/"


@pytest.fixture
def paid(world):
    return publish(world, subject=Subject.PROFESSIONAL, topic=None, fee=Decimal("3"))


def start(player, lesson):
    return player.post("/api/player/sessions", {"lesson": lesson.pk})


def enrol(client, course):
    return client.post(f"/courses/{course.pk}/enrol/", follow=True)


def staff_client(user):
    client = Client()
    client.force_login(user)
    return client


def decide(user, enrolment, **fields):
    return staff_client(user).post(ENROLMENTS, {"enrolment": enrolment.pk, **fields}, follow=True)


def test_a_paid_course_plays_only_after_the_institution_confirms_the_payment(world, paid):
    player = Player(world.learner)
    lesson = lessons_of(paid)[0]

    status, body = start(player, lesson)
    assert status == 403
    assert "收费 3.00 元" in body["error"] and "报名" in body["error"]
    page = player.client.get(paid.url).content.decode()
    assert "报名学习" in page and "每学时 2 元" in page  # the institution's disclosed fee items
    assert "开始学习" not in page
    lesson_page = player.client.get(lesson.url).content.decode()
    assert "请先在课程页面报名" in lesson_page and "data-lesson-player" not in lesson_page

    MemoryPaymentBackend.begun.clear()
    response = enrol(player.client, paid)
    assert "报名成功" in response.content.decode()
    enrolment = Enrolment.objects.get(learner=world.learner, course=paid)
    assert (enrolment.state, enrolment.fee, enrolment.institution) == (
        EnrolmentState.PENDING,
        Decimal("3.00"),
        world.a.organisation,
    )
    assert MemoryPaymentBackend.begun == [enrolment.pk]
    assert AuditEvent.objects.filter(
        action=AuditAction.ENROLMENT_REQUESTED, actor=world.learner
    ).exists()
    status, body = start(player, lesson)
    assert status == 403 and "待施教机构确认缴费" in body["error"]
    my_area = player.client.get("/my/").content.decode()
    assert "data-enrolment-row" in my_area and "待确认缴费" in my_area

    response = decide(world.a.editor, enrolment, action="confirm", reference="SJ-20261207-01")
    assert "现在可以学习" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.CONFIRMED
    assert (enrolment.decided_by, enrolment.payment_reference) == (
        world.a.editor,
        "SJ-20261207-01",
    )
    event = AuditEvent.objects.get(action=AuditAction.ENROLMENT_DECIDED)
    assert (event.actor, event.subject) == (world.a.editor, world.learner)
    assert event.detail["state"] == "confirmed" and event.detail["reference"] == "SJ-20261207-01"
    assert "开始学习" in player.client.get(paid.url).content.decode()
    assert "报名学习" not in player.client.get(paid.url).content.decode()
    assert start(player, lesson)[0] == 201


def test_the_quiz_is_refused_until_enrolment_too(world):
    course = publish(
        world, subject=Subject.PROFESSIONAL, topic=None, fee=Decimal("3"), lesson_quiz=QUIZ
    )
    player = Player(world.learner)
    status, body = player.post(f"/api/player/quizzes/{lessons_of(course)[0].pk}/attempts", {})
    assert status == 403 and "报名" in body["error"]


def test_a_declined_enrolment_shows_the_reason_and_may_be_asked_again(world, paid):
    player = Player(world.learner)
    enrol(player.client, paid)
    enrolment = Enrolment.objects.get()

    response = decide(world.a.editor, enrolment, action="decline", reason="")
    assert "请填写未确认的原因" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.PENDING  # nothing half-saved

    decide(world.a.editor, enrolment, action="decline", reason="未查到转账记录")
    status, body = start(player, lessons_of(paid)[0])
    assert status == 403 and "未查到转账记录" in body["error"]
    assert "未查到转账记录" in player.client.get(paid.url).content.decode()

    enrol(player.client, paid)
    enrolment.refresh_from_db()
    assert (enrolment.state, enrolment.reason, enrolment.decided_by) == ("pending", "", None)
    assert Enrolment.objects.count() == 1


def test_only_the_courses_own_institution_decides(world, paid):
    enrol(Player(world.learner).client, paid)
    enrolment = Enrolment.objects.get()
    bureau_admin = make_staff("人社局管理员", "bureau_admin")

    # The other institution's editor neither sees it nor confirms it.
    other = staff_client(world.b.editor)
    assert world.learner.real_name not in other.get(ENROLMENTS).content.decode()
    response = decide(world.b.editor, enrolment, action="confirm", reference="X1")
    assert "不属于您的机构" in response.content.decode()
    # A reviewer has no 报名确认 at all; the bureau reads, and may not decide.
    reviewer = world.reviewers["bureau"]
    assert admin_refused(staff_client(reviewer).get(ENROLMENTS), reviewer)
    bureau = staff_client(bureau_admin)
    assert world.learner.real_name in bureau.get(ENROLMENTS).content.decode()
    refused = bureau.post(
        ENROLMENTS, {"enrolment": enrolment.pk, "action": "confirm", "reference": "B"}
    )
    assert admin_refused(refused, bureau_admin)
    assert admin_refused(staff_client(world.learner).get(ENROLMENTS), world.learner)
    # A confirmation without a receipt number is refused.
    response = decide(world.a.editor, enrolment, action="confirm", reference="  ")
    assert "请填写缴费凭证" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.PENDING
    assert not AuditEvent.objects.filter(action=AuditAction.ENROLMENT_DECIDED).exists()

    # Its own editor sees it (name and masked phone) and confirms it, once.
    page = staff_client(world.a.editor).get(ENROLMENTS).content.decode()
    assert world.learner.real_name in page and world.learner.contact_masked in page
    decide(world.a.editor, enrolment, action="confirm", reference="R-1")
    response = decide(world.a.editor, enrolment, action="decline", reason="重复")
    assert "已处理" in response.content.decode()
    with pytest.raises(EnrolmentError):
        enrolment_confirm(enrolment_id=enrolment.pk, actor=None, reference="PAY-2")
    enrolment.refresh_from_db()
    assert (enrolment.state, enrolment.payment_reference) == ("confirmed", "R-1")
    assert AuditEvent.objects.filter(action=AuditAction.ENROLMENT_DECIDED).count() == 1


def test_a_payment_providers_confirmation_needs_no_editor(world, paid):
    enrol(Player(world.learner).client, paid)
    enrolment = Enrolment.objects.get()
    enrolment_confirm(enrolment_id=enrolment.pk, actor=None, reference="WX-42")
    enrolment.refresh_from_db()
    assert enrolment.state == "confirmed" and enrolment.decided_by is None


def test_enrolling_needs_a_post_with_csrf_and_a_learner(world, paid):
    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.force_login(world.learner)
    assert csrf_checked.post(f"/courses/{paid.pk}/enrol/").status_code == 403
    learner = Client()
    learner.force_login(world.learner)
    assert learner.get(f"/courses/{paid.pk}/enrol/").status_code == 405
    assert learner.post("/courses/999999/enrol/").status_code == 404
    anonymous = Client().post(f"/courses/{paid.pk}/enrol/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # An editor is no learner: refused in words, nothing saved.
    response = enrol(staff_client(world.a.editor), paid)
    assert "只有已注册的学员可以报名" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_a_public_course_is_free_and_needs_no_enrolment(world):
    course = publish(world)  # the world's default: a public-subject course, free
    assert course.subject == Subject.PUBLIC and not course.fee
    player = Player(world.learner)
    response = enrol(player.client, course)
    assert "本课程免费，无需报名" in response.content.decode()
    assert not Enrolment.objects.exists()
    assert start(player, lessons_of(course)[0])[0] == 201
