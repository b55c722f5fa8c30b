"""首次注册: real-name registration, the ID number's protection, and the my-area status."""

import re

import pytest
from django.contrib.auth import get_user_model

from accounts.identity import (
    id_number_digest,
    id_number_mask,
    id_number_validate,
)
from accounts.models import AuditAction, AuditEvent, EmploymentStatus, OrganisationStatus
from tests.factories import LearnerFactory, OrganisationFactory, valid_id_number

pytestmark = pytest.mark.django_db
User = get_user_model()

ID_NUMBER = "11010519491231002X"  # the GB 11643 example, checksum-valid


@pytest.fixture
def employer():
    return OrganisationFactory(name="安阳市第一测试医院")


def form_data(employer, **overrides):
    data = {
        "real_name": "王小明",
        "id_number": ID_NUMBER.lower(),
        "phone": "13912345678",
        "employer": employer.pk,
        "title_series": "",
        "title_level": "intermediate",
        "password1": "Kx7-continuing-edu",
        "password2": "Kx7-continuing-edu",
        "privacy": "on",
        "captcha_0": "test",
        "captcha_1": "passed",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "value,message",
    [
        ("110105194912310021", "校验位不正确"),
        ("11010519491231002", "应为 18 位"),
        ("110105194913310028", "出生日期无效"),
        ("A10105194912310021", "应为 18 位"),
    ],
)
def test_id_number_validation_explains_what_is_wrong(value, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        id_number_validate(value)
    assert message in str(error.value)


def test_masking_keeps_four_characters_at_each_end():
    assert id_number_mask(ID_NUMBER) == "1101**********002X"


def test_phone_masking_keeps_the_first_three_and_last_four_digits():
    from accounts.identity import phone_mask

    assert phone_mask("13800000001") == "138****0001"
    assert phone_mask("") == "" and phone_mask(None) == ""
    assert phone_mask("12345") == "*****"  # not a mobile number: nothing of it shown


def test_registration_creates_a_pending_learner_with_an_encrypted_id(client, employer):
    response = client.post("/accounts/register/", form_data(employer))
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    user = User.objects.get(phone="13912345678")
    assert user.real_name == "王小明"
    assert user.employer == employer
    assert user.employment_status == EmploymentStatus.PENDING
    assert user.groups.filter(name="学员").exists()
    assert user.privacy_notice_version == "2025-1" and user.privacy_accepted_at
    # Encrypted at rest, found by digest, masked for display; the username is not the number.
    assert ID_NUMBER not in user.id_number_ciphertext
    assert user.id_number_digest == id_number_digest(ID_NUMBER)
    assert user.id_number_masked == "1101**********002X"
    assert user.id_number_for_owner() == ID_NUMBER
    assert ID_NUMBER.lower() not in user.username.lower() and not re.search(r"\d{6}", user.username)
    assert AuditEvent.objects.filter(action=AuditAction.REGISTERED, subject=user).exists()

    # The newcomer is logged in and sees that the employer has still to confirm them.
    area = client.get("/my/").content.decode()
    assert "王小明" in area and "安阳市第一测试医院" in area
    assert "待单位确认" in area
    assert ID_NUMBER not in area


def test_bad_checksum_is_refused_with_a_clear_error(client, employer):
    response = client.post(
        "/accounts/register/", form_data(employer, id_number="110105194912310021")
    )
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in response.content.decode()
    assert not User.objects.filter(phone="13912345678").exists()


def test_duplicate_id_number_is_refused_and_explains_what_to_do(client, employer):
    LearnerFactory(id_number=ID_NUMBER)
    response = client.post("/accounts/register/", form_data(employer))
    html = response.content.decode()
    assert response.status_code == 200
    assert "该身份证号码已被注册" in html
    assert "申请核查" in html
    assert User.objects.filter(id_number_digest=id_number_digest(ID_NUMBER)).count() == 1


def test_privacy_consent_is_required_and_starts_unticked(client, employer):
    page = client.get("/accounts/register/").content.decode()
    checkbox = re.search(r'<input[^>]*name="privacy"[^>]*>', page).group(0)
    assert "checked" not in checkbox
    data = form_data(employer)
    del data["privacy"]
    response = client.post("/accounts/register/", data)
    assert "请阅读并勾选同意《个人信息保护告知书》" in response.content.decode()
    assert not User.objects.filter(phone="13912345678").exists()


@pytest.mark.parametrize(
    "password,message",
    [
        ("short1!", "密码长度太短"),
        ("password123", "太常见"),
        ("ab13912345678", "不能包含手机号码"),
        ("x11010519491231002X", "不能包含身份证号码"),
        ("pw-31002x-pw", "不能包含身份证号码"),
    ],
)
def test_weak_passwords_are_refused(client, employer, password, message):
    response = client.post(
        "/accounts/register/", form_data(employer, password1=password, password2=password)
    )
    assert message in response.content.decode()
    assert not User.objects.filter(phone="13912345678").exists()


def test_only_approved_employers_can_be_chosen(client, employer):
    pending = OrganisationFactory(name="尚未审核的单位", status=OrganisationStatus.PENDING)
    page = client.get("/accounts/register/").content.decode()
    assert "安阳市第一测试医院" in page and "尚未审核的单位" not in page
    response = client.post("/accounts/register/", form_data(pending))
    assert response.status_code == 200
    assert not User.objects.filter(phone="13912345678").exists()


def test_phone_must_be_a_mainland_mobile_and_unique(client, employer):
    response = client.post("/accounts/register/", form_data(employer, phone="12345"))
    assert "请输入 11 位中国大陆手机号码" in response.content.decode()
    LearnerFactory(phone="13912345678")
    response = client.post("/accounts/register/", form_data(employer))
    assert "该手机号码已注册" in response.content.decode()


def test_full_id_number_is_shown_to_its_owner_only(client):
    owner = LearnerFactory(id_number=valid_id_number(7))
    other = LearnerFactory()
    full = owner.id_number_for_owner()
    client.force_login(owner)
    assert full in client.get("/my/profile/").content.decode()
    assert full not in client.get("/my/").content.decode()
    client.force_login(other)
    assert full not in client.get("/my/profile/").content.decode()


def test_my_area_needs_login(client):
    response = client.get("/my/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_wrong_captcha_is_refused(client, employer):
    response = client.post("/accounts/register/", form_data(employer, captcha_1="wrong"))
    assert "验证码不正确" in response.content.decode()
    assert not User.objects.filter(phone="13912345678").exists()
