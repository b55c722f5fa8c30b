"""What the per-process copies (a lesson's facts, the credit years' rules) share."""

import asyncio
import logging

log = logging.getLogger(__name__)

# A copy read without a query in the last REFRESH_AHEAD seconds of its minute asks, once, to be
# read again beside the reader (on a database thread, by the runner the event loop's heartbeat
# sets): the readers go on with the copy, still within its minute, and none of them waits. Without
# it the copy's minute ran out under load and every heartbeat arriving before one of them had
# read it again took a database thread: once a minute a herd of hundreds queued on six threads
# and the process stalled for seconds (issue 17, the benchmark's slowest windows).
REFRESH_AHEAD = 15.0  # s

runner = None  # async callable(function): run `function` on a database thread (player.loop_db)
_pending: set = set()
_tasks: set = set()


class NotCopied(LookupError):
    """What a per-process copy does not hold, or holds too old to answer from, asked for without
    a query: the socket's event-loop path (player.loop_db), which never waits on the database,
    then hands the heartbeat to a database thread."""


def refresh_ahead(key, refresh) -> None:
    """Ask for `refresh()` (a query) to run beside, once per `key` at a time; nothing if no
    runner is set (a thread, which reads with a query when the minute is up)."""
    if runner is None or key in _pending:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    _pending.add(key)
    task = asyncio.ensure_future(_refresh(key, refresh, runner))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _refresh(key, refresh, run) -> None:
    try:
        await run(refresh)
    except Exception:
        log.exception("reading the copy of %s again failed (the next reader asks again)", key)
    finally:
        _pending.discard(key)
