"""The player protocol over a websocket (DESIGN.md §4 step 4): /ws/player/<uuid>/.

The same service as HTTP decides every heartbeat; an answer is `{"type": "heartbeat_ack",
"status": <the HTTP code>, ...}`. A malformed message gets status 400 and the socket stays open.
Close codes: 4401 no login (or it expired, or ended elsewhere), 4404 not this learner's session, 4409 superseded or
ended (after pushing `{"type": "superseded"}`, or `{"type": "ended", "reason": ...}` when the
session ended otherwise), 4429 a socket that kept flooding after its messages were refused with
`status: 429` (player.ratelimit).
"""

import asyncio
import contextlib
import functools
import json
import logging
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module

import psycopg
from channels.auth import AuthMiddleware, get_user
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from accounts.api import LoginDeadlines, login_now, session_login_deadlines
from config.cache import cache_loop_release

from . import loop_db
from .models import EndReason, PlaybackSession
from .protocol import ProtocolError, body_load, login_kept_alive
from .ratelimit import Allowance, SocketBudget, allowance_now
from .realtime import ended_message, learner_group, session_group

log = logging.getLogger(__name__)

CLOSE_LOGIN = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_ENDED = 4409
CLOSE_FLOODING = 4429
TOO_MANY = "心跳过于频繁，请稍后再试"
LOGIN_RECHECK = 60  # s: the login is read again at least this often (logout elsewhere, a
# password change, an administrator ending it), at once when a logout is pushed

# The sockets' database work runs on threads of their own, as many as settings allow (at most the
# database pool's size), not on asgiref's one shared thread. A plain executor hop, not asgiref's
# sync_to_async: at a thousand heartbeats a second its context copying and bookkeeping were a
# tenth of the process's CPU (issue 17, docs/performance.md); nothing the heartbeat runs needs
# the caller's context. Each thread keeps the connection it took between calls for up to
# CONNECTION_HOLD seconds of use (then gives it back to the pool and takes another), and gives
# it back at once when it is broken or left in a transaction: taking and returning a pooled
# connection per heartbeat was a quarter of a heartbeat's cost (issue 17, step 5).
_threads = ThreadPoolExecutor(settings.PLAYER_SOCKET_THREADS, thread_name_prefix="player-db")
CONNECTION_HOLD = 30.0  # s
_holders: weakref.WeakSet = weakref.WeakSet()  # the threads' connection handles, for release


def _with_connection(function, args, kwargs):
    db = connections[DEFAULT_DB_ALIAS]
    db.close_if_unusable_or_obsolete()  # held past its time (or broken): back to the pool
    opened = db.connection is None
    try:
        return function(*args, **kwargs)
    finally:
        if opened and db.connection is not None:  # taken in this call: kept a while
            db.close_at = time.monotonic() + CONNECTION_HOLD
            _holders.add(db)
        db.close_if_unusable_or_obsolete()


def connections_release() -> None:
    """Give back every connection the socket threads hold, and close the event loops' (tests,
    before the test database is dropped). Only while no socket work runs."""
    loop_db.release()
    cache_loop_release()
    for db in list(_holders):
        db.inc_thread_sharing()
        try:
            db.close()
        finally:
            db.dec_thread_sharing()
    _holders.clear()


async def db_call(function, /, *args, **kwargs):
    """`function(*args, **kwargs)` on a database thread, awaited."""
    call = functools.partial(_with_connection, function, args, kwargs)
    return await asyncio.get_running_loop().run_in_executor(_threads, call)


class SocketSessionMiddleware:
    """The login's session in the scope, as channels' SessionMiddleware puts it there, without
    its wrapper around every message the socket sends (it saves a session that changed): a
    player socket never changes its session — the login's activity is written by
    loop_db.login_check (accounts.api.session_login_deadlines on a thread when it cannot) — and at a thousand heartbeats a second the wrapper's
    checks were a fiftieth of the process's CPU (issue 17). Inside channels' CookieMiddleware."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        store = import_module(settings.SESSION_ENGINE).SessionStore
        session = store(scope["cookies"].get(settings.SESSION_COOKIE_NAME))
        return await self.inner(dict(scope, session=session), receive, send)


class SocketAuthMiddleware(AuthMiddleware):
    """channels' AuthMiddleware, resolving a socket's login on the sockets' database threads
    (db_call) instead of asgiref's one shared thread, where a reconnect storm's logins queued one
    at a time (about 110 sockets a second, issue 17). The same function resolves it."""

    async def resolve_scope(self, scope):
        scope["user"]._wrapped = await db_call(get_user.func, scope)


def _session_open(user, session_id) -> tuple[int, str, Allowance]:
    """(200, "") if the session is the user's and active; else the status it would answer and
    why it ended; and the year's message allowance for the socket."""
    allowance = allowance_now()
    session = PlaybackSession.objects.filter(pk=session_id, learner=user).first()
    if session is None:
        return 404, "", allowance
    return (200, "", allowance) if session.active else (409, session.end_reason, allowance)


