"""No generic file route over var/ (DESIGN.md §5): under `make run` (files under var/, DEBUG on
when a developer asks for it with DJANGO_DEBUG=1)
only Wagtail's image renditions and signed video URLs are served; originals, video sources,
segments and scans are reached by no path, however it is encoded."""

import importlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches
from PIL import Image as PILImage
from wagtail.images import get_image_model

from media.delivery import storage_is_local

pytestmark = pytest.mark.django_db

SECRET = b"\x00\x00\x00\x18ftypisom the whole original lecture"


@pytest.fixture
def make_run_urls():
    """The URLconf as `make run` builds it with DJANGO_DEBUG=1 (the worst case)."""
    import config.urls

    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def private_files():
    """A video source, an HLS segment and a scan, on disk under MEDIA_ROOT where the embedded
    default keeps them (written directly, whatever the storage, so a route over the folder would
    find them)."""
    root = Path(settings.MEDIA_ROOT)
    names = [
        "institutions/8/videos/42/source.mp4",
        "institutions/8/videos/42/hls/run1/360p/seg00000.ts",
        "documents/basis-demo.pdf",
    ]
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(SECRET)
    yield names
    for name in names:
        (root / name).unlink(missing_ok=True)


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def image():
    from django.core.files.base import ContentFile

    picture = get_image_model()(title="讲师照片")
    picture.file.save("teacher.png", ContentFile(_png()), save=False)
    picture.width, picture.height = 64, 48
    picture.save()
    return picture


TRAVERSALS = [
    "/media/original_images/..%2F{name}",
    "/media/images/..%2F{name}",
    "/media/images/%2e%2e/{name}",
    "/media/images/%2e%2e%2f{name}",
    "/media/images/%252e%252e%252f{name}",
    "/media/images/..%252F{name}",
    "/media/original_images/%2e%2e%2f%2e%2e%2f{name}",
    "/media/images/..%5c{name}",
    "/media/{name}",
    "/media/images//{abs}",
    "/media/images/%2F{abs}",
    "/media/original_images/{abs}",
]


@pytest.mark.parametrize("form", TRAVERSALS)
def test_no_encoding_of_a_path_reaches_a_private_file(client, make_run_urls, private_files, form):
    for name in private_files:
        absolute = str(Path(settings.MEDIA_ROOT) / name).lstrip("/")
        url = form.format(name=name.replace("/", "%2F"), abs=absolute)
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_originals_are_never_served_and_renditions_are(client, make_run_urls, image):
    rendition = image.get_rendition("fill-32x32")
    original = client.get(f"/media/{image.file.name}")
    assert original.status_code == 404
    url = rendition.url
    if storage_is_local():
        assert url.startswith("/media/images/")
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
        # A name that is not a rendition in the database is nothing, even if the file exists.
        assert client.get(f"/media/images/{Path(image.file.name).name}").status_code == 404
    else:  # a private bucket: renditions come by presigned URL straight from storage
        assert "X-Amz-Signature=" in url


def test_the_make_run_urlconf_has_no_static_route_over_var(make_run_urls):
    from django.urls import get_resolver
    from django.views.static import serve

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern

    assert not [p for p in walk(get_resolver().url_patterns) if p.callback is serve]
