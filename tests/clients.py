"""The test client as the production servers route requests (config.stacks): /api/player/…
through the player API's middleware stack, everything else through the pages' stack."""

from django.test import Client
from django.test.client import ClientHandler

from config.stacks import PlayerAPIStack, is_player_api


class PlayerAPIClientHandler(PlayerAPIStack, ClientHandler):
    pass


class _Dispatch:
    def __init__(self, pages: ClientHandler):
        self.pages = pages
        self.player_api = PlayerAPIClientHandler(pages.enforce_csrf_checks)
        # Both chains now, in the thread that makes the client: Django's test handler would build
        # them at its first request, and PlayerAPIStack swaps the setting while it builds, which
        # a pages chain built at the same moment in another thread (the concurrency tests) would
        # read. The servers build theirs once, as they start.
        self.pages.load_middleware()
        self.player_api.load_middleware()

    def __call__(self, environ):
        handler = self.player_api if is_player_api(environ["PATH_INFO"]) else self.pages
        return handler(environ)


class SiteClient(Client):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handler = _Dispatch(self.handler)