class PlayerConsumer(AsyncWebsocketConsumer):
    budget: SocketBudget | None = None
    login: LoginDeadlines | None = None
    login_checked_at = 0

    async def __call__(self, scope, receive, send) -> None:
        """As channels' AsyncConsumer runs a consumer — the socket's messages and the channel
        layer's pushes dispatched one at a time, until StopConsumer — without its
        await_many_dispatch, which waits on both anew for every message (a wait and a new task
        per heartbeat): each source is read by a task of its own for the socket's life, and a
        lock keeps the handlers one at a time. The first failure of either ends the consumer,
        as it does in channels."""
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            sources.append(functools.partial(self.channel_layer.receive, self.channel_name))
        turn = asyncio.Lock()
        stopped = False  # a handler ended the consumer: nothing is dispatched after it

        async def pump(source) -> None:
            nonlocal stopped
            try:
                while True:
                    message = await source()
                    async with turn:
                        if stopped:
                            return
                        await self.dispatch(message)
            except BaseException:
                stopped = True
                raise

        tasks = [asyncio.ensure_future(pump(source)) for source in sources]
        try:
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        except StopConsumer:
            pass
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:  # the first to end has spoken; the others' ends are not news
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await task

    async def dispatch(self, message: dict) -> None:
        """As channels dispatches, without its hop to the shared thread before every message to
        close stale connections: this consumer touches the database only through db_call, which
        does that on its own thread."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_LOGIN)
            return
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        status, reason, allowance = await db_call(_session_open, user, self.session_id)
        self.budget = SocketBudget(allowance)
        if status == 404:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if status == 409:
            await self._send(ended_message(reason))
            await self.close(code=CLOSE_ENDED)
            return
        # Pushes (superseded, ended) come through the channel layer. Without it (Redis down) the
        # socket still carries heartbeats (config.channel_layer): the next heartbeat after a
        # missed push is answered 409.
        self.groups_joined = [session_group(self.session_id), learner_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _login_kept(self, *, alive: bool, now_check: bool = False) -> bool:
        """One rule with HTTP: the login ends when idle or 12 hours old; a visible, playing
        heartbeat is activity. The socket holds when the login would end and reads it again
        only when that moment comes, when activity is due to be recorded (once a minute, as
        pages record it), when a minute has passed, or at once when told (`player_login`)."""
        now = login_now()
        login = self.login
        if not (
            now_check
            or login is None
            or now - self.login_checked_at >= LOGIN_RECHECK
            or now >= login.idle
            or now >= login.age
            or (alive and now - login.activity >= settings.SESSION_ACTIVITY_REFRESH)
        ):
            return True
        session = self.scope.get("session")
        key = getattr(session, "session_key", None)
        user_id = self.scope["user"].pk
        login = None
        if key and loop_db.enabled():  # on the loop when that is the whole answer
            try:
                login = await loop_db.login_check(key, user_id, touch=alive)
            except psycopg.Error as error:
                log.warning("player: the login check failed on the event loop (%s)", error)
        if login is None:
            login = await db_call(session_login_deadlines, key, user_id, touch=alive)
        self.login = login
        self.login_checked_at = now
        return self.login is not None

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.budget is None:  # refused at connect, closing
            return
        if not self.budget.admit():  # a flood costs no database work
            if self.budget.flooding:
                await self.close(code=CLOSE_FLOODING)
            else:
                await self._send({"type": "heartbeat_ack", "status": 429, "error": TOO_MANY})
            return
        user = self.scope["user"]
        try:
            data = body_load(text_data if text_data is not None else bytes_data)
        except ProtocolError as error:
            data, malformed = None, error
        else:
            malformed = None
        # Checked before anything else the message would do.
        alive = data is not None and data.get("type") == "heartbeat" and login_kept_alive(data)
        if not await self._login_kept(alive=alive):
            await self.close(code=CLOSE_LOGIN)
            return
        try:
            if malformed is not None:
                raise malformed
            if data.get("type") != "heartbeat":
                raise ProtocolError(400, "type 应为 heartbeat")
            status, payload = await loop_db.heartbeat_record(
                learner=user, session_id=self.session_id, data=data, via="ws", thread_call=db_call
            )
        except ProtocolError as error:
            status, payload = error.status, error.payload()
        except Exception:  # a defect of ours: answer it, log it, keep the socket
            log.exception("player: heartbeat failed on session %s", self.session_id)
            status, payload = 500, {"error": "服务器暂时无法处理，请稍后重试"}
        await self._send({"type": "heartbeat_ack", "status": status, **payload})
        if status == 404:
            await self.close(code=CLOSE_NOT_FOUND)
        elif status == 409:
            await self._send(ended_message(payload.get("reason", "")))
            await self.close(code=CLOSE_ENDED)

    async def player_ended(self, event: dict) -> None:  # realtime.ENDED_EVENT
        await self._send(ended_message(event.get("reason", "")))
        await self.close(code=CLOSE_ENDED)

    async def player_login(self, event: dict) -> None:  # realtime.LOGIN_EVENT
        if not await self._login_kept(alive=False, now_check=True):
            await self.close(code=CLOSE_LOGIN)

    async def player_superseded(self, event: dict) -> None:
        # What workers of the release before realtime.py sent; kept while a rolling deploy may
        # still run them beside this one (a consumer without a handler would fail the socket).
        await self.player_ended({"reason": EndReason.SUPERSEDED})

    async def _send(self, message: dict) -> None:
        text = json.dumps(message, ensure_ascii=False)
        await self.base_send({"type": "websocket.send", "text": text})
