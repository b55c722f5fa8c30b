"""Uploading a lecture video (issue 4, "Upload").

Where storage is S3 the browser sends the file straight to the bucket as a multipart upload: the
server starts it, signs one URL per part, lists the parts the bucket already has (to resume), and
completes it, then checks the object's size and first bytes again before processing starts. In the
embedded default (files under var/) the file comes through Django instead
(`video_upload_direct`). Either way the server chooses every object key
(`VideoAsset.source_key`, under the institution's own prefix) and the asset's institution is the
uploader's organisation.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import default_storage

from .display import size_display
from .models import VideoAsset, VideoStatus
from .services import video_asset_create, video_asset_fail, video_asset_mark_uploaded

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.api import Organisation, User

log = logging.getLogger(__name__)

# Extension → the content type the source object is stored with (chosen by the server).
VIDEO_EXTENSIONS = {
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
    ".wmv": "video/x-ms-wmv",
    ".flv": "video/x-flv",
    ".mpg": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".ts": "video/mp2t",
}
# Browsers label a file by its extension; these labels say it is certainly not a video. (`.ts`
# is also a Qt translation file to some systems, hence text/… is allowed for it.)
# (Audio labels are let through: an audio-only file is refused when it is probed, with a reason.)
_NOT_VIDEO_TYPES = ("text/", "image/", "font/", "application/pdf", "application/zip")

S3_MIN_PART_BYTES = 5 * 1024**2  # every part but the last
S3_MAX_PARTS = 10_000
SNIFF_BYTES = 4096
SIGNED_PART_SECONDS = 3600

CANCELLED = "上传已取消。"
EXPIRED = "上传已过期（未完成的上传在一天后清除），请重新上传。"


class UploadRefused(Exception):
    """The upload cannot go on; the message says why, in Chinese, for the uploader."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


# --- Checks shared by both paths -------------------------------------------------------------


def video_sniff(head: bytes) -> str | None:
    """The container the first bytes of a file announce, or None if they announce no video."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    # Old QuickTime files start straight with a movie atom.
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        atom = int.from_bytes(head[:4], "big")
        # A plausible atom size (0: to the end, 1: 64-bit size follows), not printable text.
        if atom in (0, 1) or (atom >= 8 and head[0] < 0x20):
            return "mov"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:8] == bytes.fromhex("3026B2758E66CF11"):
        return "asf"
    if head[:3] == b"FLV" and len(head) >= 4 and head[3] == 1:
        return "flv"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "mpeg-ps"
    if _ts_sync(head, 188, 0) or _ts_sync(head, 192, 4):
        return "mpeg-ts"
    return None


def _ts_sync(head: bytes, packet: int, offset: int) -> bool:
    """MPEG-TS: a 0x47 sync byte at the start of each of the first packets (at least three)."""
    checked = [head[i] == 0x47 for i in range(offset, len(head), packet)][:8]
    return len(checked) >= 3 and all(checked)


def video_upload_check(*, name: str, size: int, content_type: str = "") -> str:
    """Refuse what is obviously not an acceptable video before any byte is sent; returns the
    (lower-case) extension."""
    name = (name or "").strip()
    suffix = PurePath(name).suffix.lower()
    if not name or suffix not in VIDEO_EXTENSIONS:
        allowed = "、".join(ext.lstrip(".").upper() for ext in VIDEO_EXTENSIONS)
        raise UploadRefused(f"不支持的文件类型：请上传视频文件（{allowed}）。")
    content_type = (content_type or "").strip().lower()
    if content_type.startswith(_NOT_VIDEO_TYPES) and not (
        suffix == ".ts" and content_type.startswith("text/")
    ):
        raise UploadRefused(
            f"该文件不是视频（浏览器识别的类型为 {content_type[:60]}），请选择视频文件。"
        )
    if size <= 0:
        raise UploadRefused("文件是空的，请选择视频文件。")
    limit = settings.VIDEO_MAX_UPLOAD_BYTES
    if size > limit:
        raise UploadRefused(f"文件过大：单个视频不能超过 {size_display(limit)}。")
    return suffix


def _clean_title(title: str, name: str) -> str:
    title = (title or "").strip() or PurePath(name or "").stem.strip() or "未命名视频"
    return title[:200]


def _mark_failed(asset: VideoAsset, reason: str) -> None:
    video_asset_fail(asset_id=asset.pk, reason=reason)
    asset.refresh_from_db()


def _refuse_head(head: bytes) -> str | None:
    if video_sniff(head) is None:
        return "该文件不是视频文件（文件内容不是常见的视频格式），请选择视频文件后重新上传。"
    return None


# --- S3 multipart ----------------------------------------------------------------------------


def upload_mode() -> str:
    """ "s3" where the default storage is a bucket (the browser sends straight to it), else
    "direct" (the file comes through Django into var/)."""
    from storages.backends.s3 import S3Storage

    return "s3" if isinstance(default_storage, S3Storage) else "direct"


def _require_s3() -> None:
    if upload_mode() != "s3":
        raise UploadRefused("当前存储不支持分片直传，请刷新页面后重新上传。", status=409)


def _s3():
    """The boto3 client and bucket of the default storage (an S3Storage)."""
    return default_storage.connection.meta.client, default_storage.bucket_name


def _object_key(key: str) -> str:
    location = getattr(default_storage, "location", "") or ""
    return f"{location.rstrip('/')}/{key}" if location else key


def upload_part_size(size: int) -> int:
    """Bytes per part for a file of `size`: the setting, raised so that no more than 10,000 parts
    are needed and every part but the last is at least S3's 5 MB (rounded up to whole MB)."""
    wanted = max(
        settings.VIDEO_UPLOAD_PART_BYTES, S3_MIN_PART_BYTES, math.ceil(size / S3_MAX_PARTS)
    )
    mb = 1024**2
    return math.ceil(wanted / mb) * mb


