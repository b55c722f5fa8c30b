"""WSGI entry point: the pages and HTTP API in production (gunicorn), where Django costs a third
of the CPU per request that it costs under ASGI (docs/decisions/0002-wsgi-for-pages.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
