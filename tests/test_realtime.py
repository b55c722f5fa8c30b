"""Websockets on the embedded default: the same ASGI application `make run` serves."""

import json
from urllib.parse import urlsplit

import pytest
from websockets.sync.client import connect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_health_websocket_answers_through_the_channel_layer(asgi_server):
    host = urlsplit(asgi_server).netloc
    with connect(f"ws://{host}/ws/health/", origin=asgi_server) as ws:
        ws.send(json.dumps({"type": "ping", "token": "t1"}))
        pong = json.loads(ws.recv(timeout=10))
        assert pong["type"] == "pong" and pong["token"] == "t1"
        ws.send("not json")
        assert json.loads(ws.recv(timeout=10)) == {"type": "error", "status": 400}
        ws.send(json.dumps({"type": "ping", "token": "t2"}))
        assert json.loads(ws.recv(timeout=10))["token"] == "t2"
