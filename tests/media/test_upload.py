"""Uploading courseware video (issue 4, "Upload"): the multipart path straight to the bucket (S3,
marked `services`: a real multipart upload through the endpoints to the S3-compatible server) and
the embedded default's direct path through Django into var/ (always run)."""

import copy
import http.client
import io
import json
import os
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.institutions import institution_editor_add
from accounts.models import OrganisationKind, OrganisationStatus
from media.ffmpeg import tools_find
from media.models import VideoAsset, VideoStatus
from media.upload import upload_part_count, upload_part_size, video_sniff
from tests.admin_refusals import admin_refused
from tests.factories import OrganisationFactory, UserFactory, employer_reviewer

pytestmark = pytest.mark.django_db

MiB = 1024**2


# --- Fixtures ----------------------------------------------------------------------------------


def _institution(name: str, status=OrganisationStatus.APPROVED):
    return OrganisationFactory(
        kind=OrganisationKind.INSTITUTION, credit_code=None, name=name, status=status
    )


def _editor(institution, username: str):
    user = UserFactory(username=username)
    institution_editor_add(institution=institution, user=user)
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def world(db):
    first = _institution("安阳职业技术培训中心")
    second = _institution("林州继续教育学院")
    outsider = UserFactory(username="inst_not_in_group")  # of the institution, not its editor
    outsider.organisation = first
    outsider.save(update_fields=["organisation"])
    pending = _institution("待审核机构", status=OrganisationStatus.PENDING)
    return {
        "first": first,
        "second": second,
        "editor": _editor(first, "editor_first"),
        "other_editor": _editor(second, "editor_second"),
        "reviewer": employer_reviewer(OrganisationFactory(name="某用人单位"), username="hr_x"),
        "outsider": outsider,
        "pending_editor": _editor(pending, "editor_pending"),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def processed(monkeypatch):
    """Processing patched out (the upload is what is tested): the asset ids it was queued for."""
    seen: list[int] = []
    monkeypatch.setattr(
        "media.services.video_asset_process",
        lambda *, asset_id, on_progress=None: seen.append(asset_id),
    )
    return seen


def _ffmpeg(*args: str) -> None:
    subprocess.run([tools_find().ffmpeg, "-v", "error", "-y", *args], check=True, timeout=120)


CONTAINERS = {
    # name: (extension, codec arguments, muxer)
    "mp4": (".mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], "mp4"),
    "mov": (".mov", ["-c:v", "mpeg4"], "mov"),
    "matroska": (".mkv", ["-c:v", "mpeg4"], "matroska"),
    "webm": (".webm", ["-c:v", "libvpx", "-b:v", "200k"], "webm"),
    "avi": (".avi", ["-c:v", "mpeg4"], "avi"),
    "asf": (".wmv", ["-c:v", "wmv2"], "asf"),
    "flv": (".flv", ["-c:v", "flv"], "flv"),
    "mpeg-ps": (".mpg", ["-c:v", "mpeg2video"], "mpeg"),
    "mpeg-ts": (".ts", ["-c:v", "mpeg2video"], "mpegts"),
}


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    """Tiny real clips (320×240, lavfi test pattern) in every container the uploader accepts."""
    folder = tmp_path_factory.mktemp("clips")
    made = {}
    for name, (ext, codec, muxer) in CONTAINERS.items():
        target = folder / f"lecture-{name}{ext}"
        duration = "2" if name == "mp4" else "0.5"
        _ffmpeg(
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", duration,
            *codec, "-an", "-f", muxer, str(target),
        )  # fmt: skip
        made[name] = target
    return made


@pytest.fixture
def clip(clips) -> Path:
    return clips["mp4"]


@pytest.fixture
def local_storage(settings, tmp_path):
    """The embedded default's storage (files under a var/-like folder), whatever the env says."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "media"


def _post_json(client: Client, url: str, body: dict | None = None):
    return client.post(
        url,
        json.dumps(body or {}),
        content_type="application/json",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )


# --- Checks that need no storage ---------------------------------------------------------------


@pytest.mark.parametrize("container", list(CONTAINERS))
def test_sniff_recognises_real_clips(clips, container):
    family = {"mov": "mp4", "webm": "matroska"}.get(container, container)  # ftyp, EBML
    assert video_sniff(clips[container].read_bytes()[:4096]) == family


@pytest.mark.parametrize(
    "head",
    [
        "第一章 继续教育概论\n本讲介绍……".encode() * 50,
        b"\x89PNG\r\n\x1a\n" + bytes(200),
        b"%PDF-1.7\n" + bytes(200),
        b"PK\x03\x04" + bytes(200),
        b"Good morning, everyone",  # a text starting with the TS sync byte 'G'
        b"abcdfree this is text",
        b"",
    ],
)
def test_sniff_refuses_what_is_not_video(head):
    assert video_sniff(head) is None


def test_part_size_respects_s3_limits(settings):
    settings.VIDEO_UPLOAD_PART_BYTES = 64 * MiB
    assert upload_part_size(8 * 1024**3) == 64 * MiB
    assert upload_part_count(8 * 1024**3) == 128
    assert upload_part_count(1) == 1
    huge = 1024**4  # 1 TB: parts grow so that 10,000 are enough
    assert upload_part_count(huge) <= 10_000
    settings.VIDEO_UPLOAD_PART_BYTES = 1024
    assert upload_part_size(10 * MiB) == 5 * MiB  # S3's minimum for every part but the last


# --- Who may upload (always run) ---------------------------------------------------------------


def test_upload_page_for_an_editor(world, local_storage):
    response = _client(world["editor"]).get(reverse("media_upload"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-mode="direct"' in html
    assert '<script type="module" src="/static/media/uploader.js"></script>' in html
    assert 'id="video-progress"' in html and "csrfmiddlewaretoken" in html
    assert world["first"].name in html
    assert reverse("media_upload_direct") in html
    policy = response["Content-Security-Policy"]
    connect = next(d for d in policy.split(";") if d.strip().startswith("connect-src"))
    from django.conf import settings

    for origin in settings.STORAGE_ORIGINS:
        assert origin in connect
    assert (Path(__file__).resolve().parents[2] / "static/media/uploader.js").exists()


@pytest.mark.parametrize("who", ["reviewer", "outsider", "pending_editor"])
def test_non_editors_cannot_upload(world, local_storage, who, clip):
    client = _client(world[who])
    assert admin_refused(client.get(reverse("media_upload")), world[who])
    start = _post_json(client, reverse("media_upload_start"), {"name": "a.mp4", "size": 10})
    assert start.status_code == 403
    if who != "outsider":  # the outsider has no admin access at all: Wagtail refuses first
        assert "施教机构" in start.json()["error"]
    with clip.open("rb") as fh:
        direct = client.post(
            reverse("media_upload_direct"),
            {"title": "x", "file": fh},
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
    assert direct.status_code == 403
    assert not VideoAsset.objects.exists()


def test_anonymous_is_sent_to_login(db):
    response = Client().post(reverse("media_upload_start"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_endpoints_want_csrf_and_post(world, local_storage, clip):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["editor"])
    assert _post_json(client, reverse("media_upload_start"), {}).status_code == 403
    with clip.open("rb") as fh:
        assert client.post(reverse("media_upload_direct"), {"file": fh}).status_code == 403
    assert client.get(reverse("media_upload_start")).status_code == 405
    assert not VideoAsset.objects.exists()


def test_another_institutions_asset_is_not_found(world, local_storage):
    from media.services import video_asset_create

    asset = video_asset_create(
        institution=world["first"], title="甲的课", original_name="a.mp4", created_by=None
    )
    VideoAsset.objects.filter(pk=asset.pk).update(upload_id="upload-of-first", source_size=10)
    client = _client(world["other_editor"])
    for name, body in [
        ("media_upload_sign", {"part_number": 1}),
        ("media_upload_parts", {}),
        ("media_upload_complete", {"parts": [{"part_number": 1, "etag": '"x"'}]}),
        ("media_upload_abort", {}),
    ]:
        response = _post_json(client, reverse(name, args=[asset.pk]), body)
        assert response.status_code == 404, name
    asset.refresh_from_db()
    assert asset.status == VideoStatus.UPLOADING and asset.upload_id == "upload-of-first"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"name": "讲义.txt", "size": 1000, "type": "text/plain"}, "不支持的文件类型"),
        ({"name": "lecture.mp4", "size": 1000, "type": "text/plain"}, "不是视频"),
        ({"name": "lecture.mp4", "size": 9 * 1024**3, "type": "video/mp4"}, "文件过大"),
        ({"name": "lecture.mp4", "size": 0, "type": "video/mp4"}, "空"),
        ({"name": "lecture.mp4", "size": "lots", "type": "video/mp4"}, "无效"),
        ({"name": "", "size": 1000}, "不支持的文件类型"),
    ],
)
def test_start_refuses_what_is_obviously_not_a_video(world, body, words):
    response = _post_json(_client(world["editor"]), reverse("media_upload_start"), body)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert not VideoAsset.objects.exists()


def test_multipart_start_is_refused_on_local_storage(world, local_storage):
    response = _post_json(
        _client(world["editor"]),
        reverse("media_upload_start"),
        {"name": "lecture.mp4", "size": 1000, "type": "video/mp4"},
    )
    assert response.status_code == 409
    assert not VideoAsset.objects.exists()


# --- The embedded default: through Django into var/ (always run) --------------------------------


def test_direct_upload_stores_the_file_under_the_institution(
    world, local_storage, clip, processed, django_capture_on_commit_callbacks
):
    client = _client(world["editor"])
    with django_capture_on_commit_callbacks(execute=True), clip.open("rb") as fh:
        response = client.post(
            reverse("media_upload_direct"),
            # institution and key from the request are ignored: the server chooses both
            {
                "title": "第一讲 专业技术人员职业道德",
                "size": str(clip.stat().st_size),
                "file": fh,
                "institution": world["second"].pk,
                "key": "institutions/1/videos/evil/source.mp4",
            },
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    asset = VideoAsset.objects.get(pk=data["asset"])
    assert asset.institution == world["first"]
    assert asset.created_by == world["editor"]
    assert asset.title == "第一讲 专业技术人员职业道德"
    assert asset.original_name == clip.name
    assert asset.source_key == f"institutions/{world['first'].pk}/videos/{asset.key}/source.mp4"
    assert asset.status == VideoStatus.UPLOADED and data["status"] == "uploaded"
    assert data["url"] == reverse("media_asset", args=[asset.pk])  # where progress is watched
    assert asset.source_size == clip.stat().st_size
    stored = local_storage / asset.source_key
    assert stored.read_bytes() == clip.read_bytes()
    assert processed == [asset.pk]  # processing was queued after commit


def test_direct_upload_refuses_a_renamed_text_file(world, local_storage, tmp_path, processed):
    fake = tmp_path / "第二讲.mp4"
    fake.write_text("这不是视频，只是改了扩展名的文本。\n" * 100, encoding="utf-8")
    with fake.open("rb") as fh:
        response = _client(world["editor"]).post(
            reverse("media_upload_direct"), {"title": "假视频", "file": fh}
        )
    assert response.status_code == 400
    assert "不是视频" in response.json()["error"]
    assert not VideoAsset.objects.exists()
    assert not [p for p in local_storage.rglob("*") if p.is_file()]
    assert processed == []


def test_direct_upload_refuses_an_oversized_file(world, local_storage, clip, settings, processed):
    client = _client(world["editor"])
    with clip.open("rb") as fh:  # the declared size is over the limit
        response = client.post(
            reverse("media_upload_direct"), {"size": str(9 * 1024**3), "file": fh}
        )
    assert response.status_code == 400
    assert "文件过大" in response.json()["error"]

    settings.VIDEO_MAX_UPLOAD_BYTES = 1000  # the body itself is over the limit: refused unread
    big = SimpleUploadedFile("big.mp4", _video_bytes(clip, 2 * MiB), content_type="video/mp4")
    response = client.post(reverse("media_upload_direct"), {"file": big})
    assert response.status_code == 413
    assert "文件过大" in response.json()["error"]
    assert not VideoAsset.objects.exists()


def test_direct_upload_refuses_a_wrong_extension(world, local_storage, clip):
    with clip.open("rb") as fh:
        content = fh.read()
    upload = SimpleUploadedFile("课件.exe", content, content_type="application/octet-stream")
    response = _client(world["editor"]).post(reverse("media_upload_direct"), {"file": upload})
    assert response.status_code == 400
    assert "不支持的文件类型" in response.json()["error"]


def test_storage_setup_does_nothing_on_local_storage(local_storage, capsys):
    call_command("storage_setup")
    assert "无需设置" in capsys.readouterr().out


# --- S3: a real multipart upload through the endpoints ------------------------------------------


@pytest.fixture
def bucket(settings):
    """The configured bucket, prepared by storage_setup (which creates it if missing)."""
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        pytest.skip("needs AWS_STORAGE_BUCKET_NAME (the embedded default is in use)")
    from django.core.files.storage import default_storage

    settings.VIDEO_UPLOAD_PART_BYTES = 5 * MiB  # S3's smallest part: keeps the test files small
    call_command("storage_setup", origin=["http://testserver"], stdout=io.StringIO())
    return default_storage.connection.meta.client, default_storage.bucket_name


def _put(url: str, data: bytes) -> str:
    """PUT one part as the browser does (a Blob slice: no Content-Type); returns its ETag."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("PUT", f"{parts.path}?{parts.query}", body=data)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        return response.getheader("ETag")
    finally:
        connection.close()


def _exists(client, bucket, key) -> bool:
    from botocore.exceptions import ClientError

    try:
        client.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError:
        return False


def _video_bytes(clip: Path, size: int) -> bytes:
    """A real MP4 at the start (what the server sniffs), padded to `size`."""
    head = clip.read_bytes()
    return head + bytes(size - len(head))


def _start(client, name: str, size: int, type_: str = "video/mp4", title: str = "讲座"):
    response = _post_json(
        client,
        reverse("media_upload_start"),
        {"title": title, "name": name, "size": size, "type": type_},
    )
    assert response.status_code == 201, response.content.decode()
    return response.json()


def _sign_response(client, asset_id: int, part: int):
    return _post_json(client, reverse("media_upload_sign", args=[asset_id]), {"part_number": part})


def _sign(client, asset_id: int, part: int) -> str:
    response = _sign_response(client, asset_id, part)
    assert response.status_code == 200, response.content.decode()
    return response.json()["url"]


@pytest.mark.services
def test_multipart_upload_straight_to_the_bucket(
    world, bucket, clip, processed, django_capture_on_commit_callbacks
):
    s3, bucket_name = bucket
    client = _client(world["editor"])
    data = _video_bytes(clip, 5 * MiB + 300 * 1024)

    started = _start(client, "第三讲 安全生产.mp4", len(data))
    assert started["part_size"] == 5 * MiB and started["part_count"] == 2
    asset = VideoAsset.objects.get(pk=started["asset"])
    assert asset.institution == world["first"] and asset.status == VideoStatus.UPLOADING
    assert asset.upload_id
    assert asset.source_key.startswith(f"institutions/{world['first'].pk}/videos/{asset.key}/")
    assert asset.title == "讲座"

    url = _sign(client, asset.pk, 1)
    assert asset.source_key.split("/")[-1] in url and "X-Amz-Signature=" in url
    first = _put(url, data[: 5 * MiB])

    # The connection drops here; the page comes back and asks what the bucket already has.
    parts = _post_json(client, reverse("media_upload_parts", args=[asset.pk])).json()
    assert parts["status"] == "uploading" and parts["size"] == len(data)
    assert parts["parts"] == [{"part_number": 1, "etag": first, "size": 5 * MiB}]

    second = _put(_sign(client, asset.pk, 2), data[5 * MiB :])
    with django_capture_on_commit_callbacks(execute=True):
        done = _post_json(
            client,
            reverse("media_upload_complete", args=[asset.pk]),
            {"parts": [{"part_number": 2, "etag": second}, {"part_number": 1, "etag": first}]},
        )
    assert done.status_code == 200, done.content.decode()
    assert done.json()["status"] == "uploaded"
    asset.refresh_from_db()
    assert asset.status == VideoStatus.UPLOADED and asset.source_size == len(data)
    assert asset.upload_id == ""
    head = s3.head_object(Bucket=bucket_name, Key=asset.source_key)
    assert head["ContentLength"] == len(data) and head["ContentType"] == "video/mp4"
    assert processed == [asset.pk]
    uploads = s3.list_multipart_uploads(Bucket=bucket_name, Prefix=asset.prefix).get("Uploads", [])
    assert uploads == []

    again = _sign_response(client, asset.pk, 1)
    assert again.status_code == 409  # finished: nothing more is signed
    s3.delete_object(Bucket=bucket_name, Key=asset.source_key)


@pytest.mark.services
def test_a_size_that_differs_from_the_declared_one_is_refused(world, bucket, clip, processed):
    s3, bucket_name = bucket
    client = _client(world["editor"])
    data = _video_bytes(clip, 5 * MiB + 300 * 1024)
    asset_id = _start(client, "lecture.mp4", len(data))["asset"]
    first = _put(_sign(client, asset_id, 1), data[: 5 * MiB])
    second = _put(_sign(client, asset_id, 2), data[5 * MiB : 5 * MiB + 1000])  # cut short

    response = _post_json(
        client,
        reverse("media_upload_complete", args=[asset_id]),
        {"parts": [{"part_number": 1, "etag": first}, {"part_number": 2, "etag": second}]},
    )
    assert response.status_code == 400
    assert "不完整" in response.json()["error"]
    asset = VideoAsset.objects.get(pk=asset_id)
    assert asset.status == VideoStatus.FAILED and "不完整" in asset.failure_reason
    assert not _exists(s3, bucket_name, asset.source_key)
    assert processed == []


@pytest.mark.services
def test_a_renamed_text_file_is_refused_and_deleted(world, bucket, processed):
    s3, bucket_name = bucket
    client = _client(world["editor"])
    text = ("这不是视频，只是改了扩展名的文本。\n" * 200).encode()
    asset_id = _start(client, "第四讲.mp4", len(text))["asset"]
    etag = _put(_sign(client, asset_id, 1), text)

    response = _post_json(
        client,
        reverse("media_upload_complete", args=[asset_id]),
        {"parts": [{"part_number": 1, "etag": etag}]},
    )
    assert response.status_code == 400
    assert "不是视频" in response.json()["error"]
    asset = VideoAsset.objects.get(pk=asset_id)
    assert asset.status == VideoStatus.FAILED and "不是视频" in asset.failure_reason
    assert not _exists(s3, bucket_name, asset.source_key)
    assert processed == []


@pytest.mark.services
def test_missing_parts_and_strangers_leave_the_upload_alone(world, bucket, clip, processed):
    s3, bucket_name = bucket
    client = _client(world["editor"])
    data = _video_bytes(clip, 5 * MiB + 1024)
    asset_id = _start(client, "lecture.mov", len(data), type_="video/quicktime")["asset"]
    first = _put(_sign(client, asset_id, 1), data[: 5 * MiB])

    incomplete = _post_json(
        client,
        reverse("media_upload_complete", args=[asset_id]),
        {"parts": [{"part_number": 1, "etag": first}]},
    )
    assert incomplete.status_code == 400 and "分片不完整" in incomplete.json()["error"]
    assert _sign_response(client, asset_id, 3).status_code == 400  # only parts 1 and 2

    stranger = _client(world["other_editor"])
    for name, body in [
        ("media_upload_sign", {"part_number": 2}),
        ("media_upload_parts", {}),
        ("media_upload_complete", {"parts": [{"part_number": 1, "etag": first}]}),
        ("media_upload_abort", {}),
    ]:
        assert _post_json(stranger, reverse(name, args=[asset_id]), body).status_code == 404, name
    assert _sign_response(_client(world["reviewer"]), asset_id, 2).status_code == 403

    asset = VideoAsset.objects.get(pk=asset_id)
    assert asset.status == VideoStatus.UPLOADING
    listed = s3.list_parts(Bucket=bucket_name, Key=asset.source_key, UploadId=asset.upload_id)
    assert [p["PartNumber"] for p in listed["Parts"]] == [1]

    # The editor gives up: the multipart upload and its parts are gone, the asset failed.
    aborted = _post_json(client, reverse("media_upload_abort", args=[asset_id]))
    assert aborted.status_code == 200
    asset.refresh_from_db()
    assert asset.status == VideoStatus.FAILED and asset.failure_reason == "上传已取消。"
    uploads = s3.list_multipart_uploads(Bucket=bucket_name, Prefix=asset.prefix).get("Uploads", [])
    assert uploads == []
    assert _sign_response(client, asset_id, 2).status_code == 409
    assert processed == []


@pytest.mark.services
def test_direct_upload_is_refused_where_storage_is_a_bucket(world, bucket, clip):
    with clip.open("rb") as fh:
        response = _client(world["editor"]).post(reverse("media_upload_direct"), {"file": fh})
    assert response.status_code == 409
    page = _client(world["editor"]).get(reverse("media_upload")).content.decode()
    assert 'data-mode="s3"' in page


@pytest.mark.services
def test_storage_setup_sets_cors_and_lifecycle(bucket):
    s3, bucket_name = bucket
    foreign = {
        "ID": f"kept-{uuid.uuid4().hex[:8]}",
        "Status": "Enabled",
        "Filter": {"Prefix": "tmp-upload-test/"},
        "Expiration": {"Days": 30},
    }
    existing = s3.get_bucket_lifecycle_configuration(Bucket=bucket_name)["Rules"]
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket_name, LifecycleConfiguration={"Rules": [*existing, foreign]}
    )
    try:
        for _ in range(2):  # idempotent: one rule of each, however often it runs
            call_command(
                "storage_setup",
                origin=["https://jxjy.anyang.example.cn", "http://testserver"],
                stdout=io.StringIO(),
            )
        rules = s3.get_bucket_cors(Bucket=bucket_name)["CORSRules"]
        ours = [r for r in rules if "https://jxjy.anyang.example.cn" in r["AllowedOrigins"]]
        assert len(ours) == 1
        assert {"PUT", "GET", "HEAD"} <= set(ours[0]["AllowedMethods"])
        assert "ETag" in ours[0]["ExposeHeaders"]

        lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket_name)["Rules"]
        aborting = [r for r in lifecycle if "AbortIncompleteMultipartUpload" in r]
        assert len(aborting) == 1
        assert aborting[0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
        assert aborting[0]["Status"] == "Enabled"
        assert any(r.get("ID") == foreign["ID"] for r in lifecycle)  # other rules are kept

        # The browser's preflight for a part PUT from the site's origin is allowed.
        url = s3.generate_presigned_url(
            "put_object", Params={"Bucket": bucket_name, "Key": "tmp-upload-test/x"}, ExpiresIn=60
        )
        preflight = urllib.request.Request(
            url,
            method="OPTIONS",
            headers={
                "Origin": "https://jxjy.anyang.example.cn",
                "Access-Control-Request-Method": "PUT",
            },
        )
        with urllib.request.urlopen(preflight, timeout=15) as response:
            allowed = response.headers.get("Access-Control-Allow-Origin")
        assert allowed in ("https://jxjy.anyang.example.cn", "*")
    finally:
        lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket_name)["Rules"]
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket_name,
            LifecycleConfiguration={
                "Rules": [r for r in lifecycle if r.get("ID") != foreign["ID"]]
            },
        )


