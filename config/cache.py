"""The Redis cache, where an error is a miss (DESIGN.md §5): pages, playlists, logins, heartbeats
and completions never depend on Redis, so a Redis that is down, restarting or unreachable must
cost them nothing but the cache.

Every operation that fails with a Redis or socket error is logged, counted, and answered as a
miss (get → the default, add/set/delete → False, incr → as if the key were new). After a failure
the cache is skipped for BREAKER_SECONDS, so that a dead Redis does not make every request wait
for a connection timeout; then one request tries again. `cache_available()` tells callers that
must not mistake "down" for "empty" (the heartbeat budget keeps its own copy then).
"""

import asyncio
import functools
import logging
import threading
import time
import weakref

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import setting_changed
from django.dispatch import receiver

log = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0

_state_lock = threading.Lock()
# The event loops' asynchronous clients: loop -> {location: client}. Kept here, not on the
# backend: Django's `caches` gives every asyncio task a backend of its own (asgiref's Local), so
# a client kept there would open a new connection per request.
_loop_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
LOOP_CONNECTIONS = 16  # per event loop: each holds one only for a script's round trip


def cache_loop_release() -> None:
    """Forget the event loops' clients (tests, as each test's server and loop stop): their
    connections belong to loops that are gone and close as they are collected."""
    _loop_clients.clear()


_skip_until: dict[str, float] = {}  # per Redis location
_errors: dict[str, int] = {}


def cache_errors() -> dict[str, int]:
    """Failed cache operations since the process started, per Redis location (for /healthz)."""
    with _state_lock:
        return dict(_errors)


@functools.cache
def _loop_backend(alias: str):
    return caches.create_connection(alias)


@receiver(setting_changed)
def _caches_changed(*, setting, **_kwargs) -> None:
    if setting == "CACHES":
        _loop_backend.cache_clear()


def cache_backend(alias: str = "default", *, loop: bool = False):
    """The cache `alias`; with `loop`, one made once per process for the event loop's own use:
    `caches[alias]` gives every asyncio task a backend of its own (asgiref's Local), a new one
    for every request the loop serves."""
    return _loop_backend(alias) if loop else caches[alias]


def cache_available(alias: str = "default", *, loop: bool = False) -> bool:
    """False while the cache behind `alias` is known to be failing."""
    backend = cache_backend(alias, loop=loop)
    client = getattr(backend, "_cache", None)
    location = getattr(client, "location", None)
    if not isinstance(client, ResilientRedisCacheClient) or location is None:
        return True
    return not client.skipping()


@functools.cache
def _script(source: str):
    """redis-py's Script for `source` (its digest worked out once), run on the client given."""
    from redis.commands.core import Script

    return Script(None, source.encode())  # bytes: no client needed for its digest


@functools.cache
def _async_script(source: str):
    from redis.commands.core import AsyncScript

    return AsyncScript(None, source.encode())


def cache_script(source: str, keys: list[str], args: list, *, miss=None, alias: str = "default"):
    """Run the Lua script `source` on the cache's Redis with `keys` (made into the cache's keys,
    prefix and version included) and `args`: its result, or `miss` if the cache is not Redis
    (the embedded default's memory cache), is being skipped, or fails (counted, as any
    operation). For a read-and-write that must be one round trip and atomic."""
    backend = caches[alias]
    client = getattr(backend, "_cache", None)
    if not isinstance(client, ResilientRedisCacheClient):
        return miss
    return client.script(source, [backend.make_and_validate_key(key) for key in keys], args, miss)


async def cache_script_async(
    source: str, keys: list[str], args: list, *, miss=None, alias: str = "default"
):
    """cache_script for the event loop (the player's HTTP heartbeat, player.http_heartbeat):
    the same script, keys and breaker, on an asynchronous client of the loop's own."""
    backend = cache_backend(alias, loop=True)
    client = getattr(backend, "_cache", None)
    if not isinstance(client, ResilientRedisCacheClient):
        return miss
    keys = [backend.make_and_validate_key(key) for key in keys]
    return await client.script_async(source, keys, args, miss)


