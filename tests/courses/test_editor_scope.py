"""An institution's editor reaches only their own institution's documents, images, videos and
instructors: in every chooser, listing and file URL (two institutions' editors, both ways)."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from accounts.institutions import institution_internal_collection
from courses.models import LessonPage
from tests.admin_refusals import admin_refused

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        return response.json()["html"]
    return response.content.decode()


def _image(institution, title):
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (10, 120, 10)).save(buffer, "PNG")
    image = get_image_model()(
        title=title,
        collection=institution_internal_collection(institution.organisation),
    )
    image.file.save("photo.png", ContentFile(buffer.getvalue()), save=False)
    image.width, image.height = 40, 30
    image.save()
    return image


@pytest.fixture
def images(world):
    return {"a": _image(world.a, "甲机构讲师照片"), "b": _image(world.b, "乙机构讲师照片")}


@pytest.mark.parametrize("own, other", [("a", "b"), ("b", "a")])
def test_each_chooser_and_listing_shows_only_the_editors_institution(
    client, world, images, own, other
):
    mine, theirs = getattr(world, own), getattr(world, other)
    client.force_login(mine.editor)
    pages = {
        "/admin/documents/chooser/": (mine.scan.title, theirs.scan.title),
        "/admin/documents/chooser/results/": (mine.scan.title, theirs.scan.title),
        "/admin/documents/": (mine.scan.title, theirs.scan.title),
        "/admin/images/chooser/": (images[own].title, images[other].title),
        "/admin/images/": (images[own].title, images[other].title),
        "/admin/snippets/choose/courses/instructor/": (
            mine.instructor.name,
            theirs.instructor.name,
        ),
        "/admin/snippets/choose/courses/instructor/results/": (
            mine.instructor.name,
            theirs.instructor.name,
        ),
        "/admin/snippets/courses/instructor/": (mine.instructor.name, theirs.instructor.name),
        "/admin/videos/": (mine.video.title, theirs.video.title),
    }
    for url, (shown, hidden) in pages.items():
        html = _html(client.get(url))
        assert shown in html, url
        assert hidden not in html, url


@pytest.mark.parametrize("own, other", [("a", "b"), ("b", "a")])
def test_another_institutions_object_is_not_reachable_by_id(client, world, images, own, other):
    mine, theirs = getattr(world, own), getattr(world, other)
    client.force_login(mine.editor)
    # Documents and images are refused by Wagtail's collection permissions: back to the dashboard
    # with "没有权限". Instructors and videos are looked up in the editor's own only: not found.
    refused = [
        f"/admin/documents/chooser/chosen/{theirs.scan.pk}/",
        f"/admin/documents/edit/{theirs.scan.pk}/",
        f"/admin/images/chooser/chosen/{images[other].pk}/",
        f"/admin/images/{images[other].pk}/",
    ]
    for url in refused:
        assert admin_refused(client.get(url)), url
    not_found = [
        f"/admin/snippets/choose/courses/instructor/chosen/{theirs.instructor.pk}/",
        f"/admin/snippets/courses/instructor/edit/{theirs.instructor.pk}/",
        f"/admin/videos/edit/{theirs.video.pk}/",
    ]
    for url in not_found:
        assert client.get(url).status_code == 404, url
    assert client.get(theirs.scan.url).status_code == 404  # the file itself
    # Their own are there.
    assert client.get(f"/admin/documents/chooser/chosen/{mine.scan.pk}/").status_code == 200
    chosen = f"/admin/snippets/choose/courses/instructor/chosen/{mine.instructor.pk}/"
    assert client.get(chosen).status_code == 200


def test_a_lessons_video_choice_lists_only_its_institutions_videos(client, world):
    course = world.course(world.a)
    lesson = LessonPage.objects.child_of(course).first()
    client.force_login(world.a.editor)
    html = _html(client.get(f"/admin/pages/{lesson.pk}/edit/"))
    assert world.a.video.title in html
    assert world.b.video.title not in html