def upload_part_count(size: int) -> int:
    return max(1, math.ceil(size / upload_part_size(size)))


@dataclass(frozen=True)
class UploadPlan:
    asset: VideoAsset
    part_size: int
    part_count: int


def video_upload_start(
    *,
    institution: Organisation,
    user: User | None,
    title: str,
    name: str,
    size: int,
    content_type: str = "",
) -> UploadPlan:
    """Create the asset and its multipart upload at the key the server chose."""
    suffix = video_upload_check(name=name, size=size, content_type=content_type)
    _require_s3()
    asset = video_asset_create(
        institution=institution,
        title=_clean_title(title, name),
        original_name=name.strip(),
        created_by=user,
    )
    client, bucket = _s3()
    try:
        created = client.create_multipart_upload(
            Bucket=bucket, Key=_object_key(asset.source_key), ContentType=VIDEO_EXTENSIONS[suffix]
        )
    except Exception:
        _mark_failed(asset, "存储服务暂时无法访问，上传未能开始，请稍后重试。")
        raise
    # The declared size is kept in source_size until the upload completes (then checked).
    VideoAsset.objects.filter(pk=asset.pk).update(upload_id=created["UploadId"], source_size=size)
    asset.refresh_from_db()
    return UploadPlan(asset, upload_part_size(size), upload_part_count(size))


def _require_uploading(asset: VideoAsset) -> None:
    if asset.status != VideoStatus.UPLOADING or not asset.upload_id:
        raise UploadRefused("该视频的上传已经结束，无法继续上传。", status=409)


def video_upload_sign_part(*, asset: VideoAsset, part_number: int) -> str:
    """A presigned PUT URL for one part (1-based), valid for an hour."""
    _require_s3()
    _require_uploading(asset)
    count = upload_part_count(asset.source_size)
    if not 1 <= part_number <= min(count, S3_MAX_PARTS):
        raise UploadRefused(f"分片编号无效：应为 1 到 {count}。")
    client, bucket = _s3()
    return client.generate_presigned_url(
        "upload_part",
        Params={
            "Bucket": bucket,
            "Key": _object_key(asset.source_key),
            "UploadId": asset.upload_id,
            "PartNumber": part_number,
        },
        ExpiresIn=SIGNED_PART_SECONDS,
        HttpMethod="PUT",
    )


def _client_error_code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


def video_upload_list_parts(*, asset: VideoAsset) -> list[dict]:
    """The parts the bucket already holds (to resume): part number, ETag and size, in order."""
    from botocore.exceptions import ClientError

    _require_s3()
    _require_uploading(asset)
    client, bucket = _s3()
    parts: list[dict] = []
    marker = 0
    while True:
        try:
            page = client.list_parts(
                Bucket=bucket,
                Key=_object_key(asset.source_key),
                UploadId=asset.upload_id,
                PartNumberMarker=marker,
                MaxParts=1000,
            )
        except ClientError as error:
            if _client_error_code(error) == "NoSuchUpload":
                _mark_failed(asset, EXPIRED)
                raise UploadRefused(EXPIRED, status=409) from error
            raise
        for part in page.get("Parts", []):
            parts.append(
                {"part_number": part["PartNumber"], "etag": part["ETag"], "size": part["Size"]}
            )
        if not page.get("IsTruncated"):
            break
        next_marker = int(page.get("NextPartNumberMarker") or 0)
        if next_marker <= marker:
            break
        marker = next_marker
    return parts


_ETAG = re.compile(r'^"?[\w\-]{1,200}"?$')


def _parts_checked(parts: object, count: int) -> list[dict]:
    if not isinstance(parts, list) or not parts:
        raise UploadRefused("缺少分片信息，请重新上传。")
    checked = []
    for part in parts:
        if not isinstance(part, dict):
            raise UploadRefused("分片信息无效。")
        number, etag = part.get("part_number"), part.get("etag")
        if not isinstance(number, int) or not isinstance(etag, str) or not _ETAG.match(etag):
            raise UploadRefused("分片信息无效。")
        checked.append({"PartNumber": number, "ETag": etag})
    checked.sort(key=lambda p: p["PartNumber"])
    if [p["PartNumber"] for p in checked] != list(range(1, count + 1)):
        raise UploadRefused(f"分片不完整：应有 {count} 个分片，请继续上传缺少的部分。")
    return checked


