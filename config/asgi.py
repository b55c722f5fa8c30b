"""ASGI entry point: HTTP and websockets (Channels).

In production the ASGI workers carry the websockets (the player) and the WSGI workers serve the
pages (config/wsgi.py); the embedded default serves both from one ASGI server.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django_asgi_app = get_asgi_application()  # before importing consumers: it sets Django up

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from config.stacks import asgi_dispatch  # noqa: E402
from player import http_heartbeat  # noqa: E402
from player.consumers import SocketAuthMiddleware, SocketSessionMiddleware  # noqa: E402


def websocket_stack(urlpatterns):
    """The websockets' stack: the origin checked, the session and the login (channels'
    AuthMiddlewareStack, its login resolved off the shared thread and its session never saved
    from a socket), then the routes."""
    return AllowedHostsOriginValidator(
        CookieMiddleware(SocketSessionMiddleware(SocketAuthMiddleware(URLRouter(urlpatterns))))
    )


application = ProtocolTypeRouter(
    {
        # The HTTP heartbeat on the event loop, as the socket's (decision 0012); the rest of the
        # player API through its own stack (decision 0011), the pages through theirs.
        "http": http_heartbeat.asgi(asgi_dispatch(django_asgi_app)),
        "websocket": websocket_stack(websocket_urlpatterns),
    }
)

# What the process holds from here on (Django, Wagtail, the URL and template machinery) lives as
# long as the process: kept out of the garbage collector's generations, so that a collection
# walks only what requests and sockets make (fewer, shorter pauses under load).
gc.freeze()
