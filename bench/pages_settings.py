"""Settings of the pages benchmark's servers (bench/pages_load.py): the site's own, with one more
URL, a trivial view behind the same middleware (the baseline), and, for the uncached server, no
page cache (BENCH_PAGES_UNCACHED=1)."""

import os

from config.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.pages_urls"

if os.environ.get("BENCH_PAGES_UNCACHED") == "1":
    CACHES["pages"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}  # noqa: F405
