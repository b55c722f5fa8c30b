"""Tiny real clips made by ffmpeg, and an institution to own them."""

import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import OrganisationKind
from media.ffmpeg import tools_find
from media.services import video_asset_create
from tests.factories import OrganisationFactory, UserFactory


def make_clip(path: Path, *, seconds: float = 3, size: str = "320x240", audio: bool = True) -> Path:
    ffmpeg = tools_find().ffmpeg
    argv = [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size={size}:rate=25",
    ]
    if audio:
        argv += ["-f", "lavfi", "-i", "sine=frequency=440"]
    argv += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    argv += ["-c:a", "aac", "-shortest"] if audio else []
    subprocess.run([*argv, str(path)], check=True, timeout=60)
    return path


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4")


@pytest.fixture
def institution():
    return OrganisationFactory(
        kind=OrganisationKind.INSTITUTION, credit_code=None, name="示范培训学院"
    )


@pytest.fixture
def uploaded_asset(institution, clip):
    """An asset whose source is in storage (S3 under CI, var/ otherwise), not yet processed."""

    def make(content: bytes | None = None, name: str = "lecture.mp4"):
        asset = video_asset_create(
            institution=institution,
            title="网络安全法律法规解读 第一讲",
            original_name=name,
            created_by=UserFactory(),
        )
        data = clip.read_bytes() if content is None else content
        default_storage.save(asset.source_key, ContentFile(data))
        type(asset).objects.filter(pk=asset.pk).update(status="uploaded", source_size=len(data))
        asset.refresh_from_db()
        return asset

    created = []
    yield lambda **kw: created.append(make(**kw)) or created[-1]
    for asset in created:
        for key in _keys(asset.prefix):
            default_storage.delete(key)


def _keys(prefix):
    from media.storage import storage_walk

    return storage_walk(prefix)
