"""Employers register themselves; their county bureau (or the city bureau) approves them."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import (
    AuditEvent,
    County,
    Industry,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    TitleSeries,
)
from accounts.organisation_services import ORGANISATION_REVIEWED
from tests.admin_refusals import admin_refused
from tests.factories import OrganisationFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db
User = get_user_model()

REGISTER = "/accounts/register/employer/"
LOGIN = "/accounts/login/"
REVIEWS = "/admin/employers/"
PASSWORD = "Kx7-continuing-edu"
PHONE = "13712345678"


def review_url(employer) -> str:
    return f"{REVIEWS}{employer.pk}/"


@pytest.fixture
def department():
    return OrganisationFactory(
        kind=OrganisationKind.DEPARTMENT,
        credit_code=None,
        county=None,
        name="安阳市卫生健康委员会（测试）",
        industry=Industry.objects.get(name="卫生健康"),
    )


def form_data(department=None, **overrides):
    data = {
        "name": "安阳市测试人民医院",
        "credit_code": valid_credit_code(9001).lower(),
        "county": County.objects.get(code="410581").pk,
        "supervising_department": department.pk if department else "",
        "title_series": [TitleSeries.objects.get(name="卫生").pk],
        "contact_name": "刘联系",
        "contact_phone": "0372-5551234",
        "reviewer_name": "陈审核",
        "reviewer_phone": PHONE,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "captcha_0": "test",
        "captcha_1": "passed",
    }
    data.update(overrides)
    return data


def bureau_admin(county_code: str | None, username: str):
    """A bureau's staff with the approval right (group 人社局管理员): a county bureau's, or with
    county_code None the city bureau's."""
    bureau = OrganisationFactory(
        kind=OrganisationKind.BUREAU,
        credit_code=None,
        name=f"测试人社局{username}",
        county=County.objects.get(code=county_code) if county_code else None,
    )
    user = UserFactory(username=username, organisation=bureau)
    user.groups.add(Group.objects.get(name="人社局管理员"))
    return user


def pending_employer(county_code: str, name: str, phone: str):
    """A registered, pending employer with its inactive reviewer, as the public form makes it."""
    employer = OrganisationFactory(
        name=name, status=OrganisationStatus.PENDING, county=County.objects.get(code=county_code)
    )
    reviewer = UserFactory(
        username=f"dw{phone}", organisation=employer, phone=phone, is_active=False
    )
    reviewer.set_password(PASSWORD)
    reviewer.save()
    reviewer.groups.add(Group.objects.get(name="用人单位审核员"))
    return employer, reviewer


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.2.2.2")


def is_logged_in_as(client, user) -> bool:
    return str(client.session.get("_auth_user_id")) == str(user.pk)


# --- Registration ---------------------------------------------------------------------------------


def test_registration_page_is_public_and_in_chinese(client):
    response = client.get(REGISTER)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("用人单位注册", "统一社会信用代码", "所在县（市、区）", "主管部门", "职称系列"):
        assert text in html
    assert "csrfmiddlewaretoken" in html


def test_valid_registration_creates_a_pending_employer_and_an_inactive_reviewer(client, department):
    response = client.post(REGISTER, form_data(department))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/employer/done/"
    employer = Organisation.objects.get(credit_code=valid_credit_code(9001))
    assert employer.kind == OrganisationKind.EMPLOYER
    assert employer.status == OrganisationStatus.PENDING
    assert employer.county.code == "410581"
    assert employer.supervising_department == department
    assert [s.name for s in employer.title_series.all()] == ["卫生"]
    assert (employer.contact_name, employer.contact_phone) == ("刘联系", "0372-5551234")
    reviewer = User.objects.get(phone=PHONE)
    assert reviewer.organisation == employer and reviewer.employer is None
    assert reviewer.real_name == "陈审核"
    assert not reviewer.is_active
    assert reviewer.check_password(PASSWORD)
    assert list(reviewer.groups.values_list("name", flat=True)) == ["用人单位审核员"]
    assert PHONE not in reviewer.username and not re.search(r"\d{6}", reviewer.username)
    event = AuditEvent.objects.get(action="registered", subject=reviewer)
    assert event.detail["organisation"] == employer.pk
    assert event.detail["organisation_status"] == "pending"

    done = client.get(response["Location"]).content.decode()
    assert "林州市人社局" in done and "审核" in done
    assert "安阳市测试人民医院" in done
    assert PHONE not in done and "137****5678" in done


