"""WSGI entry point: the pages and HTTP API in production (gunicorn), where Django costs a third
of the CPU per request that it costs under ASGI (docs/decisions/0002-wsgi-for-pages.md); the
player's API through its own shorter middleware stack (config.stacks, decision 0011)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
pages = get_wsgi_application()  # sets Django up

from config.stacks import wsgi_dispatch  # noqa: E402

application = wsgi_dispatch(pages)
