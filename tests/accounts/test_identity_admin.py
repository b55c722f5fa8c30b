"""The bureau's identity work: correcting a mistyped name or ID number with a reason, showing a
full number only after the password again (audited), unlocking, and ID-number disputes."""

import pytest
from django.contrib.auth.models import Group

from accounts.backends import account_key
from accounts.identity import id_number_digest
from accounts.models import AuditAction, AuditEvent, County, IdentityDispute
from tests.admin_refusals import admin_refused
from tests.factories import LearnerFactory, OrganisationFactory, UserFactory, valid_id_number

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-42"


@pytest.fixture
def bureau_admin():
    bureau = OrganisationFactory(kind="bureau", credit_code=None, name="市人社局", county=None)
    user = UserFactory(username="city_admin", organisation=bureau)
    user.groups.add(Group.objects.get(name="人社局管理员"))
    return user


def test_bureau_corrects_a_mistyped_id_with_a_reason(client, bureau_admin):
    person = LearnerFactory(real_name="张三", id_number=valid_id_number(11))
    client.force_login(bureau_admin)
    url = f"/admin/people/{person.pk}/"
    missing_reason = client.post(
        url,
        {"action": "correct", "real_name": "张三", "id_number": valid_id_number(12), "reason": ""},
    )
    assert missing_reason.status_code == 200
    person.refresh_from_db()
    assert person.id_number_digest == id_number_digest(valid_id_number(11))

    response = client.post(
        url,
        {
            "action": "correct",
            "real_name": "张叁",
            "id_number": valid_id_number(12),
            "reason": "本人持证核实",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.real_name == "张叁"
    assert person.id_number_for_owner() == valid_id_number(12)
    event = AuditEvent.objects.get(action=AuditAction.IDENTITY_CORRECTED, subject=person)
    assert event.actor == bureau_admin and event.detail["reason"] == "本人持证核实"
    assert event.detail["changes"]["real_name"] == {"before": "张三", "after": "张叁"}
    assert valid_id_number(12) not in str(event.detail)


def test_full_number_needs_the_password_and_is_audited(client, bureau_admin):
    person = LearnerFactory(id_number=valid_id_number(21))
    client.force_login(bureau_admin)
    url = f"/admin/people/{person.pk}/"
    page = client.get(url).content.decode()
    assert valid_id_number(21) not in page and person.id_number_masked in page
    wrong = client.post(url, {"action": "reveal", "password": "wrong"}).content.decode()
    assert valid_id_number(21) not in wrong
    shown = client.post(url, {"action": "reveal", "password": PASSWORD})
    assert valid_id_number(21) in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    views = AuditEvent.objects.filter(action=AuditAction.ID_NUMBER_VIEWED, subject=person)
    assert [e.succeeded for e in views.order_by("pk")] == [False, True]


def test_employer_reviewer_can_unlock_own_staff_but_not_correct_or_reveal(client):
    from axes.models import AccessAttempt

    hospital = OrganisationFactory()
    hr = UserFactory(username="hr2", organisation=hospital)
    hr.groups.add(Group.objects.get(name="用人单位审核员"))
    person = LearnerFactory(employer=hospital, id_number=valid_id_number(31))
    AccessAttempt.objects.create(
        username=account_key(person),
        ip_address="10.0.0.1",
        user_agent="t",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    client.force_login(hr)
    page = client.get(f"/admin/people/{person.pk}/").content.decode()
    assert "已锁定" in page
    assert "更正姓名或身份证号码" not in page
    assert client.post(f"/admin/people/{person.pk}/unlock/").status_code == 302
    assert not AccessAttempt.objects.filter(username=account_key(person)).exists()
    assert AuditEvent.objects.filter(action=AuditAction.UNLOCKED, subject=person, actor=hr).exists()
    refused = client.post(f"/admin/people/{person.pk}/", {"action": "reveal", "password": PASSWORD})
    assert admin_refused(refused)
    assert valid_id_number(31) not in refused.content.decode()


def test_staff_cannot_open_people_outside_their_scope(client):
    linzhou = County.objects.get(code="410581")
    bureau = OrganisationFactory(kind="bureau", credit_code=None, name="林州人社局", county=linzhou)
    admin = UserFactory(username="linzhou_admin2", organisation=bureau)
    admin.groups.add(Group.objects.get(name="人社局管理员"))
    outsider = LearnerFactory()  # employer in 文峰区
    client.force_login(admin)
    assert client.get(f"/admin/people/{outsider.pk}/").status_code == 404
    assert client.post(f"/admin/people/{outsider.pk}/unlock/").status_code == 404
    listing = client.get("/admin/people/", {"q": outsider.id_number_for_owner()}).content.decode()
    assert outsider.real_name not in listing


def test_people_search_finds_by_exact_id_number(client, bureau_admin):
    person = LearnerFactory(real_name="李查询", id_number=valid_id_number(41))
    LearnerFactory(real_name="王无关")
    client.force_login(bureau_admin)
    html = client.get("/admin/people/", {"q": valid_id_number(41).lower()}).content.decode()
    assert "李查询" in html and "王无关" not in html
    assert valid_id_number(41) not in html.replace(f'value="{valid_id_number(41).lower()}"', "")
    assert person.id_number_masked in html


def test_a_dispute_reaches_the_bureau(client, bureau_admin):
    holder = LearnerFactory(real_name="占用者", id_number=valid_id_number(51))
    response = client.post(
        "/accounts/id-dispute/",
        {
            "real_name": "真本人",
            "id_number": valid_id_number(51),
            "phone": "13600000001",
            "description": "我从未注册过",
            "captcha_0": "t",
            "captcha_1": "passed",
        },
    )
    assert "已提交核查申请" in response.content.decode()
    dispute = IdentityDispute.objects.get()
    assert dispute.registered_account() == holder
    assert valid_id_number(51) not in dispute.id_number_ciphertext
    client.force_login(bureau_admin)
    page = client.get("/admin/disputes/").content.decode()
    assert "真本人" in page and dispute.id_number_masked in page and valid_id_number(51) not in page
    client.post("/admin/disputes/", {"dispute": dispute.pk, "resolution": "已核实，更正占用账号"})
    dispute.refresh_from_db()
    assert dispute.status == "resolved" and dispute.resolved_by == bureau_admin


def test_county_bureaus_do_not_see_disputes(client):
    linzhou = County.objects.get(code="410581")
    bureau = OrganisationFactory(
        kind="bureau", credit_code=None, name="林州人社局3", county=linzhou
    )
    admin = UserFactory(username="linzhou_admin3", organisation=bureau)
    admin.groups.add(Group.objects.get(name="人社局管理员"))
    client.force_login(admin)
    response = client.get("/admin/disputes/")
    assert admin_refused(response)


def test_guessing_the_password_to_reveal_is_stopped_after_five_tries(client, bureau_admin):
    person = LearnerFactory(id_number=valid_id_number(71))
    client.force_login(bureau_admin)
    url = f"/admin/people/{person.pk}/"
    for _ in range(5):
        client.post(url, {"action": "reveal", "password": "guess"})
    right = client.post(url, {"action": "reveal", "password": PASSWORD}).content.decode()
    assert valid_id_number(71) not in right
    assert "密码错误次数过多" in right
