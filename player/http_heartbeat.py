"""The HTTP heartbeat on the event loop (issue 17; docs/decisions/0012-http-heartbeat-on-the-loop.md).

POST /api/player/sessions/<id>/heartbeat — the fallback transport's message every interval — is
answered in the ASGI workers without Django's request cycle when it is the common heartbeat: the
websocket's code decides it (player.loop_db, on the loop's own connection), after the checks
Django's stack would make, in the same order:

1. the request hooks of the security, common and CSRF middlewares, Django's own (host, HTTPS
   redirect, origin, referer, token);
2. the login: one statement reads the session row (unexpired) with the user row of the playback
   session's learner, and accounts.api.session_login_read accepts it only as Django's get_user
   and the login's idle and 12-hour rules would, without writing;
3. the flood bucket (player.ratelimit, the same Redis bucket as the view's): 429;
4. the body, as the view reads it: 400;
5. the heartbeat (loop_db.heartbeat_record, via "http"), and the login's activity recorded at
   most once a minute for a visible, playing heartbeat, as the view records it.

Whatever the common case does not cover — no session cookie, a refusal by Django's checks,
another learner's session, a login that ended, changed or must be written, a body over the limit,
an error of ours before the answer — is handed with its body to Django (the player API's handler,
config.stacks), which answers as it answers every request. So each refusal, its audit row and its
log line have one source, and this path can only ever answer what Django would.
"""

import asyncio
import functools
import io
import logging
import re
import uuid
import weakref

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS
from django.dispatch import receiver
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import http_date

from accounts.api import User, login_now, session_login_deadlines, session_login_read
from config.csp import SiteAndAdminCSPMiddleware
from config.db import from_row, prep_connection
from config.memo import NotCopied

from . import loop_db, views
from .consumers import db_call
from .models import PlaybackSession
from .protocol import MAX_BODY_BYTES, ProtocolError, body_load, login_kept_alive
from .ratelimit import allowance_now, http_heartbeat_admit_async

log = logging.getLogger(__name__)

FAILED = "服务器暂时无法处理，请稍后重试"
_PATH = re.compile(r"/api/player/sessions/([^/]+)/heartbeat")


def handles(scope) -> str | None:
    """The session id, if `scope` is an HTTP heartbeat this path may answer."""
    if scope["type"] != "http" or scope["method"] != "POST" or not loop_db.enabled():
        return None
    match = _PATH.fullmatch(scope["path"])
    return match[1] if match else None


def asgi(django):
    """The ASGI application for HTTP: heartbeats here, everything else (and every heartbeat this
    path leaves) to `django`."""

    async def application(scope, receive, send):
        session_id = handles(scope)
        if session_id is None:
            return await django(scope, receive, send)
        return await _serve(scope, receive, send, session_id, django)

    return application


class _Refused(Exception):
    """Django's CSRF check refused the request: Django answers it (and logs it) itself."""


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        raise _Refused(reason)


def _never_called(request):
    raise AssertionError("a response hook only")


@functools.cache
def _hooks():
    """The player API stack's middlewares whose hooks this path runs, made once per process."""
    return {
        "security": SecurityMiddleware(_never_called),
        "common": CommonMiddleware(_never_called),
        "csrf": _CsrfCheck(_never_called),
        "frame": XFrameOptionsMiddleware(_never_called),
        "csp": SiteAndAdminCSPMiddleware(_never_called),
    }


@functools.cache
def _login_sql() -> str:
    """The session row (unexpired) and the user row of the playback session's learner."""
    q = prep_connection(DEFAULT_DB_ALIAS).ops.quote_name
    sessions, users = q(Session._meta.db_table), q(User._meta.db_table)
    playback = q(PlaybackSession._meta.db_table)
    learner = q(PlaybackSession._meta.get_field("learner").column)
    columns = ", ".join(f"u.{q(field.column)}" for field in User._meta.concrete_fields)
    return (
        f"SELECT s.session_data, {columns}"  # noqa: S608
        f" FROM {playback} p JOIN {users} u ON u.id = p.{learner}"
        f" JOIN {sessions} s ON s.session_key = %s AND s.expire_date > %s"
        " WHERE p.id = %s"
    )


async def _body(receive) -> tuple[bytes, list, bool]:
    """(the body, the messages read, whether it was read whole within the protocol's limit)."""
    messages, size = [], 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return b"", messages, False  # gone
        size += len(message.get("body", b""))
        if size > MAX_BODY_BYTES:
            return b"", messages, False  # the view refuses it, reading no further
        if not message.get("more_body"):
            return b"".join(m.get("body", b"") for m in messages), messages, True


def _replayed(messages: list, receive):
    pending = list(messages)

    async def replay():
        return pending.pop(0) if pending else await receive()

    return replay


async def _serve(scope, receive, send, session_id, django):
    body, messages, whole = await _body(receive)
    answer = None
    if whole:
        try:
            answer = await _common(scope, body, session_id)
        except Exception:  # a defect of ours before the token was spent: Django decides it
            log.exception("player: the HTTP heartbeat on the loop failed on %s", session_id)
    if answer is None:
        return await django(scope, _replayed(messages, receive), send)
    await _send(send, answer)


