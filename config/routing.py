"""Websocket routes."""

from django.urls import path

from config.consumers import HealthConsumer
from media.consumers import AssetProgressConsumer
from player.consumers import PlayerConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    path("ws/media/assets/<int:asset_id>/", AssetProgressConsumer.as_asgi()),
    path("ws/player/<uuid:session_id>/", PlayerConsumer.as_asgi()),
]