def test_supervising_department_may_be_left_empty(client):
    assert client.post(REGISTER, form_data()).status_code == 302
    assert Organisation.objects.get(name="安阳市测试人民医院").supervising_department is None


def nothing_saved():
    return (
        not Organisation.objects.filter(name="安阳市测试人民医院").exists()
        and not User.objects.filter(phone=PHONE).exists()
    )


def wrong_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.mark.parametrize(
    "credit_code,message",
    [
        (wrong_check_character(valid_credit_code(9001)), "校验位不正确"),
        ("91410500MA00012", "应为 18 位"),
        ("91410500MA00012I3O", "应为 18 位"),
    ],
    ids=["checksum", "short", "forbidden-letters"],
)
def test_bad_credit_code_gets_a_clear_error(client, credit_code, message):
    response = client.post(REGISTER, form_data(credit_code=credit_code))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert nothing_saved()


@pytest.mark.parametrize(
    "status,message",
    [
        (OrganisationStatus.APPROVED, "该统一社会信用代码已注册"),
        (OrganisationStatus.PENDING, "正在等待所在县（市、区）人社局审核，请勿重复注册"),
        (OrganisationStatus.REJECTED, "注册申请未通过审核"),
    ],
)
def test_duplicate_credit_code_gets_a_clear_error(client, status, message):
    OrganisationFactory(credit_code=valid_credit_code(9001), status=status, name="已有单位")
    response = client.post(REGISTER, form_data())
    assert response.status_code == 200
    assert message in response.content.decode()
    assert nothing_saved()


@pytest.mark.parametrize(
    "password1,password2,message",
    [
        ("Kx7-edu", "Kx7-edu", "密码长度太短"),
        ("password123", "password123", "常见"),
        ("12345678901", "12345678901", ""),  # numeric only (and too common)
        (f"ab{PHONE}", f"ab{PHONE}", "密码不能包含手机号码"),
        (PASSWORD, PASSWORD + "x", "两次输入的密码不一致"),
    ],
    ids=["short", "common", "numeric", "contains-phone", "mismatch"],
)
def test_password_rules(client, password1, password2, message):
    response = client.post(REGISTER, form_data(password1=password1, password2=password2))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="form__error"' in html
    assert message in html
    assert nothing_saved()


def test_taken_phone_and_missing_fields_save_nothing(client):
    UserFactory(username="someone", phone=PHONE)
    response = client.post(REGISTER, form_data(title_series=[], county=""))
    html = response.content.decode()
    assert "该手机号码已注册" in html
    assert "请至少选择一个职称系列" in html
    assert not Organisation.objects.filter(name="安阳市测试人民医院").exists()


