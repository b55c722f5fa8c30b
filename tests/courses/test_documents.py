"""Documents are served through a permission check (DESIGN.md §5): an institution's internal
files (its approval scans) reach only that institution and the reviewers; what it publishes with
its courses, and the bureau's own files, anyone; everything downloads as an attachment."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.models import Collection

from accounts.institutions import PUBLIC_COLLECTION_SUFFIX
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _get(client, user, document):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(document.url)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _document(title, collection, content=b"%PDF-1.4 public"):
    document = Document(title=title, collection=collection)
    document.file.save("syllabus.pdf", ContentFile(content), save=False)
    document.save()
    return document


def test_an_internal_scan_reaches_its_institution_and_the_reviewers_only(client, world):
    scan = world.a.scan
    assert scan.url.startswith(f"/documents/{scan.pk}/")

    anonymous = _get(client, None, scan)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=")

    for outsider in (world.learner, world.b.editor):
        assert _get(client, outsider, scan).status_code == 404

    bureau_admin = UserFactory(username="bureau_admin_docs")
    bureau_admin.groups.add(Group.objects.get(name="人社局管理员"))
    for insider in (
        world.a.editor,
        world.reviewers["bureau"],
        world.reviewers["health"],
        bureau_admin,
    ):
        response = _get(client, insider, scan)
        assert response.status_code == 200, insider.username
        assert _body(response) == b"%PDF-1.4 basis"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]


def test_what_an_institution_publishes_and_the_bureaus_files_are_public(client, world):
    public = Collection.objects.get(name=world.a.organisation.name + PUBLIC_COLLECTION_SUFFIX)
    syllabus = _document("课程大纲", public)
    notice = _document("通知附件", Collection.get_first_root_node(), b"%PDF-1.4 notice")
    for document, body in ((syllabus, b"%PDF-1.4 public"), (notice, b"%PDF-1.4 notice")):
        response = _get(client, None, document)
        assert response.status_code == 200
        assert _body(response) == body
        assert response["Content-Disposition"].startswith("attachment")  # never inline
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_guessed_id_with_the_wrong_name_is_nothing(client, world):
    scan = world.a.scan
    client.force_login(world.a.editor)
    assert client.get(f"/documents/{scan.pk}/other.pdf").status_code == 404
    assert client.get(f"/documents/{scan.pk + 1000}/basis.pdf").status_code == 404
