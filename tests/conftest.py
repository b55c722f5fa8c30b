"""Fixtures shared by the whole suite, and the CI rule that nothing may be skipped."""

import os
import socket
import threading
import time

import pytest

pytest_plugins = ["tests.ci_rules"]


@pytest.fixture(scope="session", autouse=True)
def _flush_through_append_only_triggers():
    """Transactional tests empty every table between tests with `flush`; the append-only tables
    refuse DELETE (config/db.py), so the suite's flush, and only it, runs in maintenance mode."""
    from django.core.management.commands import flush

    from config.db import maintenance_mode

    original = flush.Command.handle

    def handle(self, **options):
        with maintenance_mode(using=options.get("database", "default")):
            return original(self, **options)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(scope="session", autouse=True)
def _s3_bucket():
    """With S3 configured (CI: moto), make sure the bucket exists before any test stores files."""
    from django.conf import settings

    if not settings.AWS_STORAGE_BUCKET_NAME:
        return
    from django.core.files.storage import default_storage

    client = default_storage.connection.meta.client
    try:
        client.head_bucket(Bucket=settings.AWS_STORAGE_BUCKET_NAME)
    except Exception:  # noqa: BLE001 (any answer but "there" means: create it)
        client.create_bucket(Bucket=settings.AWS_STORAGE_BUCKET_NAME)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached pages live in the cache: every test starts with it empty."""
    from django.core.cache import caches

    from config.page_cache import page_generation_forget
    from courses.api import lesson_facts_forget
    from credits.api import deadlines_forget

    for alias in ("default", "pages"):
        caches[alias].clear()
    page_generation_forget()
    deadlines_forget()  # a rolled-back test's credit years must not linger in the memo
    lesson_facts_forget()  # nor its lessons (SQLite reuses the ids of rolled-back rows)
    yield
    # The socket threads keep their connections between calls: given back after each test, so
    # that none outlives the test database.
    from player.consumers import connections_release

    connections_release()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db):
    """The real ASGI application (HTTP and websockets) served by uvicorn in a thread, on the test
    database. pytest-django's live_server is WSGI and carries no websockets."""
    import uvicorn
    from channels.layers import channel_layers

    from config.asgi import application

    # A channel layer belongs to the event loop that first used it: each server gets fresh ones.
    channel_layers.backends = {}

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        application, lifespan="off", log_level="warning", ws="websockets-sansio", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the ASGI server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    channel_layers.backends = {}


@pytest.fixture
def chromium():
    """Debian's Chromium driven by Playwright (it cannot download its own browsers here).

    Playwright's sync API keeps an event loop running in this thread for as long as it lives, so
    Django's async-safety check is relaxed while it does (the STACK.md advice: only inside such a
    fixture). It lives for one test and must start after, and stop before, the test database is
    set up and flushed: with a loop running, the serialized rollback of a transactional test
    restores nothing.
    """
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.skip(f"no Chromium at {executable}")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(asgi_server, chromium):
    """A fresh browser context on the ASGI server, collecting console errors (CSP violations
    among them)."""
    context = chromium.new_context(base_url=asgi_server, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def client():
    """pytest-django's client, routed as the production servers route (tests/clients.py)."""
    from tests.clients import SiteClient

    return SiteClient()
