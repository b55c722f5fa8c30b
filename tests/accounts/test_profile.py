"""A learner's own profile, password change and password reset by a text message."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.identity import id_number_digest
from accounts.models import AuditAction, AuditEvent, EmploymentStatus
from accounts.sms import MemorySmsBackend
from tests.factories import LearnerFactory, OrganisationFactory, valid_id_number

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Correct-horse-42"


@pytest.fixture(autouse=True)
def outbox():
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def profile_data(user, **changes):
    data = {
        "real_name": user.real_name,
        "id_number": user.id_number_for_owner(),
        "phone": user.phone,
        "employer": user.employer_id,
        "title_series": "",
        "title_level": user.title_level,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_changing_employer_keeps_the_person_and_asks_the_new_employer(client):
    learner = LearnerFactory(employment_status=EmploymentStatus.CONFIRMED, identity_confirmed=True)
    new_employer = OrganisationFactory(name="新单位")
    client.force_login(learner)
    data = profile_data(learner, employer=new_employer.pk, real_name=None, id_number=None)
    response = client.post("/my/profile/edit/", data, follow=True)
    assert "请等待新单位确认" in response.content.decode()
    learner.refresh_from_db()
    assert learner.employer == new_employer
    assert learner.employment_status == EmploymentStatus.PENDING
    event = AuditEvent.objects.get(action=AuditAction.PROFILE_CHANGED, subject=learner)
    assert event.detail["changes"]["employer"]["after"] == new_employer.pk


def test_name_and_id_are_locked_once_confirmed(client):
    learner = LearnerFactory(identity_confirmed=True, real_name="原名")
    client.force_login(learner)
    page = client.get("/my/profile/edit/").content.decode()
    assert 'name="real_name"' not in page and 'name="id_number"' not in page
    client.post(
        "/my/profile/edit/", profile_data(learner, real_name="改名", id_number=valid_id_number(9))
    )
    learner.refresh_from_db()
    assert learner.real_name == "原名"
    assert learner.id_number_digest != id_number_digest(valid_id_number(9))


def test_before_confirmation_a_mistyped_id_can_be_fixed_but_not_to_someone_elses(client):
    learner = LearnerFactory(id_number=valid_id_number(1))
    other = LearnerFactory(id_number=valid_id_number(2))
    client.force_login(learner)
    taken = client.post(
        "/my/profile/edit/", profile_data(learner, id_number=other.id_number_for_owner())
    )
    assert "该身份证号码已被注册" in taken.content.decode()
    client.post("/my/profile/edit/", profile_data(learner, id_number=valid_id_number(3)))
    learner.refresh_from_db()
    assert learner.id_number_for_owner() == valid_id_number(3)
    event = AuditEvent.objects.get(action=AuditAction.PROFILE_CHANGED, subject=learner)
    assert valid_id_number(3) not in str(event.detail)
    assert event.detail["changes"]["id_number"]["after"] == learner.id_number_masked


def test_password_change_checks_the_old_password_and_ends_other_sessions(client):
    learner = LearnerFactory()
    other_device = Client()
    other_device.force_login(learner)
    client.force_login(learner)
    wrong = client.post(
        "/my/password/",
        {
            "old_password": "nope",
            "new_password1": "Brand-new-42x",
            "new_password2": "Brand-new-42x",
        },
    )
    assert wrong.status_code == 200
    response = client.post(
        "/my/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Brand-new-42x",
            "new_password2": "Brand-new-42x",
        },
    )
    assert response.status_code == 302
    assert client.get("/my/").status_code == 200
    assert other_device.get("/my/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, subject=learner).exists()


def test_reset_by_text_message(client, outbox):
    learner = LearnerFactory(phone="13700000001")
    response = client.post(
        "/accounts/password/reset/",
        {"phone": "13700000001", "captcha_0": "t", "captcha_1": "passed"},
    )
    assert response.status_code == 302
    ((phone, text),) = outbox
    assert phone == "13700000001"
    code = re.search(r"\d{6}", text).group(0)
    done = client.post(
        "/accounts/password/reset/confirm/",
        {
            "phone": "13700000001",
            "code": code,
            "password1": "Reset-pass-2025",
            "password2": "Reset-pass-2025",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    learner.refresh_from_db()
    assert learner.check_password("Reset-pass-2025")
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET, subject=learner).exists()
    # The code is used up.
    again = client.post(
        "/accounts/password/reset/confirm/",
        {
            "phone": "13700000001",
            "code": code,
            "password1": "Other-pass-2025",
            "password2": "Other-pass-2025",
        },
    )
    assert "验证码不正确或已过期" in again.content.decode()


def test_reset_does_not_reveal_whether_a_phone_is_registered(client, outbox):
    LearnerFactory(phone="13700000002")
    known = client.post(
        "/accounts/password/reset/",
        {"phone": "13700000002", "captcha_0": "t", "captcha_1": "passed"},
        follow=True,
    )
    unknown = client.post(
        "/accounts/password/reset/",
        {"phone": "13700000003", "captcha_0": "t", "captcha_1": "passed"},
        follow=True,
    )
    assert len(outbox) == 1
    message = "如果该手机号码已注册，验证码已发送"
    assert message in known.content.decode() and message in unknown.content.decode()


def test_wrong_codes_void_the_code_after_five_tries(client, outbox):
    learner = LearnerFactory(phone="13700000004")
    client.post(
        "/accounts/password/reset/",
        {"phone": "13700000004", "captcha_0": "t", "captcha_1": "passed"},
    )
    code = re.search(r"\d{6}", outbox[0][1]).group(0)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(
            "/accounts/password/reset/confirm/",
            {
                "phone": "13700000004",
                "code": wrong,
                "password1": "Reset-pass-2025",
                "password2": "Reset-pass-2025",
            },
        )
    client.post(
        "/accounts/password/reset/confirm/",
        {
            "phone": "13700000004",
            "code": code,
            "password1": "Reset-pass-2025",
            "password2": "Reset-pass-2025",
        },
    )
    learner.refresh_from_db()
    assert not learner.check_password("Reset-pass-2025")


def test_a_phone_gets_one_code_a_minute(client, outbox):
    LearnerFactory(phone="13700000005")
    client.post(
        "/accounts/password/reset/",
        {"phone": "13700000005", "captcha_0": "t", "captcha_1": "passed"},
    )
    second = client.post(
        "/accounts/password/reset/",
        {"phone": "13700000005", "captcha_0": "t", "captcha_1": "passed"},
    )
    assert "请 1 分钟后再重新获取" in second.content.decode()
    assert len(outbox) == 1


def test_reset_password_must_not_contain_the_phone(client, outbox):
    learner = LearnerFactory(phone="13700000006")
    client.post(
        "/accounts/password/reset/",
        {"phone": "13700000006", "captcha_0": "t", "captcha_1": "passed"},
    )
    code = re.search(r"\d{6}", outbox[0][1]).group(0)
    response = client.post(
        "/accounts/password/reset/confirm/",
        {
            "phone": "13700000006",
            "code": code,
            "password1": "x13700000006",
            "password2": "x13700000006",
        },
    )
    assert "密码不能包含手机号码" in response.content.decode()
    learner.refresh_from_db()
    assert not learner.check_password("x13700000006")


def test_an_imported_learner_accepts_the_privacy_notice_first(client):
    learner = LearnerFactory(privacy_accepted_at=None)
    client.force_login(learner)
    response = client.get("/my/")
    assert response.status_code == 302
    assert response["Location"].startswith("/my/consent/")
    refused = client.post("/my/consent/?next=/my/", {})
    assert "请阅读并勾选同意" in refused.content.decode()
    accepted = client.post("/my/consent/?next=/my/", {"privacy": "on"})
    assert accepted.status_code == 302 and accepted["Location"] == "/my/"
    learner.refresh_from_db()
    assert learner.privacy_accepted_at is not None and learner.privacy_notice_version == "2025-1"
    assert client.get("/my/").status_code == 200
    # An outside address in `next` is not followed.
    client.force_login(LearnerFactory(privacy_accepted_at=None))
    away = client.post("/my/consent/?next=https://evil.example.com/", {"privacy": "on"})
    assert away["Location"] == "/my/"


def test_without_the_code_nothing_about_the_account_is_said(client, outbox):
    """A wrong code with a password that trips the account's rules must not say which rule:
    'must not contain the ID number' would let someone test guesses of the number."""
    learner = LearnerFactory(phone="13700000007")
    client.post(
        "/accounts/password/reset/",
        {"phone": "13700000007", "captcha_0": "t", "captcha_1": "passed"},
    )
    code = re.search(r"\d{6}", outbox[0][1]).group(0)
    wrong = "000000" if code != "000000" else "111111"
    tail = learner.id_number_for_owner()[-6:]
    response = client.post(
        "/accounts/password/reset/confirm/",
        {"phone": "13700000007", "code": wrong, "password1": f"x{tail}x", "password2": f"x{tail}x"},
    ).content.decode()
    assert "验证码不正确或已过期" in response
    assert "身份证号码" not in response.split("<form")[1].split("</form>")[0].replace(
        "不能包含身份证号码或手机号码", ""
    )
    # Too long a password is refused before anything else.
    long = client.post(
        "/accounts/password/reset/confirm/",
        {"phone": "13700000007", "code": code, "password1": "a" * 5000, "password2": "a" * 5000},
    )
    assert "最多" in long.content.decode() or "128" in long.content.decode()
