"""Each institution's disclosure page: public, and editable by its own editors only."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from wagtail.models import Page

from accounts.institutions import institution_editor_add
from accounts.models import Industry, OrganisationKind
from courses.models import InstitutionIndexPage, InstitutionPage
from courses.services import institution_page_ensure
from tests.admin_refusals import admin_refused
from tests.factories import OrganisationFactory, UserFactory, home_page
from tests.player.conftest import publish

pytestmark = pytest.mark.django_db

DISCLOSURE = {
    "scope": "<p>公需科目网络培训</p>",
    "training_content": "<p>网络安全、应急管理</p>",
    "fees": [("fee", {"item": "专业科目", "standard": "每学时 2 元", "note": ""})],
    "contact": "<p>0372-1234567</p>",
}


@pytest.fixture
def two_institutions():
    index = InstitutionIndexPage(title="施教机构", slug="institutions")
    home_page().add_child(instance=index)
    pages, editors = [], []
    for name in ("甲培训学院", "乙培训学院"):
        org = OrganisationFactory(kind=OrganisationKind.INSTITUTION, credit_code=None, name=name)
        pages.append(institution_page_ensure(institution=org, **DISCLOSURE))
        editor = UserFactory(username=f"editor_{len(editors)}")
        institution_editor_add(institution=org, user=editor)
        editors.append(editor)
    return pages, editors


def test_the_disclosure_is_public(client, two_institutions):
    (page, _), _ = two_institutions
    html = client.get(page.url).content.decode()
    assert "甲培训学院" in html
    for text in ("培训范围", "培训内容", "收费项目及标准", "每学时 2 元", "0372-1234567"):
        assert text in html


def test_editors_edit_their_own_institution_page_only(client, two_institutions):
    (own, other), (editor, _) = two_institutions
    client.force_login(editor)
    assert client.get(f"/admin/pages/{own.pk}/edit/").status_code == 200
    refused = client.get(f"/admin/pages/{other.pk}/edit/")
    assert admin_refused(refused)
    editor = type(editor).objects.get(pk=editor.pk)
    assert own.permissions_for_user(editor).can_edit()
    assert not other.permissions_for_user(editor).can_edit()
    assert not own.permissions_for_user(editor).can_publish()  # publishing needs approval
    assert not home_page().permissions_for_user(editor).can_edit()
    # A forged POST to the other institution's page changes nothing.
    client.post(f"/admin/pages/{other.pk}/edit/", {"title": "被篡改"})
    assert Page.objects.get(pk=other.pk).title == "乙培训学院"


def test_ensuring_twice_keeps_the_page_and_its_content(two_institutions):
    (page, _), _ = two_institutions
    page.title = "甲培训学院（已编辑）"
    page.save_revision().publish()
    again = institution_page_ensure(institution=page.organisation, **DISCLOSURE)
    assert again.pk == page.pk
    assert InstitutionPage.objects.get(pk=page.pk).title == "甲培训学院（已编辑）"


def test_demo_content_has_the_institutions_disclosure(client):
    call_command(
        "load_demo", "--password", "Demo-pass-2025", "--skip-courses", stdout=io.StringIO()
    )
    page = InstitutionPage.objects.get()
    assert client.get(page.url).status_code == 200
    assert page.title in client.get("/institutions/").content.decode()
    assert 'href="/institutions/"' in client.get("/").content.decode()
    assert "收费项目及标准" in client.get(page.url).content.decode()


def test_the_disclosure_page_lists_the_institutions_live_courses(client, world):
    live = publish(world, title="网络安全法律法规解读")
    paid = publish(
        world,
        title="临床合理用药",
        subject="professional",
        topic=None,
        industry=Industry.objects.get(name="卫生健康"),
        fee=Decimal("30.00"),
    )
    world.course(title="尚未上架的草稿课程")
    world.course(world.b, title="乙机构的课程")
    html = client.get(world.a.page.url).content.decode()
    assert "本机构在线课程" in html
    for course, subject, fee in ((live, "公需科目", "免费"), (paid, "专业科目", "30.00 元")):
        assert f'href="{course.url}"' in html and course.title in html
        row = html[html.index(course.title) :][:400]
        assert subject in row and str(course.credit_hours) in row and fee in row
    assert "尚未上架的草稿课程" not in html and "乙机构的课程" not in html