def cache_is_redis(alias: str = "default", *, loop: bool = False) -> bool:
    backend = cache_backend(alias, loop=loop)
    return isinstance(getattr(backend, "_cache", None), ResilientRedisCacheClient)


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self.location = ",".join(servers)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        """One redis-py client per pool, made once: Django makes a new one for every operation,
        and building its table of response callbacks was an eighth of a cached page's CPU. A
        client is thread-safe (each command takes a connection from the pool)."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    def skipping(self) -> bool:
        with _state_lock:
            return time.monotonic() < _skip_until.get(self.location, 0.0)

    def _guarded(self, operation: str, call, miss):
        if self.skipping():
            return miss
        try:
            return call()
        except (self._lib.exceptions.RedisError, OSError) as error:
            self._failed(operation, error)
            return miss

    def _failed(self, operation: str, error: Exception) -> None:
        with _state_lock:
            _errors[self.location] = _errors.get(self.location, 0) + 1
            _skip_until[self.location] = time.monotonic() + BREAKER_SECONDS
            count = _errors[self.location]
        log.warning(
            "cache %s failed (%s: %s); treated as a miss, cache skipped for %.0f s "
            "(%d errors so far)",
            operation,
            type(error).__name__,
            error,
            BREAKER_SECONDS,
            count,
        )

    def add(self, key, value, timeout):
        return self._guarded("add", lambda: super(__class__, self).add(key, value, timeout), False)

    def get(self, key, default):
        return self._guarded("get", lambda: super(__class__, self).get(key, default), default)

    def set(self, key, value, timeout):
        return self._guarded("set", lambda: super(__class__, self).set(key, value, timeout), None)

    def touch(self, key, timeout):
        return self._guarded("touch", lambda: super(__class__, self).touch(key, timeout), False)

    def delete(self, key):
        return self._guarded("delete", lambda: super(__class__, self).delete(key), False)

    def get_many(self, keys):
        return self._guarded("get_many", lambda: super(__class__, self).get_many(keys), {})

    def has_key(self, key):
        return self._guarded("has_key", lambda: super(__class__, self).has_key(key), False)

    def incr(self, key, delta):
        return self._guarded("incr", lambda: super(__class__, self).incr(key, delta), delta)

    def set_many(self, data, timeout):
        return self._guarded(
            "set_many", lambda: super(__class__, self).set_many(data, timeout), None
        )

    def delete_many(self, keys):
        return self._guarded("delete_many", lambda: super(__class__, self).delete_many(keys), None)

    def clear(self):
        return self._guarded("clear", lambda: super(__class__, self).clear(), False)

    def script(self, source: str, keys: list, args: list, miss):
        """Run a Lua script (EVALSHA, loading it on first use): one round trip, atomic."""

        def call():
            client = self.get_client(keys[0] if keys else None, write=True)
            return _script(source)(keys=keys, args=args, client=client)

        return self._guarded("script", call, miss)

    def _loop_client(self):
        """The running event loop's asynchronous client of the first (write) server, with the
        synchronous pool's options (its parser excepted), at most LOOP_CONNECTIONS connections
        (waiting for one up to the socket timeout): a connection of redis.asyncio belongs to the
        loop that opened it."""
        clients = _loop_clients.setdefault(asyncio.get_running_loop(), {})
        client = clients.get(self.location)
        if client is None:
            import redis.asyncio

            options = {k: v for k, v in self._pool_options.items() if k != "parser_class"}
            pool = redis.asyncio.BlockingConnectionPool.from_url(
                self._servers[0],
                max_connections=LOOP_CONNECTIONS,
                timeout=options.get("socket_timeout") or 1.0,
                **options,
            )
            client = clients[self.location] = redis.asyncio.Redis(connection_pool=pool)
        return client

    async def script_async(self, source: str, keys: list, args: list, miss):
        """script() on the event loop: one round trip, the same breaker and counting."""
        if self.skipping():
            return miss
        try:
            return await _async_script(source)(keys=keys, args=args, client=self._loop_client())
        except (self._lib.exceptions.RedisError, OSError) as error:
            self._failed("script", error)
            return miss


class ResilientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache whose errors are misses (see above)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
        # Fail fast: an unreachable Redis must cost a request a fraction of a second at most.
        self._options.setdefault("socket_connect_timeout", 0.5)
        self._options.setdefault("socket_timeout", 1.0)
