"""异常学习提示: the bureau's admins read the fraud signals of the learners in their scope (the
city bureau all, a county bureau its county); nobody else, and nobody edits them."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import County
from player.models import FraudSignal
from tests.admin_refusals import admin_refused
from tests.factories import LearnerFactory, OrganisationFactory, UserFactory
from tests.media.people import make_staff

pytestmark = pytest.mark.django_db


def bureau_admin(username, county=None):
    organisation = OrganisationFactory(
        kind="bureau", credit_code=None, name=f"{username}人社局", county=county
    )
    user = UserFactory(username=username, organisation=organisation)
    user.groups.add(Group.objects.get(name="人社局管理员"))
    return user


def signal_for(learner, detail):
    return FraudSignal.objects.create(
        learner=learner,
        kind=FraudSignal.Kind.ATTENTION_CHECK,
        detail=detail,
        created_at=timezone.now(),
    )


@pytest.fixture
def signals(db):
    linzhou = County.objects.get(code="410581")
    wenfeng = County.objects.get(code="410502")
    linzhou_learner = LearnerFactory(
        employer=OrganisationFactory(name="林州某厂", county=linzhou), real_name="王小明"
    )
    linzhou_learner.set_id_number("410502199001011234")
    linzhou_learner.save()
    wenfeng_learner = LearnerFactory(
        employer=OrganisationFactory(name="文峰某院", county=wenfeng), real_name="李文峰"
    )
    return {
        "linzhou": signal_for(
            linzhou_learner, "学习《网络安全法律法规解读》时随机验证连续答错 3 次"
        ),
        "wenfeng": signal_for(
            wenfeng_learner, "学习《应急管理基础知识与实务》时随机验证连续答错 3 次"
        ),
        "linzhou_county": linzhou,
    }


def test_the_city_bureau_reads_every_signal_masked(client, signals):
    client.force_login(bureau_admin("city_admin"))
    response = client.get("/admin/fraud_signals/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "网络安全法律法规解读" in html and "应急管理基础知识与实务" in html
    assert "王小明" in html and "410502199001011234" not in html
    signal = signals["linzhou"]
    assert client.get(f"/admin/fraud_signals/inspect/{signal.pk}/").status_code == 200
    assert admin_refused(client.get(f"/admin/fraud_signals/edit/{signal.pk}/"))
    assert admin_refused(client.get(f"/admin/fraud_signals/delete/{signal.pk}/"))
    assert FraudSignal.objects.filter(pk=signal.pk).exists()


def test_a_county_bureau_reads_its_own_countys_signals_only(client, signals):
    client.force_login(bureau_admin("linzhou_admin", signals["linzhou_county"]))
    html = client.get("/admin/fraud_signals/").content.decode()
    assert "网络安全法律法规解读" in html and "应急管理基础知识与实务" not in html
    other = signals["wenfeng"]
    assert client.get(f"/admin/fraud_signals/inspect/{other.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["审核员", "施教机构编辑", "用人单位审核员"])
def test_others_do_not_see_them(client, signals, role):
    client.force_login(make_staff(role, f"staff_{role}"))
    response = client.get("/admin/fraud_signals/")
    assert admin_refused(response)
