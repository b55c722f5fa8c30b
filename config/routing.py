"""Websocket routes. The player's route (/ws/player/<uuid>/) joins here with the player app."""

from django.urls import path

from config.consumers import HealthConsumer
from media.consumers import AssetProgressConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    path("ws/media/assets/<int:asset_id>/", AssetProgressConsumer.as_asgi()),
]
