"""异常学习提示: the bureau's admins read the fraud signals; nobody else, and nobody edits them."""

import pytest
from django.utils import timezone

from player.models import FraudSignal
from tests.media.people import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def signal(world):
    world.learner.real_name = "王小明"
    world.learner.set_id_number("410502199001011234")
    world.learner.save()
    return FraudSignal.objects.create(
        learner=world.learner,
        kind=FraudSignal.Kind.ATTENTION_CHECK,
        detail="学习《网络安全法律法规解读》第1讲时随机验证连续答错 3 次，本次学习已结束。",
        created_at=timezone.now(),
    )


def test_the_bureau_reads_the_signals_masked(client, signal):
    client.force_login(make_staff("人社局管理员", "bureau_admin"))
    response = client.get("/admin/fraud_signals/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "随机验证连续答错 3 次" in html and "王小明" in html
    assert "410502199001011234" not in html
    inspect = client.get(f"/admin/fraud_signals/inspect/{signal.pk}/")
    assert inspect.status_code == 200
    assert client.get(f"/admin/fraud_signals/edit/{signal.pk}/").status_code in (302, 403)
    assert client.get(f"/admin/fraud_signals/delete/{signal.pk}/").status_code in (302, 403)
    assert FraudSignal.objects.filter(pk=signal.pk).exists()


@pytest.mark.parametrize("role", ["审核员", "施教机构编辑", "用人单位审核员"])
def test_others_do_not_see_them(client, signal, role):
    client.force_login(make_staff(role, f"staff_{role}"))
    response = client.get("/admin/fraud_signals/")
    assert response.status_code in (302, 403)
