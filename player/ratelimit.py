"""Heartbeat flood control (DESIGN.md §4): more messages on one session than the year's limit per
heartbeat interval are refused (HTTP 429, websocket `status: 429`) before any database work, and
a socket that keeps flooding is closed.

The limit is a token bucket (GCRA): a session earns `per_interval` messages per interval and may
save up a burst of `outage_grace ÷ interval + per_interval`, so the heartbeats a player queued
through an outage of the year's grace still go through at once when the network returns, while a
flood is held to the steady rate. The rules come from this process's copy of the year's rules
(credits.api.heartbeat_limits, no query); time is the server's clock, as for crediting.

Websocket: one bucket per socket, in memory. HTTP: one bucket per learner and session in Redis,
shared by every worker, read and moved by one atomic script (one round trip); if the cache fails,
a bucket in this process's memory does (a cache error is a miss, never a 500, and never an open
door). The embedded default's memory cache is one process's: read and set there.
"""

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from django.core.cache import cache

from config.cache import (
    cache_available,
    cache_backend,
    cache_is_redis,
    cache_script,
    cache_script_async,
)
from credits.api import HeartbeatLimits, heartbeat_limits

from . import clock

_LOCAL_BUCKETS = 10_000  # HTTP buckets kept in memory while the cache is down


@dataclass(frozen=True)
class Allowance:
    emission: float  # s of "credit" one message uses
    tolerance: float  # s of saved-up credit: (burst - 1) messages

    @classmethod
    def of(cls, limits: HeartbeatLimits) -> "Allowance":
        interval = max(1, limits.interval)
        per_interval = max(1, limits.per_interval)
        burst = -(-limits.outage_grace // interval) + per_interval  # ceil(grace / interval) + n
        emission = interval / per_interval
        return cls(emission=emission, tolerance=emission * (burst - 1))


def allowance_now(*, query: bool = True) -> Allowance:
    return Allowance.of(heartbeat_limits(query=query))


def gcra(tat: float | None, now: float, allowance: Allowance) -> tuple[bool, float | None]:
    """(admitted, the bucket's new theoretical arrival time). A refused message changes
    nothing, so a flood cannot push its own recovery further away."""
    tat = now if tat is None else max(tat, now)
    if tat - now > allowance.tolerance:
        return False, tat
    return True, tat + allowance.emission


class SocketBudget:
    """One websocket's bucket, and how many refusals in a row it has had."""

    def __init__(self, allowance: Allowance | None = None):
        self.allowance = allowance or allowance_now()
        self.tat: float | None = None
        self.refused_in_a_row = 0

    def admit(self, now: float | None = None) -> bool:
        now = clock.now().timestamp() if now is None else now
        admitted, self.tat = gcra(self.tat, now, self.allowance)
        self.refused_in_a_row = 0 if admitted else self.refused_in_a_row + 1
        return admitted

    @property
    def flooding(self) -> bool:
        """Still sending after a whole burst's worth of refusals: close the socket."""
        burst = round(self.allowance.tolerance / self.allowance.emission) + 1
        return self.refused_in_a_row > burst


_local: OrderedDict[str, float] = OrderedDict()
_local_lock = threading.Lock()


def _local_admit(key: str, now: float, allowance: Allowance) -> bool:
    with _local_lock:
        admitted, tat = gcra(_local.get(key), now, allowance)
        _local[key] = tat
        _local.move_to_end(key)
        while len(_local) > _LOCAL_BUCKETS:
            _local.popitem(last=False)
        return admitted


# The GCRA step of `gcra` in Redis, so that reading and moving a bucket is one round trip and
# atomic (concurrent requests of one flood cannot each pass). Times as decimal strings.
_GCRA_SCRIPT = """
local now = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '')
if tat == nil or tat < now then tat = now end
if tat - now > tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], string.format('%.6f', tat + tonumber(ARGV[2])), 'EX', ARGV[4])
return 1
"""


def _http_bucket(learner_id: int, session_id: str, now: float | None, *, query: bool = True):
    """The HTTP bucket of a learner's session: (key, the script's arguments, allowance, now)."""
    allowance = allowance_now(query=query)
    now = clock.now().timestamp() if now is None else now
    try:  # one bucket per session however its id is spelt (upper case, braces, urn:uuid:)
        session_id = str(uuid.UUID(str(session_id)))
    except ValueError:
        session_id = str(session_id)[:64]  # answered 404 after admission
    key = f"player:hb-budget:v2:{learner_id}:{session_id}"
    ttl = int(allowance.tolerance + allowance.emission) + 60
    args = [f"{now:.6f}", f"{allowance.emission:.6f}", f"{allowance.tolerance:.6f}", ttl]
    return key, args, allowance, now


def _memory_admit(key: str, args: list, allowance: Allowance, now: float, store=cache) -> bool:
    """The embedded default's memory cache: one process, read and set."""
    admitted, tat = gcra(store.get(key), now, allowance)
    if admitted:
        store.set(key, tat, timeout=args[3])
    return admitted


def http_heartbeat_admit(*, learner_id: int, session_id: str, now: float | None = None) -> bool:
    """Whether one more HTTP heartbeat of this learner's session may be processed."""
    key, args, allowance, now = _http_bucket(learner_id, session_id, now)
    if cache_available():
        if not cache_is_redis():
            return _memory_admit(key, args, allowance, now)
        admitted = cache_script(_GCRA_SCRIPT, [key], args)
        if admitted is not None:
            return bool(admitted)
    return _local_admit(key, now, allowance)  # the cache is down: this process's buckets decide


async def http_heartbeat_admit_async(
    *, learner_id: int, session_id: str, now: float | None = None
) -> bool:
    """http_heartbeat_admit on the event loop (player.http_heartbeat): the same bucket. NotCopied
    when this process's copy of the year's rules is due to be read again (a query)."""
    key, args, allowance, now = _http_bucket(learner_id, session_id, now, query=False)
    if cache_available(loop=True):
        if not cache_is_redis(loop=True):
            return _memory_admit(key, args, allowance, now, cache_backend(loop=True))
        admitted = await cache_script_async(_GCRA_SCRIPT, [key], args)
        if admitted is not None:
            return bool(admitted)
    return _local_admit(key, now, allowance)
