"""Each role reaches only its organisation's scope (DESIGN.md §5)."""

import pytest
from django.contrib.auth.models import Group
from wagtail.images import get_image_model
from wagtail.models import Collection

from accounts.institutions import institution_editor_add
from accounts.models import County, Industry, OrganisationKind, TitleSeries
from tests.factories import LearnerFactory, OrganisationFactory, UserFactory, employer_reviewer

pytestmark = pytest.mark.django_db


def staff(org, role, username):
    user = UserFactory(username=username, organisation=org)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def world():
    linzhou = County.objects.get(code="410581")
    wenfeng = County.objects.get(code="410502")
    health = Industry.objects.get(name="卫生健康")
    dept = OrganisationFactory(
        kind=OrganisationKind.DEPARTMENT, credit_code=None, name="卫健委", industry=health
    )
    dept.title_series.set(TitleSeries.objects.filter(industry=health))
    linzhou_employer = OrganisationFactory(name="林州某厂", county=linzhou)
    wenfeng_employer = OrganisationFactory(name="文峰某院", county=wenfeng)
    return {
        "linzhou_learner": LearnerFactory(employer=linzhou_employer, real_name="林州人"),
        "wenfeng_learner": LearnerFactory(
            employer=wenfeng_employer,
            real_name="文峰人",
            title_series=TitleSeries.objects.get(name="卫生"),
        ),
        "linzhou_bureau": staff(
            OrganisationFactory(kind="bureau", credit_code=None, name="林州人社局", county=linzhou),
            "人社局管理员",
            "linzhou_admin",
        ),
        "city_bureau": staff(
            OrganisationFactory(kind="bureau", credit_code=None, name="市人社局", county=None),
            "人社局管理员",
            "city_admin",
        ),
        "department": staff(dept, "人社局管理员", "dept_admin"),
        "linzhou_hr": employer_reviewer(linzhou_employer, "linzhou_hr"),
    }


@pytest.mark.parametrize(
    "viewer,sees,hidden",
    [
        ("linzhou_bureau", "林州人", "文峰人"),
        ("department", "文峰人", "林州人"),
        ("linzhou_hr", "林州人", "文峰人"),
    ],
)
def test_user_admin_lists_only_the_viewers_scope(client, world, viewer, sees, hidden):
    client.force_login(world[viewer])
    html = client.get("/admin/users/").content.decode()
    assert sees in html
    assert hidden not in html


def test_city_bureau_sees_every_county(client, world):
    client.force_login(world["city_bureau"])
    html = client.get("/admin/users/").content.decode()
    assert "林州人" in html and "文峰人" in html


def test_county_bureau_cannot_open_another_countys_person(client, world):
    from django.contrib.auth.models import Permission

    # Editing users is the superuser's by default; were a county bureau ever given it, the
    # scope still holds.
    admin = world["linzhou_bureau"]
    admin.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(admin)
    insider, outsider = world["linzhou_learner"], world["wenfeng_learner"]
    # The same views answer for someone in the county (so the URLs are the real ones)...
    assert client.get(f"/admin/users/edit/{insider.pk}/").status_code == 200
    assert client.get(f"/admin/users/history/{insider.pk}/").status_code == 200
    # ...and refuse someone outside it.
    assert client.get(f"/admin/users/edit/{outsider.pk}/").status_code == 404
    assert client.get(f"/admin/users/history/{outsider.pk}/").status_code == 404
    assert client.post(f"/admin/users/delete/{outsider.pk}/").status_code == 404
    assert type(outsider).objects.filter(pk=outsider.pk).exists()


def test_institution_editors_reach_only_their_own_collection(world):
    from wagtail.permissions import policy_registry

    permission_policy = policy_registry.get_by_type(get_image_model())
    first = OrganisationFactory(kind=OrganisationKind.INSTITUTION, credit_code=None, name="甲机构")
    second = OrganisationFactory(kind=OrganisationKind.INSTITUTION, credit_code=None, name="乙机构")
    editor = UserFactory(username="editor_a")
    institution_editor_add(institution=first, user=editor)
    institution_editor_add(institution=second, user=UserFactory(username="editor_b"))
    editor = type(editor).objects.get(pk=editor.pk)  # fresh permission cache
    allowed = set(permission_policy.collections_user_has_permission_for(editor, "add"))
    # Its internal collection (private files) and its public one (what it publishes).
    assert allowed == {
        Collection.objects.get(name="甲机构"),
        Collection.objects.get(name="甲机构（公开资料）"),
    }
    image_model = get_image_model()
    assert not permission_policy.user_has_permission_for_instance(
        editor, "change", image_model(collection=Collection.objects.get(name="乙机构"))
    )


def test_a_superuser_creates_a_department_reviewer_in_its_organisation(client, world):
    from tests.factories import StaffUserFactory

    department = world["department"].organisation
    client.force_login(StaffUserFactory(username="root_admin"))
    form = client.get("/admin/users/new/").content.decode()
    assert 'name="real_name"' in form and 'name="organisation"' in form
    assert 'name="first_name"' not in form
    response = client.post(
        "/admin/users/new/",
        {
            "username": "new_reviewer",
            "real_name": "新审核员",
            "organisation": department.pk,
            "email": "",
            "password1": "Reviewer-pass-2025x",
            "password2": "Reviewer-pass-2025x",
            "groups": [Group.objects.get(name="审核员").pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = type(world["department"]).objects.get(username="new_reviewer")
    assert created.organisation == department and created.real_name == "新审核员"
    assert created.groups.filter(name="审核员").exists()


@pytest.mark.parametrize("viewer", ["linzhou_hr", "linzhou_bureau", "city_bureau"])
def test_staff_see_people_by_name_and_masked_contact_never_the_username(client, world, viewer):
    learner = world["linzhou_learner"]
    learner.phone = "13812345678"
    learner.save(update_fields=["phone"])
    client.force_login(world[viewer])
    html = client.get("/admin/users/").content.decode()
    assert "林州人" in html and "138****5678" in html
    assert learner.username not in html and "13812345678" not in html
    assert "用户名" not in html  # no username column
    # Searching by name finds them.
    found = client.get("/admin/users/results/?q=林州人").content.decode()
    assert "林州人" in found and learner.username not in found
