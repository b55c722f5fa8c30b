"""Two middleware stacks in one server (docs/decisions/0011-player-api-stack.md).

The player's HTTP API (/api/player/…: a watching learner's heartbeat every few seconds, the
attention checks, the quizzes) goes through settings.PLAYER_API_MIDDLEWARE, only what a logged-in
learner's JSON call needs; every other request through settings.MIDDLEWARE. Both chains are built
by Django's own handlers, so a player call is a Django request like any other (sessions, CSRF,
the login's idle and 12-hour rules, the audit context, the security headers), without the pages'
static files, messages, redirects, lockouts and page cache.
"""

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler


def is_player_api(path: str) -> bool:
    return path.startswith(settings.PLAYER_API_PREFIX)


class PlayerAPIStack:
    """A handler mixin: the chain is built from PLAYER_API_MIDDLEWARE. Django's handler reads
    settings.MIDDLEWARE while it builds the chain, once, as the server starts and before any
    request is served; the setting is put back at once. So build it before threads serve
    (WSGIHandler and ASGIHandler build theirs in __init__; tests/clients.py builds one chain
    at a time)."""

    def load_middleware(self, is_async=False):
        pages = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.PLAYER_API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = pages


class PlayerAPIWSGIHandler(PlayerAPIStack, WSGIHandler):
    pass


class PlayerAPIASGIHandler(PlayerAPIStack, ASGIHandler):
    pass


def wsgi_dispatch(pages):
    """The WSGI application: the player API's handler for its paths, `pages` for the rest."""
    player_api = PlayerAPIWSGIHandler()

    def application(environ, start_response):
        handler = player_api if is_player_api(environ.get("PATH_INFO", "")) else pages
        return handler(environ, start_response)

    return application


def asgi_dispatch(pages):
    """The ASGI application for HTTP (the embedded default serves everything from one ASGI
    server): the same split as wsgi_dispatch."""
    player_api = PlayerAPIASGIHandler()

    async def application(scope, receive, send):
        handler = player_api if is_player_api(scope["path"]) else pages
        return await handler(scope, receive, send)

    return application
