"""The websocket stack of config/asgi.py with a player consumer that decides nothing: it takes
each message through the same checks as PlayerConsumer (flood budget, parsing, the held login)
and answers a fixed acknowledgement of that heartbeat's size, without the database. What the
framework alone costs per heartbeat (uvicorn, channels, the consumer, JSON), for
bench/heartbeat_paths.py; never routed by the site itself.

    uvicorn bench.framework_asgi:application --lifespan off --ws websockets-sansio
"""

from channels.routing import ProtocolTypeRouter
from django.urls import path

from config.asgi import application as site  # first: it sets Django up
from config.asgi import websocket_stack
from player.consumers import PlayerConsumer
from player.protocol import ProtocolError, body_load, login_kept_alive

ANSWER = {
    "type": "heartbeat_ack",
    "status": 200,
    "credited": 10.0,
    "watched": 20.0,
    "frontier": 30.0,
    "coverage": 0.0083,
    "complete": False,
    "course_complete": False,
    "credit": None,
    "reasons": [],
    "challenge": None,
}


class AnswerOnlyConsumer(PlayerConsumer):
    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.budget is None or not self.budget.admit():
            return
        try:
            data = body_load(text_data if text_data is not None else bytes_data)
        except ProtocolError:
            return
        if not await self._login_kept(alive=login_kept_alive(data)):
            await self.close(code=4401)
            return
        await self._send({**ANSWER, "seq": data.get("seq")})


application = ProtocolTypeRouter(
    {
        "http": site.application_mapping["http"],
        "websocket": websocket_stack(  # config/asgi.py's own
            [path("ws/player/<uuid:session_id>/", AnswerOnlyConsumer.as_asgi())]
        ),
    }
)