# --- In Chromium: straight to the bucket, resumed after a reload --------------------------------


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_browser_uploads_parts_to_the_bucket_and_resumes_after_a_reload(
    asgi_server, browser_page, settings, clip, tmp_path, processed
):
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        pytest.skip("needs AWS_STORAGE_BUCKET_NAME (the embedded default is in use)")
    from django.core.files.storage import default_storage

    s3 = default_storage.connection.meta.client
    settings.VIDEO_UPLOAD_PART_BYTES = 5 * MiB
    call_command("storage_setup", origin=[asgi_server], stdout=io.StringIO())
    # What STORAGE_ORIGINS does in a deployment: the admin's CSP lets the page reach the bucket.
    bucket_origin = s3.meta.endpoint_url.rstrip("/")
    policy = copy.deepcopy(settings.ADMIN_CONTENT_SECURITY_POLICY)
    if bucket_origin not in policy["DIRECTIVES"]["connect-src"]:
        policy["DIRECTIVES"]["connect-src"].append(bucket_origin)
    settings.ADMIN_CONTENT_SECURITY_POLICY = policy

    editor = _editor(_institution("安阳职业技术培训中心"), "editor_browser")
    client = Client()
    client.force_login(editor)
    cookie = settings.SESSION_COOKIE_NAME
    page = browser_page
    page.context.add_cookies(
        [{"name": cookie, "value": client.cookies[cookie].value, "url": asgi_server}]
    )
    page.on("dialog", lambda dialog: dialog.accept())  # "leave while uploading?"
    file = tmp_path / "第五讲 数字经济.mp4"
    file.write_bytes(_video_bytes(clip, 5 * MiB + 300 * 1024))
    puts: list[str] = []
    page.on(
        "request",
        lambda request: request.method == "PUT" and puts.append(request.url),
    )

    # The first attempt: part 2 cannot get through (the connection drops each time it is
    # tried), and the page is reloaded while it is being retried.
    page.route("**/*partNumber=2*", lambda route: route.abort("connectionreset"))
    page.goto("/admin/videos/upload/")
    form = page.locator("#video-upload")
    assert form.get_attribute("data-mode") == "s3"
    page.locator("#video-title").fill("第五讲 数字经济")
    page.locator("#video-file").set_input_files(str(file))
    page.get_by_role("button", name="开始上传").click()
    page.wait_for_function("() => /[?&]asset=\\d+/.test(location.search)")
    asset = VideoAsset.objects.get(title="第五讲 数字经济")
    status = page.locator("[data-status]")
    page.wait_for_function(
        "() => document.querySelector('[data-status]').textContent.includes('重试')"
    )
    deadline = time.monotonic() + 20
    while True:
        listed = s3.list_parts(
            Bucket=default_storage.bucket_name, Key=asset.source_key, UploadId=asset.upload_id
        )
        if listed.get("Parts") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [p["PartNumber"] for p in listed.get("Parts", [])] == [1]
    page.reload()
    page.unroute("**/*partNumber=2*")
    assert f"asset={asset.pk}" in page.url
    assert "尚未完成" in status.text_content()
    asset.refresh_from_db()
    assert asset.status == VideoStatus.UPLOADING

    # The same file again: only the missing part is sent.
    puts.clear()
    page.locator("#video-file").set_input_files(str(file))
    page.get_by_role("button", name="继续上传").click()
    done = page.locator("[data-done-link]")
    done.wait_for(state="visible", timeout=30_000)
    assert len(puts) == 1 and "partNumber=2" in puts[0], puts
    assert "100%" in page.locator("[data-progress-text]").text_content()
    assert "上传完成" in status.text_content()
    assert done.get_attribute("href") == reverse("media_asset", args=[asset.pk])
    assert "asset=" not in page.url
    asset.refresh_from_db()
    assert asset.status == VideoStatus.UPLOADED and asset.source_size == file.stat().st_size
    assert processed == [asset.pk]
    dropped = "net::ERR_CONNECTION_RESET"  # the connection this test cut
    assert [error for error in page.console_errors if dropped not in error] == []
    s3.delete_object(Bucket=default_storage.bucket_name, Key=asset.source_key)
