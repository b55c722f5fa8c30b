"""The admin uploader: its page and the JSON endpoints it calls (all POST, CSRF-protected).

Only an institution editor uploads (a user of an approved institution who is in that
institution's group), always for their own institution; an endpoint that names an asset finds it
among their institution's assets only (404 otherwise). The service functions are in upload.py.
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from accounts.api import Organisation, editor_institution

from . import upload
from .display import size_display
from .models import VideoAsset, VideoStatus

log = logging.getLogger(__name__)

NOT_EDITOR = "只有施教机构的编辑人员可以上传课件视频。"
NOT_FOUND = "找不到该视频，或它不属于本机构。"
STORAGE_DOWN = "存储服务暂时无法访问，请稍后重试。"
# A multipart form carries a little more than the file itself.
FORM_OVERHEAD_BYTES = 1024**2


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _asset_url(asset: VideoAsset) -> str:
    """Where the uploader goes to watch processing (the asset's admin page), when one exists."""
    for name in ("media_asset", "media_asset_detail"):
        try:
            return reverse(name, args=[asset.pk])
        except NoReverseMatch:
            continue
    return ""


def _asset_json(asset: VideoAsset, **extra) -> dict:
    return {
        "asset": asset.pk,
        "title": asset.title,
        "status": asset.status,
        "status_display": asset.get_status_display(),
        "failure_reason": asset.failure_reason,
        "url": _asset_url(asset),
        **extra,
    }


def upload_api(view):
    """POST only; an institution editor only; the asset (if the URL names one) of their own
    institution only; refusals and storage failures answered as JSON."""

    def wrapped(request: HttpRequest, asset_id: int | None = None) -> HttpResponse:
        if request.method != "POST":
            response = _error("只接受 POST 请求。", 405)
            response["Allow"] = "POST"
            return response
        institution = editor_institution(request.user)
        if institution is None:
            return _error(NOT_EDITOR, 403)
        kwargs = {"institution": institution}
        if asset_id is not None:
            asset = VideoAsset.objects.for_institution(institution.pk).filter(pk=asset_id).first()
            if asset is None:
                return _error(NOT_FOUND, 404)
            kwargs["asset"] = asset
        try:
            return view(request, **kwargs)
        except upload.UploadRefused as refused:
            return _error(refused.message, refused.status)
        except Http404:
            return _error(NOT_FOUND, 404)
        except Exception as error:
            from botocore.exceptions import BotoCoreError, ClientError

            if isinstance(error, ClientError | BotoCoreError):
                log.exception("storage call failed during an upload")
                return _error(STORAGE_DOWN, 502)
            raise

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_protect(wrapped)


def _body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise upload.UploadRefused("请求格式无效。") from error
    if not isinstance(data, dict):
        raise upload.UploadRefused("请求格式无效。")
    return data


def _int(value, what: str) -> int:
    if isinstance(value, bool):
        raise upload.UploadRefused(f"{what}无效。")
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise upload.UploadRefused(f"{what}无效。") from error


# --- The page --------------------------------------------------------------------------------


@require_GET
def upload_page(request: HttpRequest) -> HttpResponse:
    """上传课件视频: title, file, progress. The script picks the S3 or the direct path from
    `data-mode`."""
    institution = editor_institution(request.user)
    if institution is None:
        raise PermissionDenied(NOT_EDITOR)
    extensions = sorted(upload.VIDEO_EXTENSIONS)
    return TemplateResponse(
        request,
        "media/upload.html",
        {
            "institution": institution,
            "mode": upload.upload_mode(),
            "accept": ",".join([*extensions, "video/*"]),
            "extensions": "、".join(ext.lstrip(".").upper() for ext in extensions),
            "max_bytes": settings.VIDEO_MAX_UPLOAD_BYTES,
            "max_display": size_display(settings.VIDEO_MAX_UPLOAD_BYTES),
            "urls": {
                "start": reverse("media_upload_start"),
                "sign": reverse("media_upload_sign", args=[0]),
                "parts": reverse("media_upload_parts", args=[0]),
                "complete": reverse("media_upload_complete", args=[0]),
                "abort": reverse("media_upload_abort", args=[0]),
                "direct": reverse("media_upload_direct"),
            },
        },
    )


# --- S3 multipart ----------------------------------------------------------------------------


@upload_api
def upload_start(request: HttpRequest, institution: Organisation) -> JsonResponse:
    """{title, name, size, type} → the new asset and how to cut the file into parts."""
    data = _body(request)
    plan = upload.video_upload_start(
        institution=institution,
        user=request.user,
        title=str(data.get("title") or ""),
        name=str(data.get("name") or ""),
        size=_int(data.get("size"), "文件大小"),
        content_type=str(data.get("type") or ""),
    )
    return JsonResponse(
        _asset_json(plan.asset, part_size=plan.part_size, part_count=plan.part_count),
        status=201,
    )


@upload_api
def upload_sign(request: HttpRequest, institution: Organisation, asset: VideoAsset):
    """{part_number} → a presigned URL to PUT that part to."""
    number = _int(_body(request).get("part_number"), "分片编号")
    url = upload.video_upload_sign_part(asset=asset, part_number=number)
    return JsonResponse({"part_number": number, "url": url})


@upload_api
def upload_parts(request: HttpRequest, institution: Organisation, asset: VideoAsset):
    """The parts the bucket already holds, to resume an interrupted upload."""
    if asset.status != VideoStatus.UPLOADING or not asset.upload_id:
        return JsonResponse(_asset_json(asset, parts=[]))
    parts = upload.video_upload_list_parts(asset=asset)
    return JsonResponse(
        _asset_json(
            asset,
            parts=parts,
            size=asset.source_size,
            part_size=upload.upload_part_size(asset.source_size),
            part_count=upload.upload_part_count(asset.source_size),
        )
    )


@upload_api
def upload_complete(request: HttpRequest, institution: Organisation, asset: VideoAsset):
    """{parts: [{part_number, etag}]} → the object assembled and checked; processing queued."""
    parts = _body(request).get("parts")
    upload.video_upload_complete(asset=asset, parts=parts)
    asset.refresh_from_db()
    return JsonResponse(_asset_json(asset))


@upload_api
def upload_abort(request: HttpRequest, institution: Organisation, asset: VideoAsset):
    upload.video_upload_abort(asset=asset)
    return JsonResponse(_asset_json(asset))


# --- Embedded default ------------------------------------------------------------------------


@csrf_exempt  # checked below, once the size is known to be acceptable (no body read before)
def upload_direct(request: HttpRequest) -> HttpResponse:
    """A multipart form POST (title, size, file) that Django streams into storage: the embedded
    default only. A body larger than the limit is refused before it is read."""
    if request.method != "POST":
        response = _error("只接受 POST 请求。", 405)
        response["Allow"] = "POST"
        return response
    if editor_institution(request.user) is None:
        return _error(NOT_EDITOR, 403)
    if upload.upload_mode() != "direct":
        return _error("当前存储使用分片直传，请刷新页面后重新上传。", 409)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.VIDEO_MAX_UPLOAD_BYTES
    if length > limit + FORM_OVERHEAD_BYTES:
        return _error(f"文件过大：单个视频不能超过 {size_display(limit)}。", 413)
    return _upload_direct_checked(request)


@upload_api
def _upload_direct_checked(request: HttpRequest, institution: Organisation) -> JsonResponse:
    try:
        declared = request.POST.get("size")
        uploaded = request.FILES.get("file")
    except (MultiPartParserError, OSError) as error:
        raise upload.UploadRefused("上传中断，请重新上传。") from error
    if declared not in (None, ""):
        declared = _int(declared, "文件大小")
        if declared > settings.VIDEO_MAX_UPLOAD_BYTES:
            limit = size_display(settings.VIDEO_MAX_UPLOAD_BYTES)
            raise upload.UploadRefused(f"文件过大：单个视频不能超过 {limit}。")
    if uploaded is None:
        raise upload.UploadRefused("请选择要上传的视频文件。")
    if declared not in (None, "") and declared != uploaded.size:
        raise upload.UploadRefused("上传的文件不完整，请重新上传。")
    asset = upload.video_upload_direct(
        institution=institution,
        user=request.user,
        title=request.POST.get("title", ""),
        uploaded=uploaded,
    )
    asset.refresh_from_db()
    return JsonResponse(_asset_json(asset), status=201)
