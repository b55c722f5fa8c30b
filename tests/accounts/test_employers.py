"""Employer reviewers confirm that registrants are their staff, one by one or in a batch, and
reach nobody else's people."""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import AuditAction, AuditEvent, EmploymentStatus, Industry
from tests.admin_refusals import admin_refused
from tests.factories import LearnerFactory, OrganisationFactory, UserFactory, employer_reviewer

pytestmark = pytest.mark.django_db
User = get_user_model()

URL = "/admin/staff/"


@pytest.fixture
def hospital():
    return OrganisationFactory(name="安阳市测试医院")


@pytest.fixture
def hr(hospital):
    return employer_reviewer(hospital)


def test_reviewer_sees_only_registrants_of_their_employer_masked(client, hospital, hr):
    mine = LearnerFactory(employer=hospital, real_name="李本院")
    theirs = LearnerFactory(real_name="赵外单位")
    client.force_login(hr)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "李本院" in html and "赵外单位" not in html
    assert mine.id_number_masked in html
    assert mine.id_number_for_owner() not in html
    assert theirs.id_number_masked not in html


def test_confirm_one_then_the_learner_sees_it(client, hospital, hr):
    learner = LearnerFactory(employer=hospital)
    client.force_login(hr)
    response = client.post(URL, {"user": [learner.pk], "decision": "confirm"})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.employment_status == EmploymentStatus.CONFIRMED
    event = AuditEvent.objects.get(action=AuditAction.EMPLOYMENT_REVIEWED, subject=learner)
    assert event.actor == hr
    assert event.detail["before"] == "pending" and event.detail["after"] == "confirmed"

    client.force_login(learner)
    assert "单位已确认" in client.get("/my/").content.decode()


def test_batch_confirm_and_decline(client, hospital, hr):
    people = LearnerFactory.create_batch(3, employer=hospital)
    client.force_login(hr)
    client.post(URL, {"user": [p.pk for p in people[:2]], "decision": "confirm"})
    client.post(URL, {"user": [people[2].pk], "decision": "decline"})
    statuses = sorted(
        User.objects.filter(pk__in=[x.pk for x in people]).values_list(
            "employment_status", flat=True
        )
    )
    assert statuses == ["confirmed", "confirmed", "rejected"]


def test_reviewer_cannot_confirm_another_employers_registrant(client, hospital, hr):
    outsider = LearnerFactory()
    client.force_login(hr)
    client.post(URL, {"user": [outsider.pk], "decision": "confirm"})
    outsider.refresh_from_db()
    assert outsider.employment_status == EmploymentStatus.PENDING


def test_people_without_the_role_are_refused(client, hospital):
    learner = LearnerFactory(employer=hospital)
    client.force_login(learner)
    assert admin_refused(client.get(URL), learner)
    # A staff user of another kind of organisation, even with the permission, is refused.
    department = OrganisationFactory(
        kind="department", credit_code=None, name="卫健委", industry=Industry.objects.first()
    )
    from django.contrib.auth.models import Group

    official = UserFactory(username="official", organisation=department)
    official.groups.add(Group.objects.get(name="用人单位审核员"))
    client.force_login(official)
    # Wagtail's admin answers a refusal by sending the user back to the dashboard.
    for response in (
        client.get(URL),
        client.post(URL, {"user": [learner.pk], "decision": "confirm"}),
    ):
        assert admin_refused(response)
    learner.refresh_from_db()
    assert learner.employment_status == EmploymentStatus.PENDING


def test_dashboard_shows_how_many_wait(client, hospital, hr):
    LearnerFactory.create_batch(2, employer=hospital)
    client.force_login(hr)
    html = client.get("/admin/").content.decode()
    assert "2</strong> 人注册时选择了本单位" in html
    assert "本单位人员确认" in html


def test_bad_request_changes_nothing(client, hospital, hr):
    learner = LearnerFactory(employer=hospital)
    client.force_login(hr)
    response = client.post(URL, {"user": [learner.pk], "decision": "approve-all"}, follow=True)
    assert "请先勾选人员" in response.content.decode()
    learner.refresh_from_db()
    assert learner.employment_status == EmploymentStatus.PENDING
