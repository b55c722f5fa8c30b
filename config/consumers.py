"""A websocket health check for load balancers and monitoring.

A client sends {"type": "ping"}; the consumer sends that ping through the channel layer to its
own channel and answers {"type": "pong"} only when it comes back, so a pong proves that the ASGI
server and the channel layer (Redis in production) both carry messages.
"""

import os

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

HEALTH_GROUP = "health"


class HealthConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(HEALTH_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(HEALTH_GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "status": 400})
            return
        await self.channel_layer.send(
            self.channel_name, {"type": "health.echo", "token": str(content.get("token", ""))}
        )

    async def health_echo(self, event: dict) -> None:
        await self.send_json(
            {
                "type": "pong",
                "token": event["token"],
                "pid": os.getpid(),
                "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
            }
        )

    async def health_broadcast(self, event: dict) -> None:
        await self.send_json({"type": "broadcast", "message": event.get("message", "")})

    @classmethod
    async def decode_json(cls, text_data):
        import json

        try:
            return json.loads(text_data)
        except ValueError:
            return None
