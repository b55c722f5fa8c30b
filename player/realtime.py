"""Telling a session's open websocket that the session ended (DESIGN.md §4 step 4): the port the
services call, after commit, so that domain code never imports channels (STYLE.md §3), as
media/realtime.py does for processing progress. Losing a push loses nothing: the session's next
heartbeat is answered 409 anyway."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import EndReason

log = logging.getLogger(__name__)

ENDED_EVENT = "player.ended"  # handled by PlayerConsumer.player_ended
LOGIN_EVENT = "player.login"  # handled by PlayerConsumer.player_login: check the login now


def session_group(session_id) -> str:
    return f"player-session-{session_id}"


def learner_group(learner_id) -> str:
    """Every player socket of one learner (whatever session): told when their logins end."""
    return f"player-learner-{learner_id}"


def logins_ended_push(sender=None, *, user_id, **_kwargs) -> None:
    """accounts.api.logins_ended (sent after commit): the learner's sockets check their login
    at once instead of within the minute."""
    _send(learner_group(user_id), {"type": LOGIN_EVENT}, f"learner {user_id}: logins ended")


def ended_message(reason: str) -> dict:
    """What a session's socket is told before it closes with 4409."""
    if reason == EndReason.SUPERSEDED:
        return {"type": "superseded"}
    return {"type": "ended", "reason": reason}


def session_ended_publish(session_id, reason: str) -> None:
    """After the current transaction commits, tell the session's socket (if one is open) that
    the session ended and why."""
    transaction.on_commit(lambda: _push(session_id, reason))


def _push(session_id, reason: str) -> None:
    _send(
        session_group(session_id),
        {"type": ENDED_EVENT, "reason": reason},
        f"session {session_id} ended ({reason})",
    )


def _send(group: str, event: dict, what: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # the channel layer (Redis) is down: crediting never depends on it
        log.warning("player: could not push: %s", what)