def test_a_failure_midway_leaves_nothing_half_saved(client, monkeypatch):
    """If writing the reviewer fails after the organisation row was written, both are gone."""
    from accounts import organisation_services

    def broken(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(organisation_services, "audit_record", broken)
    client.raise_request_exception = False
    response = client.post(REGISTER, form_data())
    assert response.status_code == 500
    assert nothing_saved()
    assert not Organisation.objects.filter(credit_code=valid_credit_code(9001)).exists()


def test_registered_reviewer_cannot_log_in_until_the_employer_is_approved(client):
    client.post(REGISTER, form_data())
    reviewer = User.objects.get(phone=PHONE)
    employer = reviewer.organisation

    refused = login(client, PHONE)
    assert refused.status_code == 200
    assert "身份证号码/手机号或密码不正确" in refused.content.decode()
    assert not is_logged_in_as(client, reviewer)

    city = bureau_admin(None, "city_admin")
    client.force_login(city)
    response = client.post(review_url(employer), {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    client.logout()

    response = login(client, PHONE)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert is_logged_in_as(client, reviewer)
    assert client.get("/admin/staff/").status_code == 200


# --- Review by the bureau -------------------------------------------------------------------------


@pytest.fixture
def two_counties():
    linzhou, linzhou_hr = pending_employer("410581", "林州测试企业", "13700000001")
    tangyin, tangyin_hr = pending_employer("410523", "汤阴测试企业", "13700000002")
    return {
        "linzhou": linzhou,
        "linzhou_hr": linzhou_hr,
        "tangyin": tangyin,
        "tangyin_hr": tangyin_hr,
    }


def test_county_bureau_sees_only_its_countys_pending_employers_oldest_first(client, two_counties):
    later, _ = pending_employer("410581", "林州后来企业", "13700000003")
    approved_elsewhere = OrganisationFactory(
        name="汤阴已通过企业", county_id=two_counties["tangyin"].county_id
    )
    linzhou_admin = bureau_admin("410581", "linzhou_admin_t")
    client.force_login(linzhou_admin)
    response = client.get(REVIEWS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "林州测试企业" in html and "林州后来企业" in html
    assert "汤阴测试企业" not in html and approved_elsewhere.name not in html
    assert html.index("林州测试企业") < html.index(later.name)
    # Its dashboard says how many wait, and the menu leads there.
    dashboard = client.get("/admin/").content.decode()
    assert "2</strong> 家用人单位的注册申请等待审核" in dashboard
    assert "用人单位注册审核" in dashboard


def test_county_bureau_cannot_see_or_approve_another_countys_employer(client, two_counties):
    tangyin, tangyin_hr = two_counties["tangyin"], two_counties["tangyin_hr"]
    client.force_login(bureau_admin("410581", "linzhou_admin_t"))
    assert client.get(review_url(tangyin)).status_code == 404
    response = client.post(review_url(tangyin), {"decision": "approve"})
    assert response.status_code == 404
    tangyin.refresh_from_db()
    tangyin_hr.refresh_from_db()
    assert tangyin.status == OrganisationStatus.PENDING and tangyin.reviewed_by is None
    assert not tangyin_hr.is_active
    assert not AuditEvent.objects.filter(action=ORGANISATION_REVIEWED).exists()


def test_county_bureau_approves_its_own_countys_employer(client, two_counties):
    linzhou, linzhou_hr = two_counties["linzhou"], two_counties["linzhou_hr"]
    admin = bureau_admin("410581", "linzhou_admin_t")
    client.force_login(admin)
    page = client.get(review_url(linzhou)).content.decode()
    assert linzhou.credit_code in page and "137****0001" in page
    response = client.post(review_url(linzhou), {"decision": "approve", "reason": "信息核实无误"})
    assert response.status_code == 302
    linzhou.refresh_from_db()
    linzhou_hr.refresh_from_db()
    assert linzhou.status == OrganisationStatus.APPROVED
    assert linzhou.reviewed_by == admin and linzhou.reviewed_at is not None
    assert linzhou_hr.is_active
    event = AuditEvent.objects.get(action=ORGANISATION_REVIEWED, subject=linzhou_hr)
    assert event.actor == admin
    assert event.detail["organisation"] == linzhou.pk
    assert event.detail["decision"] == "approved"
    assert (event.detail["before"], event.detail["after"]) == ("pending", "approved")
    assert event.detail["account_active_before"] is False
    assert event.detail["account_active_after"] is True
    # Now approved, learners can choose it; a second decision is refused.
    response = client.post(
        review_url(linzhou), {"decision": "reject", "reason": "再来一次"}, follow=True
    )
    assert "的注册已审核（已通过），无需再次审核" in response.content.decode()
    linzhou.refresh_from_db()
    assert linzhou.status == OrganisationStatus.APPROVED


def test_the_employers_reviewer_is_told_the_decision_by_text(
    client, two_counties, django_capture_on_commit_callbacks
):
    from accounts.sms import MemorySmsBackend

    MemorySmsBackend.outbox.clear()
    client.force_login(bureau_admin(None, "city_admin"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url(two_counties["linzhou"]), {"decision": "approve"})
        client.post(
            review_url(two_counties["tangyin"]), {"decision": "reject", "reason": "不属于本市"}
        )
    assert len(MemorySmsBackend.outbox) == 2
    (phone1, text1), (phone2, text2) = MemorySmsBackend.outbox
    assert phone1 == "13700000001" and "林州测试企业" in text1 and "已通过审核" in text1
    assert phone2 == "13700000002" and "未通过审核" in text2 and "不属于本市" in text2
    MemorySmsBackend.outbox.clear()


def test_city_bureau_sees_and_approves_every_county(client, two_counties):
    city = bureau_admin(None, "city_admin")
    client.force_login(city)
    html = client.get(REVIEWS).content.decode()
    assert "林州测试企业" in html and "汤阴测试企业" in html
    response = client.post(review_url(two_counties["tangyin"]), {"decision": "approve"})
    assert response.status_code == 302
    two_counties["tangyin"].refresh_from_db()
    assert two_counties["tangyin"].status == OrganisationStatus.APPROVED


def test_reject_needs_a_reason(client, two_counties):
    linzhou, linzhou_hr = two_counties["linzhou"], two_counties["linzhou_hr"]
    admin = bureau_admin("410581", "linzhou_admin_t")
    client.force_login(admin)
    response = client.post(review_url(linzhou), {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    assert "不予通过时必须填写理由" in response.content.decode()
    linzhou.refresh_from_db()
    assert linzhou.status == OrganisationStatus.PENDING

    response = client.post(
        review_url(linzhou), {"decision": "reject", "reason": "信用代码与单位名称不符"}
    )
    assert response.status_code == 302
    linzhou.refresh_from_db()
    linzhou_hr.refresh_from_db()
    assert linzhou.status == OrganisationStatus.REJECTED
    assert linzhou.reviewed_by == admin
    assert not linzhou_hr.is_active
    event = AuditEvent.objects.get(action=ORGANISATION_REVIEWED, subject=linzhou_hr)
    assert event.detail["reason"] == "信用代码与单位名称不符"
    assert event.detail["after"] == "rejected"


def test_the_service_refuses_a_rejection_without_reason_and_out_of_scope_employers(two_counties):
    from django.core.exceptions import PermissionDenied

    from accounts.organisation_services import EmployerReviewError, employer_review

    admin = bureau_admin("410581", "linzhou_admin_t")
    with pytest.raises(EmployerReviewError):
        employer_review(reviewer=admin, employer=two_counties["linzhou"], approve=False)
    with pytest.raises(PermissionDenied):
        employer_review(reviewer=admin, employer=two_counties["tangyin"], approve=True)


def test_who_may_not_review_employers(client, two_counties):
    linzhou = two_counties["linzhou"]
    # A county bureau's 审核员 (no approve_organisation), an employer reviewer, and a department's
    # staff given the group 人社局管理员: all refused, nothing changes.
    reviewer = UserFactory(
        username="plain_reviewer", organisation=bureau_admin("410581", "x").organisation
    )
    reviewer.groups.add(Group.objects.get(name="审核员"))
    hr = UserFactory(username="hr_t", organisation=OrganisationFactory(name="某已通过单位"))
    hr.groups.add(Group.objects.get(name="用人单位审核员"))
    department = OrganisationFactory(
        kind=OrganisationKind.DEPARTMENT,
        credit_code=None,
        name="某主管部门",
        industry=Industry.objects.first(),
    )
    official = UserFactory(username="official_t", organisation=department)
    official.groups.add(Group.objects.get(name="人社局管理员"))
    for user in (reviewer, hr, official):
        client.force_login(user)
        for response in (
            client.get(REVIEWS),
            client.get(review_url(linzhou)),
            client.post(review_url(linzhou), {"decision": "approve"}),
        ):
            assert admin_refused(response)
        assert "用人单位注册审核" not in client.get("/admin/").content.decode()
    linzhou.refresh_from_db()
    assert linzhou.status == OrganisationStatus.PENDING


def test_pending_employer_is_not_offered_to_learners(client, two_counties):
    html = client.get("/accounts/register/").content.decode()
    assert "林州测试企业" not in html


def test_employer_registration_refuses_a_wrong_captcha(client):
    response = client.post(REGISTER, form_data(captcha_1="wrong"))
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()


def test_generated_login_names_never_hold_six_digits_in_a_row(monkeypatch):
    """A random name once drew 'dw337653nhbs' (CI of 2026-12-08): six digits could read as part
    of a phone or an ID number, so such a draw is drawn again."""
    from accounts import organisation_services, services

    for module, function in (
        (organisation_services, organisation_services.staff_username),
        (services, services._learner_username),
    ):
        draws = iter(["a2345678bc", "abcdefghjk"])
        monkeypatch.setattr(module, "get_random_string", lambda *a, d=draws, **k: next(d))
        name = function()
        assert name.endswith("abcdefghjk") and not re.search(r"\d{6}", name)
