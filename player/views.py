"""The player protocol over HTTP (DESIGN.md §4): thin views around `player.services`.

Every answer is JSON and never cached; a login is required (401 otherwise); POSTs need the CSRF
token like every form of the site; bodies larger than the protocol allows are refused (400)
before they are read.
"""

import functools

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.api import activity_touch

from . import quizzes, services
from .challenge_media import audio_available, code_png, code_wav
from .protocol import MAX_BODY_BYTES, ProtocolError, body_load, login_kept_alive
from .ratelimit import http_heartbeat_admit

TOO_MANY = "心跳过于频繁，请稍后再试"


def json_answer(status: int, payload: dict) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def api(view):
    """Login required (401 JSON), ProtocolError → its status, no caching."""

    @never_cache
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return json_answer(401, {"error": "请先登录"})
        try:
            return view(request, *args, **kwargs)
        except ProtocolError as error:
            return json_answer(error.status, error.payload())

    return wrapper


def _body(request) -> dict:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise ProtocolError(400, "请求内容过大")
    return body_load(request.body)


@require_POST
@api
def sessions(request):
    data = _body(request)
    return json_answer(*services.session_start(learner=request.user, lesson_id=data.get("lesson")))


@require_POST
@api
def heartbeat(request, session_id):
    if not http_heartbeat_admit(learner_id=request.user.pk, session_id=session_id):
        return json_answer(429, {"error": TOO_MANY})  # before the body is read or a row touched
    data = _body(request)
    status, payload = services.heartbeat_record(
        learner=request.user, session_id=session_id, data=data
    )
    if status == 200 and login_kept_alive(data):
        activity_touch(request.session)  # watching is activity (the middleware saves it)
    return json_answer(status, payload)


@require_POST
@api
def challenge(request, session_id):
    return json_answer(
        *services.challenge_answer(learner=request.user, session_id=session_id, data=_body(request))
    )


@require_GET
@api
def explanation(request, session_id):
    return json_answer(
        200, services.session_explanation(learner=request.user, session_id=session_id)
    )


@require_GET
@api
def challenge_image(request, check_id):
    code = services.challenge_media(learner=request.user, check_id=str(check_id), kind="image")
    return HttpResponse(code_png(code), content_type="image/png")


@require_GET
@api
def challenge_audio(request, check_id):
    if not audio_available():
        raise ProtocolError(503, "语音验证码暂不可用，请使用图片验证码或联系客服")
    code = services.challenge_media(learner=request.user, check_id=str(check_id), kind="audio")
    return HttpResponse(code_wav(code), content_type="audio/wav")


@require_POST
@api
def quiz_attempts(request, page_id):
    return json_answer(*quizzes.attempt_start(learner=request.user, page_id=page_id))


@require_POST
@api
def quiz_attempt(request, attempt_id):
    return json_answer(
        *quizzes.attempt_submit(learner=request.user, attempt_id=attempt_id, data=_body(request))
    )
