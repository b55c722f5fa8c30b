"""With Redis unreachable (the cache and the channel layer pointed at a closed port), nothing a
learner does depends on it (DESIGN.md §5): pages, search, playlists, login, password reset,
heartbeats over HTTP and the websocket, and completion with its hours all still work; a cache
error is a miss, logged and counted, never a 500. Runs on the embedded default and under CI's
services alike."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from accounts.sms import MemorySmsBackend
from config.cache import cache_available, cache_errors
from credits.models import CreditEntry
from media.delivery import master_playlist_url
from tests.conftest import free_port
from tests.factories import LearnerFactory
from tests.player.conftest import Player, lessons_of, publish
from tests.player.test_websocket import cookie_of, heartbeat, open_socket

PASSWORD = "Lesson-2025-ok"


def _dead_redis() -> dict:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    return {
        "CACHES": {
            "default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": url},
            "pages": {
                "BACKEND": "config.cache.ResilientRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "pages",
            },
        },
        "CHANNEL_LAYERS": {
            "default": {
                "BACKEND": "config.channel_layer.ResilientRedisChannelLayer",
                "CONFIG": {"hosts": [{"address": url, "socket_connect_timeout": 0.5}]},
            }
        },
    }


@pytest.fixture
def redis_down():
    from channels.layers import channel_layers

    with override_settings(**_dead_redis()):
        channel_layers.backends = {}
        yield
    channel_layers.backends = {}


def _playable(video) -> None:
    """A tiny HLS set in storage for the world's lesson video."""
    video.hls_prefix = f"{video.prefix}hls/run1/"
    video.renditions = [{"height": 240, "playlist": f"{video.hls_prefix}240p.m3u8"}]
    video.save(update_fields=["hls_prefix", "renditions"])
    for name, text in (
        (
            "master.m3u8",
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x240\n240p.m3u8\n",
        ),
        ("240p.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nseg0.ts\n#EXT-X-ENDLIST\n"),
    ):
        key = video.hls_prefix + name
        if default_storage.exists(key):
            default_storage.delete(key)
        default_storage.save(key, ContentFile(text.encode()))


@pytest.mark.django_db
def test_without_redis_every_learner_path_still_works(redis_down, client, world, clock):
    errors_before = sum(cache_errors().values())
    course = publish(world)
    lesson = lessons_of(course)[0]
    _playable(world.a.video)

    # The cache answers misses, and says it is down.
    assert cache.get("anything", "miss") == "miss" and cache.add("k", 1) is False
    assert not cache_available()

    # Anonymous pages (each normally from the pages cache).
    for url in ("/", "/courses/public/", "/search/?q=网络安全", course.url, "/healthz"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "网络安全法律法规解读" in client.get("/search/?q=网络安全").content.decode()

    # Login with the phone and password (the per-address limit lives in the cache).
    learner = LearnerFactory(username="learner_down", phone="13800000077")
    learner.set_password(PASSWORD)
    learner.save()
    learner.groups.add(Group.objects.get(name="学员"))
    response = client.post(
        "/accounts/login/", {"username": "13800000077", "password": PASSWORD}, follow=False
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get("/my/").status_code == 200

    # The playlist of the lesson's video.
    response = client.get(master_playlist_url(world.a.video))
    assert response.status_code == 200
    assert "#EXT-X-STREAM-INF" in response.content.decode()

    # Watching over HTTP to completion: the hours are written.
    player = Player(learner)
    player.start(lesson)
    answer = player.watch(clock, 0, 150)
    assert answer["complete"] and answer["course_complete"]
    assert CreditEntry.objects.get(learner=learner).hours == course.credit_hours
    assert sum(cache_errors().values()) > errors_before  # counted, not hidden
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["cache"] == "unavailable"
    assert health["cache_errors"] > errors_before


@pytest.mark.django_db
def test_a_reset_code_survives_a_redis_restart(client, redis_down):
    MemorySmsBackend.outbox.clear()
    learner = LearnerFactory(username="reset_down", phone="13800000088")
    response = client.post(
        "/accounts/password/reset/",
        {"phone": "13800000088", "captcha_0": "t", "captcha_1": "passed"},
    )
    assert response.status_code == 302
    ((_phone, text),) = MemorySmsBackend.outbox
    code = re.search(r"\d{6}", text).group(0)
    # Redis comes back empty (another cache entirely): the code is in the database.
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        }
    ):
        response = client.post(
            "/accounts/password/reset/confirm/",
            {"phone": "13800000088", "code": code, "password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 302, response.content.decode()[:800]
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_websocket_carries_heartbeats_without_a_channel_layer(
    redis_down, asgi_server, world, clock
):
    course = publish(world)
    player = Player(world.learner)
    body = player.start(lessons_of(course)[0])
    with open_socket(asgi_server, body["session"], cookie_of(player)) as ws:
        for seq in range(1, 4):
            clock.tick(10)
            ws.send(heartbeat(seq, [[(seq - 1) * 10.0, seq * 10.0]]))
            ack = json.loads(ws.recv(timeout=10))
            assert ack["status"] == 200 and ack["credited"] == 10
