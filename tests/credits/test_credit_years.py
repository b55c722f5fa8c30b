"""学时年度规则: the city bureau edits a year's rules in the admin, each change audited before →
after; a closed year is frozen; nobody else (a county bureau included) can change them;
production refuses fewer than 45 minutes per 学时."""

import re

import pytest
from django.contrib.auth.models import Group

from accounts.models import AuditAction, AuditEvent, County, OrganisationKind
from credits.models import CreditYear
from tests.admin_refusals import admin_refused
from tests.factories import OrganisationFactory, UserFactory
from tests.media.people import make_staff

pytestmark = pytest.mark.django_db

BASE = "/admin/credit_years/"


def bureau_admin(username: str = "bureau", county: str | None = None):
    """An admin (人社局管理员) of the city bureau, or of the bureau of `county` (its code)."""
    bureau = OrganisationFactory(
        kind=OrganisationKind.BUREAU,
        credit_code=None,
        county=County.objects.get(code=county) if county else None,
        name=f"{username} 人社局",
    )
    user = UserFactory(username=username, organisation=bureau)
    user.groups.add(Group.objects.get(name="人社局管理员"))
    return user


def form(rules: CreditYear, **changes) -> dict:
    data = {
        "required_total": rules.required_total,
        "required_public": rules.required_public,
        "required_professional": rules.required_professional,
        "minutes_per_hour": rules.minutes_per_hour,
        "completion_coverage": rules.completion_coverage,
        "heartbeat_interval_seconds": rules.heartbeat_interval_seconds,
        "heartbeat_messages_per_interval": rules.heartbeat_messages_per_interval,
        "outage_grace_seconds": rules.outage_grace_seconds,
        "attention_check_min_minutes": rules.attention_check_min_minutes,
        "attention_check_max_minutes": rules.attention_check_max_minutes,
        "review_working_days": rules.review_working_days,
    }
    if rules.closed:
        data["closed"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_bureau_edits_a_years_rules(client):
    year = CreditYear.objects.get(year=2026)
    assert str(year.completion_coverage) == "0.95" and year.attention_check_min_minutes == 8
    client.force_login(bureau_admin())
    assert "2026" in client.get(BASE).content.decode()
    edit = client.get(f"{BASE}edit/2026/").content.decode()
    assert 'name="minutes_per_hour"' in edit and 'name="year"' not in edit
    response = client.post(f"{BASE}edit/2026/", form(year, minutes_per_hour=2, year=1999))
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.minutes_per_hour == 2
    assert not CreditYear.objects.filter(year=1999).exists()  # the key never changes

    response = client.post(
        f"{BASE}edit/2026/",
        form(year, attention_check_min_minutes=20, attention_check_max_minutes=10),
    )
    assert response.status_code == 200
    assert "最长间隔不能小于最短间隔。" in response.content.decode()


def test_a_closed_year_is_frozen(client):
    year = CreditYear.objects.get(year=2025)
    CreditYear.objects.filter(pk=2025).update(closed=True)
    year.refresh_from_db()
    client.force_login(bureau_admin())
    response = client.post(f"{BASE}edit/2025/", form(year, minutes_per_hour=3))
    assert response.status_code == 200
    assert "该年度已结束，规则不能再修改。" in response.content.decode()
    year.refresh_from_db()
    assert year.minutes_per_hour != 3


def test_only_the_city_bureau_changes_rules(client):
    year = CreditYear.objects.get(year=2026)
    county_admin = bureau_admin("linzhou_admin", county="410581")
    # A member of the 人社局管理员 group with no bureau behind them is no bureau either.
    others = [
        county_admin,
        make_staff("人社局管理员", "groupless_admin"),
        make_staff("审核员", "reviewer"),
        make_staff("施教机构编辑", "editor"),
        make_staff("用人单位审核员", "hr"),
        make_staff("学员", "learner"),
    ]
    for user in others:
        client.force_login(user)
        changed = form(year, completion_coverage="0.80", outage_grace_seconds=600)
        response = client.post(f"{BASE}edit/2026/", changed)
        assert admin_refused(response, user), user.username
        assert admin_refused(client.post(f"{BASE}new/", form(year, year=2031)), user)
        assert admin_refused(client.post(f"{BASE}delete/2026/"), user)
    year.refresh_from_db()
    assert str(year.completion_coverage) == "0.95" and year.outage_grace_seconds == 120
    assert CreditYear.objects.filter(year__in=[2026, 2031]).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.RULES_CHANGED).exists()

    # The county bureau still reads them: the list, and the year's page.
    client.force_login(county_admin)
    listing = client.get(BASE).content.decode()
    assert "2026" in listing and not re.search(r">\s*(True|False)\s*<", listing)
    assert client.get(f"{BASE}inspect/2026/").status_code == 200
    assert admin_refused(client.get(f"{BASE}edit/2026/"))


