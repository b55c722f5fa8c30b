"""Instructors are snippets of their institution: editors see and change only their own, the
institution is never chosen from the request, the bio is required, reviewers only read."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError

from accounts.institutions import institution_editor_add
from courses.models import Instructor
from tests.admin_refusals import admin_refused
from tests.factories import InstitutionFactory, InstructorFactory, UserFactory

pytestmark = pytest.mark.django_db
INDEX = "/admin/snippets/courses/instructor/"


@pytest.fixture
def setup():
    first = InstitutionFactory(name="甲学院")
    second = InstitutionFactory(name="乙学院")
    editor = UserFactory(username="inst_editor")
    institution_editor_add(institution=first, user=editor)
    theirs = InstructorFactory(
        institution=second, name="乙老师", title="教授", affiliation="乙大学", bio="网络安全专家"
    )
    mine = InstructorFactory(
        institution=first, name="甲老师", title="副教授", affiliation="甲大学", bio="应急管理专家"
    )
    return {"first": first, "second": second, "editor": editor, "mine": mine, "theirs": theirs}


def test_editor_lists_and_edits_only_their_own(client, setup):
    client.force_login(setup["editor"])
    html = client.get(INDEX).content.decode()
    assert "甲老师" in html and "乙老师" not in html
    assert client.get(f"{INDEX}edit/{setup['mine'].pk}/").status_code == 200
    assert client.get(f"{INDEX}edit/{setup['theirs'].pk}/").status_code == 404
    client.post(
        f"{INDEX}edit/{setup['theirs'].pk}/",
        {"name": "篡改", "title": "x", "affiliation": "x", "bio": "x"},
    )
    assert Instructor.objects.get(pk=setup["theirs"].pk).name == "乙老师"
    assert client.post(f"{INDEX}delete/{setup['theirs'].pk}/").status_code == 404
    assert Instructor.objects.filter(pk=setup["theirs"].pk).exists()


def test_new_instructors_belong_to_the_editors_institution(client, setup):
    client.force_login(setup["editor"])
    response = client.post(
        f"{INDEX}add/",
        {
            "name": "丙老师",
            "title": "高级工程师",
            "affiliation": "某研究院",
            "bio": "从事低碳技术研究二十年",
            "institution": setup["second"].pk,  # ignored: never chosen from the request
        },
    )
    assert response.status_code == 302
    assert Instructor.objects.get(name="丙老师").institution == setup["first"]


def test_the_bio_is_required(client, setup):
    client.force_login(setup["editor"])
    response = client.post(
        f"{INDEX}add/", {"name": "丁老师", "title": "讲师", "affiliation": "某校", "bio": ""}
    )
    assert response.status_code == 200
    assert not Instructor.objects.filter(name="丁老师").exists()
    with pytest.raises(IntegrityError):
        Instructor.objects.create(
            institution=setup["first"], name="戊", title="x", affiliation="x", bio=""
        )


def test_reviewers_read_all_and_change_nothing(client, setup):
    reviewer = UserFactory(username="listing_reviewer")
    reviewer.groups.add(Group.objects.get(name="审核员"))
    client.force_login(reviewer)
    html = client.get(INDEX).content.decode()
    assert "甲老师" in html and "乙老师" in html
    response = client.post(
        f"{INDEX}edit/{setup['mine'].pk}/",
        {"name": "改", "title": "x", "affiliation": "x", "bio": "x"},
    )
    assert admin_refused(response)
    assert Instructor.objects.get(pk=setup["mine"].pk).name == "甲老师"
    assert admin_refused(
        client.post(f"{INDEX}add/", {"name": "新", "title": "x", "affiliation": "x", "bio": "y"})
    )
    assert not Instructor.objects.filter(name="新").exists()
