"""The Redis channel layer, where an outage costs pushes only (DESIGN.md §5).

A websocket consumer reads its own channel through the layer all the time; with channels-redis as
it is, a Redis that is down makes that read raise and the whole socket die, so the player could not
carry a single heartbeat. Here a failed read waits and tries again (backing off to 10 s), and a
failed group_add, group_discard, send or group_send is logged and dropped: what the player misses
is a push (superseded, ended), which its next heartbeat learns anyway (409).

Its Redis connections come from a blocking pool of `max_connections` (settings: CHANNELS_REDIS_
MAX_CONNECTIONS): in a burst — a thousand sockets of a hospital dropping and returning at once
after a network blip, each joining and leaving two groups — an operation waits up to
`pool_timeout` seconds for a free connection. redis-py's default pool refuses past its limit
instead ("Too many connections"), which dropped the groups of hundreds of sockets (issue 17).
"""

import asyncio
import logging

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

OPERATION_TIMEOUT = 2.0  # s: a Redis that does not answer is as good as down (a push)
# s: joining and leaving a socket's groups may wait longer: in a reconnect storm a busy process
# gets round to them late (the storm in bench/heartbeat_load.py dropped a quarter of its joins
# at 2 s), and a dropped join costs that socket its pushes until it reconnects
GROUP_TIMEOUT = 10.0
_FAILURES = (RedisError, OSError, asyncio.TimeoutError)


class ResilientRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinels and the like: channels-redis's own pool
            return super().create_pool(index)
        address = host.pop("address")
        timeout = host.pop("pool_timeout", 10)
        return BlockingConnectionPool.from_url(address, timeout=timeout, **host)

    async def receive(self, channel):
        delay = 0.5
        while True:
            try:
                return await super().receive(channel)
            except _FAILURES as error:
                log.warning("channel layer: receive failed (%s); retrying in %.1f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _dropped_on_failure(self, operation: str, call, timeout=OPERATION_TIMEOUT) -> None:
        try:
            await asyncio.wait_for(call, timeout)
        except _FAILURES as error:
            log.warning(
                "channel layer: %s dropped (%s: %s)", operation, type(error).__name__, error
            )

    async def send(self, channel, message):
        await self._dropped_on_failure("send", super().send(channel, message))

    async def group_add(self, group, channel):
        await self._dropped_on_failure(
            "group_add", super().group_add(group, channel), GROUP_TIMEOUT
        )

    async def group_discard(self, group, channel):
        await self._dropped_on_failure(
            "group_discard", super().group_discard(group, channel), GROUP_TIMEOUT
        )

    async def group_send(self, group, message):
        await self._dropped_on_failure("group_send", super().group_send(group, message))