def test_every_rule_change_is_audited_before_and_after(client):
    year = CreditYear.objects.get(year=2026)
    admin = bureau_admin()
    client.force_login(admin)
    response = client.post(
        f"{BASE}edit/2026/", form(year, completion_coverage="0.90", outage_grace_seconds=180)
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.RULES_CHANGED)
    assert event.actor == admin and event.succeeded
    assert event.detail["year"] == 2026 and event.detail["created"] is False
    assert event.detail["changes"] == {
        "completion_coverage": ["0.95", "0.90"],
        "outage_grace_seconds": ["120", "180"],
    }
    # Saving with nothing changed writes no row; a new year is audited as created.
    client.post(f"{BASE}edit/2026/", form(CreditYear.objects.get(year=2026)))
    assert AuditEvent.objects.filter(action=AuditAction.RULES_CHANGED).count() == 1
    response = client.post(f"{BASE}new/", form(year, year=2031, minutes_per_hour=45))
    assert response.status_code == 302, response.content.decode()[:1000]
    created = AuditEvent.objects.filter(action=AuditAction.RULES_CHANGED).first()
    assert created.detail["year"] == 2031 and created.detail["created"] is True
    assert created.detail["changes"]["minutes_per_hour"] == [None, "45"]


def test_production_refuses_fewer_than_45_minutes(settings):
    from django.core.exceptions import ValidationError

    settings.CREDIT_MINUTES_PER_HOUR_MIN = 45
    year = CreditYear(year=2031, minutes_per_hour=30)
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert "每学时不得少于 45 分钟。" in str(error.value)


def test_each_year_has_its_deadlines_and_the_bureau_can_move_them(client):
    import datetime

    from credits.api import current_year

    year = CreditYear.objects.get(year=2026)
    assert year.deadline == datetime.date(2026, 12, 30)
    assert year.accounting_deadline == datetime.date(2026, 12, 31)
    assert current_year(datetime.date(2026, 12, 30)) == 2026
    assert current_year(datetime.date(2026, 12, 31)) == 2027
    assert current_year(datetime.date(2026, 12, 31), accounting=True) == 2026
    assert current_year(datetime.date(2027, 1, 1), accounting=True) == 2027

    # The 2026 notice gives until Jan 15: completions until then count for 2026.
    client.force_login(bureau_admin())
    response = client.post(
        f"{BASE}edit/2026/",
        form(year, deadline="2027-01-15", accounting_deadline="2027-01-15"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert current_year(datetime.date(2027, 1, 10)) == 2026
    assert current_year(datetime.date(2027, 1, 16)) == 2027
    assert current_year(datetime.date(2027, 1, 10), accounting=True) == 2026

    # A deadline outside its year (or past March of the next) is refused, with a message.
    response = client.post(f"{BASE}edit/2026/", form(year, deadline="2027-06-30"))
    assert response.status_code == 200 and "截止日期应在本年度内" in response.content.decode()
    assert CreditYear.objects.get(year=2026).deadline == datetime.date(2027, 1, 15)