async def _common(scope, body: bytes, session_id: str):
    """The answer (status, headers, body) of the common heartbeat, or None for Django's."""
    try:
        session_id = str(uuid.UUID(session_id))  # as PostgreSQL spells it (urn:uuid: it refuses)
    except ValueError:
        return None
    request = ASGIRequest(scope, io.BytesIO(body))
    hooks = _hooks()
    try:
        for name in ("security", "common", "csrf", "csp"):
            hook = getattr(hooks[name], "process_request", None)
            if hook is not None and hook(request) is not None:
                return None  # a redirect or a refusal of Django's own
        if hooks["csrf"].process_view(request, views.heartbeat, (), {}) is not None:
            return None
    except (_Refused, DisallowedHost, PermissionDenied):  # PermissionDenied: a refused agent
        return None
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    row = await loop_db.fetch_one(_login_sql(), [key, timezone.now(), session_id])
    if row is None:
        return None  # no such login, or not this learner's session: Django answers 401 or 404
    user = from_row(User, row[1:])
    user_id = user.pk
    login = session_login_read(loop_db.session_decoder().decode(row[0]), user)
    if login is None:
        return None
    try:
        admitted = await http_heartbeat_admit_async(learner_id=user_id, session_id=session_id)
    except NotCopied:  # the year's rules are due to be read again: on a thread, once a minute
        await db_call(allowance_now)
        admitted = await http_heartbeat_admit_async(learner_id=user_id, session_id=session_id)
    if not admitted:
        return _answer(request, 429, {"error": views.TOO_MANY})
    # From here the heartbeat has spent its token: it is answered here, never handed to Django
    # (which would spend another and decide it again).
    try:
        data = body_load(body)
        status, payload = await loop_db.heartbeat_record(
            learner=user, session_id=session_id, data=data, via="http", thread_call=db_call
        )
    except ProtocolError as error:
        return _answer(request, error.status, error.payload())
    except Exception:  # a defect of ours: answered as the socket answers it, logged
        log.exception("player: the HTTP heartbeat failed on session %s", session_id)
        return _answer(request, 500, {"error": FAILED})
    if (
        status == 200
        and login_kept_alive(data)
        and login_now() - login.activity >= settings.SESSION_ACTIVITY_REFRESH
    ):  # watching is activity: recorded as the view records it (the session row written)
        _activity_record(key, user_id)
    return _answer(request, status, payload)


# The minute's activity records run beside the answers, a few at a time: a thousand learners
# whose minute came round together (seeded together, back after a network blip) queued a
# thousand session writes on the database threads, and every heartbeat waiting on its own
# stalled the process for seconds (issue 17, the benchmark's N = 1,000). The answer does not
# depend on the record; a record a few seconds late changes nothing (the login idles out
# after 30 minutes), and one already under way for a session is not asked for again.
ACTIVITY_RECORDS = 2  # at once per event loop
_recording: set[str] = set()
_tasks: set = set()
_slots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop -> Semaphore


def _activity_record(key: str, user_id) -> None:
    if key in _recording:
        return
    _recording.add(key)
    task = asyncio.ensure_future(_activity_write(key, user_id))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _activity_write(key: str, user_id) -> None:
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop) or _slots.setdefault(loop, asyncio.Semaphore(ACTIVITY_RECORDS))
    try:
        async with slots:  # on the loop as the socket's (loop_db.login_check), else a thread
            if not loop_db.enabled() or await loop_db.login_check(key, user_id, touch=True) is None:
                await db_call(session_login_deadlines, key, user_id, touch=True)
    except Exception:  # the heartbeat is recorded: the next one asks again
        log.exception("player: recording the login's activity failed")
    finally:
        _recording.discard(key)


_VARYING = ("Expires", "Content-Length")  # what differs between answers of one status
_headers_made: dict = {}  # (status, secure) -> the other headers, as the hooks made them


@receiver(setting_changed)
def _settings_changed(**_kwargs) -> None:
    """The middlewares read their settings when made (as Django's handler makes its chain once):
    made again after a test changes settings."""
    _hooks.cache_clear()
    _login_sql.cache_clear()
    _headers_made.clear()


def _answer(request, status: int, payload: dict) -> tuple[int, list, bytes]:
    """(status, headers, body) of a JSON answer, as the view and the player API's stack would
    send it. The headers the stack's hooks add do not depend on the answer, only on its status
    and whether the request came over HTTPS: they are made by the hooks once per process for
    each, then reused with this answer's date and length (tests compare them with Django's)."""
    response = views.json_answer(status, payload)
    key = (status, request.is_secure())
    made = _headers_made.get(key)
    if made is None:
        finished = _finished(request, views.json_answer(status, payload))
        made = _headers_made[key] = [
            (k.encode("ascii"), v.encode("latin1"))
            for k, v in finished.items()
            if k not in _VARYING
        ]
    body = response.content
    return (
        status,
        [
            *made,
            (b"Expires", http_date().encode("ascii")),
            (b"Content-Length", str(len(body)).encode("ascii")),
        ],
        body,
    )


def _finished(request, response):
    """The response as the player API's stack finishes it: never cached (the view's decorator),
    then the response hooks from the innermost out (the session's Vary, Content-Length, frame
    options and the policy, the security headers)."""
    hooks = _hooks()
    add_never_cache_headers(response)
    response = hooks["csp"].process_response(request, response)
    response = hooks["frame"].process_response(request, response)
    response = hooks["common"].process_response(request, response)
    patch_vary_headers(response, ("Cookie",))  # the session was read
    return hooks["security"].process_response(request, response)


async def _send(send, answer) -> None:
    """As Django's ASGIHandler sends a response."""
    status, headers, body = answer
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
