"""The player protocol over a websocket (DESIGN.md §4 step 4): /ws/player/<uuid>/.

The same service as HTTP decides every heartbeat; an answer is `{"type": "heartbeat_ack",
"status": <the HTTP code>, ...}`. A malformed message gets status 400 and the socket stays open.
Close codes: 4401 no login (or it expired), 4404 not this learner's session, 4409 superseded or
ended (after pushing `{"type": "superseded"}`, or `{"type": "ended", "reason": ...}` when the
session ended otherwise).
"""

import json
import logging
from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from . import services
from .models import EndReason
from .protocol import ProtocolError, body_load

log = logging.getLogger(__name__)

CLOSE_LOGIN = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_ENDED = 4409


def _session_open(user, session_id) -> tuple[int, str]:
    """(200, "") if the session is the user's and active; else the status it would answer and
    why it ended."""
    from .models import PlaybackSession

    session = PlaybackSession.objects.filter(pk=session_id, learner=user).first()
    if session is None:
        return 404, ""
    return (200, "") if session.active else (409, session.end_reason)


def _ended_message(reason: str) -> dict:
    """What the socket is told before it closes with 4409."""
    if reason == EndReason.SUPERSEDED:
        return {"type": "superseded"}
    return {"type": "ended", "reason": reason}


def _login_valid(session_key: str | None, user_id) -> bool:
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return str(store.load().get("_auth_user_id")) == str(user_id)  # {} once expired or ended


class PlayerConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_LOGIN)
            return
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        status, reason = await database_sync_to_async(_session_open)(user, self.session_id)
        if status == 404:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if status == 409:
            await self._send(_ended_message(reason))
            await self.close(code=CLOSE_ENDED)
            return
        self.group = services.session_group(self.session_id)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        user = self.scope["user"]
        session = self.scope.get("session")
        key = getattr(session, "session_key", None)
        if not await database_sync_to_async(_login_valid)(key, user.pk):
            await self.close(code=CLOSE_LOGIN)
            return
        try:
            data = body_load(text_data if text_data is not None else bytes_data)
            if data.get("type") != "heartbeat":
                raise ProtocolError(400, "type 应为 heartbeat")
            status, payload = await database_sync_to_async(services.heartbeat_record)(
                learner=user, session_id=self.session_id, data=data
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
            await self._send(_ended_message(payload.get("reason", "")))
            await self.close(code=CLOSE_ENDED)

    async def player_superseded(self, event: dict) -> None:
        await self._send(_ended_message(EndReason.SUPERSEDED))
        await self.close(code=CLOSE_ENDED)

    async def player_ended(self, event: dict) -> None:
        await self._send(_ended_message(event.get("reason", "")))
        await self.close(code=CLOSE_ENDED)

    async def _send(self, message: dict) -> None:
        await self.send(text_data=json.dumps(message, ensure_ascii=False))