def video_upload_complete(*, asset: VideoAsset, parts: object | None = None) -> VideoAsset:
    """Assemble the parts, then check the object again: its size must be the size declared at
    the start and its first bytes must be a video container. A refused object is deleted and the
    asset fails with the reason; an accepted one is queued for processing."""
    from botocore.exceptions import ClientError

    _require_s3()
    _require_uploading(asset)
    count = upload_part_count(asset.source_size)
    if parts is None:
        listed = video_upload_list_parts(asset=asset)
        parts = [{"part_number": p["part_number"], "etag": p["etag"]} for p in listed]
    checked = _parts_checked(parts, count)
    upload_id = asset.upload_id
    # Claim the upload, so that a second completion (a double click, a retry) finds nothing.
    claimed = VideoAsset.objects.filter(
        pk=asset.pk, status=VideoStatus.UPLOADING, upload_id=upload_id
    ).update(upload_id="")
    if not claimed:
        raise UploadRefused("该视频的上传已经结束，无法继续上传。", status=409)

    client, bucket = _s3()
    key = _object_key(asset.source_key)
    try:
        client.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": checked}
        )
    except ClientError as error:
        code = _client_error_code(error)
        if code == "NoSuchUpload":
            _mark_failed(asset, EXPIRED)
            raise UploadRefused(EXPIRED, status=409) from error
        # Give the upload back: the uploader can resend the parts in question and try again.
        VideoAsset.objects.filter(pk=asset.pk, upload_id="").update(upload_id=upload_id)
        asset.refresh_from_db()
        log.info("completing the upload of asset %s refused: %s", asset.pk, code)
        if code in ("InvalidPart", "InvalidPartOrder"):
            raise UploadRefused("有分片未能上传完整，请继续上传。") from error
        if code == "EntityTooSmall":
            raise UploadRefused("分片大小不符合要求，请重新上传。") from error
        raise

    declared = asset.source_size
    try:
        size = int(client.head_object(Bucket=bucket, Key=key)["ContentLength"])
        if size != declared:
            reason = (
                f"上传的文件不完整：大小为 {size} 字节，与所选文件的 {declared} 字节不一致，"
                "请重新上传。"
            )
        else:
            head = client.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{SNIFF_BYTES - 1}")
            reason = _refuse_head(head["Body"].read())
    except Exception:
        # The object is whole but could not be checked: it is not processed unchecked.
        _mark_failed(asset, "无法校验上传的文件（存储服务暂时无法访问），请重新上传。")
        raise
    if reason:
        client.delete_object(Bucket=bucket, Key=key)
        _mark_failed(asset, reason)
        raise UploadRefused(reason)
    video_asset_mark_uploaded(asset=asset, size=size)
    return asset


def video_upload_abort(*, asset: VideoAsset) -> None:
    """The uploader gives up: abort the multipart upload (its parts are deleted) and fail the
    asset."""
    from botocore.exceptions import ClientError

    _require_s3()
    upload_id = asset.upload_id
    # Claim the upload the way completion does, so that an abort racing a completion loses
    # cleanly instead of failing an asset that completion marks uploaded.
    claimed = video_asset_fail(
        asset_id=asset.pk,
        reason=CANCELLED,
        only_if={"status": VideoStatus.UPLOADING, "upload_id": upload_id},
    )
    if not claimed:
        raise UploadRefused("该视频的上传已经结束，无法取消。", status=409)
    if upload_id:
        client, bucket = _s3()
        try:
            client.abort_multipart_upload(
                Bucket=bucket, Key=_object_key(asset.source_key), UploadId=upload_id
            )
        except ClientError as error:
            if _client_error_code(error) != "NoSuchUpload":
                raise
    asset.refresh_from_db()


# --- Embedded default: through Django into var/ --------------------------------------------


def video_upload_direct(
    *, institution: Organisation, user: User | None, title: str, uploaded: UploadedFile
) -> VideoAsset:
    """Store a file sent through Django (Django has spooled a large one to a temporary file) at
    the key the server chose, after the same checks as the multipart path."""
    video_upload_check(
        name=uploaded.name or "", size=uploaded.size or 0, content_type=uploaded.content_type
    )
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    reason = _refuse_head(head)
    if reason:
        raise UploadRefused(reason)
    asset = video_asset_create(
        institution=institution,
        title=_clean_title(title, uploaded.name or ""),
        original_name=(uploaded.name or "").strip(),
        created_by=user,
    )
    try:
        saved = default_storage.save(asset.source_key, uploaded)
        if saved != asset.source_key:
            default_storage.delete(saved)
            raise RuntimeError(f"storage renamed {asset.source_key} to {saved}")
    except Exception:
        _mark_failed(asset, "保存文件失败，请重新上传。")
        raise
    video_asset_mark_uploaded(asset=asset, size=uploaded.size)
    return asset
