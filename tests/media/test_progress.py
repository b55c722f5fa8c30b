"""Live processing progress over ws/media/assets/<id>/, on the real ASGI application."""

import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from media.models import VideoAsset, VideoStatus
from media.realtime import asset_broadcast
from tests.factories import InstitutionFactory, VideoAssetFactory
from tests.media.people import make_editor, make_staff

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def open_socket(server: str, asset_id: int, cookie: str | None = None):
    host = urlsplit(server).netloc
    headers = {"Cookie": cookie} if cookie else None
    return connect(
        f"ws://{host}/ws/media/assets/{asset_id}/",
        origin=server,
        additional_headers=headers,
        open_timeout=10,
    )


def close_code(server: str, asset_id: int, cookie: str | None = None) -> int:
    with open_socket(server, asset_id, cookie) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    return closed.value.rcvd.code


@pytest.fixture
def scene():
    a = InstitutionFactory(name="甲培训学院")
    b = InstitutionFactory(name="乙培训中心")
    asset = VideoAssetFactory(
        institution=a, title="网络安全第一讲", status=VideoStatus.PROCESSING, progress=0.1
    )
    return {
        "asset": asset,
        "editor_a": make_editor(a, "editor_a"),
        "editor_b": make_editor(b, "editor_b"),
    }


def test_the_owning_editor_gets_the_state_then_every_update(asgi_server, scene):
    asset = scene["asset"]
    with open_socket(asgi_server, asset.pk, session_cookie(scene["editor_a"])) as ws:
        first = json.loads(ws.recv(timeout=10))
        assert first["type"] == "state"
        assert first["asset"]["id"] == asset.pk
        assert first["asset"]["status"] == "processing" and first["asset"]["progress"] == 10

        for fraction in (0.5, 0.75):
            asset.progress = fraction
            asset_broadcast(asset)
            update = json.loads(ws.recv(timeout=10))
            assert update["type"] == "progress"
            assert update["asset"]["progress"] == int(fraction * 100)
            assert update["asset"]["status_display"] == "转码中"

        VideoAsset.objects.filter(pk=asset.pk).update(
            status=VideoStatus.READY, progress=1.0, duration=3.0
        )
        asset.refresh_from_db()
        asset_broadcast(asset)
        done = json.loads(ws.recv(timeout=10))["asset"]
        assert done["status"] == "ready" and done["progress"] == 100 and done["duration"] == 3.0

        ws.send("anything")  # the socket is read-only: ignored, not fatal
        asset.progress = 1.0
        asset_broadcast(asset)
        assert json.loads(ws.recv(timeout=10))["type"] == "progress"


def test_a_reviewer_may_watch_any_asset(asgi_server, scene):
    reviewer = make_staff("审核员", "reviewer")
    with open_socket(asgi_server, scene["asset"].pk, session_cookie(reviewer)) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "state"


def test_another_institutions_editor_is_closed_with_4404(asgi_server, scene):
    cookie = session_cookie(scene["editor_b"])
    assert close_code(asgi_server, scene["asset"].pk, cookie) == 4404
    assert close_code(asgi_server, 999999, cookie) == 4404  # no such asset: the same answer


def test_anonymous_is_closed_with_4401(asgi_server, scene):
    assert close_code(asgi_server, scene["asset"].pk) == 4401
    assert (
        close_code(asgi_server, scene["asset"].pk, f"{settings.SESSION_COOKIE_NAME}=forged") == 4401
    )
