"""The test client as the production servers route requests (config.stacks): /api/player/…
through the player API's middleware stack, everything else through the pages' stack."""

import threading

from django.test import Client
from django.test.client import ClientHandler

from config.stacks import PlayerAPIStack, is_player_api

_building = threading.Lock()


class PlayerAPIClientHandler(PlayerAPIStack, ClientHandler):
    pass


class _Dispatch:
    def __init__(self, pages: ClientHandler):
        self.pages = pages
        self.player_api = PlayerAPIClientHandler(pages.enforce_csrf_checks)

    def __call__(self, environ):
        handler = self.player_api if is_player_api(environ["PATH_INFO"]) else self.pages
        if handler._middleware_chain is None:
            # Built at the first request, as Django's test handler builds it (so settings a test
            # changes before then count), one chain at a time: PlayerAPIStack swaps the setting
            # while it builds, which a chain built at that moment in another thread (the
            # concurrency tests) would read. The servers build theirs once, as they start.
            with _building:
                if handler._middleware_chain is None:
                    handler.load_middleware()
        return handler(environ)


class SiteClient(Client):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handler = _Dispatch(self.handler)
