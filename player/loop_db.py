"""The socket's common heartbeat on the event loop (issue 17, step 6; decision 0010).

A heartbeat that credits and completes nothing is one locked read and one write. Over the
websocket it runs here, on the event loop that carries the socket, with psycopg's asynchronous
connection: no hop to a database thread and back, and none of Django's cursor and transaction
wrappers. The decision is the one HTTP makes (services.heartbeat_decide, `fast`), on the rows
the same statement reads, written by the same statement (services.heartbeat_write_sql).

Whatever needs more (a lesson row or a year not in this process's copies, a lesson watched far
enough to complete, a course already complete, a withdrawn lesson, a refresh of a copy that is
due) raises NeedsThread or NotCopied before anything is written; the transaction is rolled back
and the heartbeat is decided again on a database thread by services.heartbeat_record, which does
all of it. So does one whose connection broke. On SQLite (the embedded default), or with
PLAYER_SOCKET_LOOP_CONNECTIONS = 0, every heartbeat takes the thread.

The connections: at most PLAYER_SOCKET_LOOP_CONNECTIONS per event loop (one per process in
production), opened with Django's own parameters (database, adapters, prepared statements after
five executions), in autocommit with explicit transactions, kept for up to MAX_LIFETIME and given
up when broken or left in a transaction. A small keeper of our own rather than psycopg_pool's
AsyncConnectionPool: its workers are tasks of the loop that opened it, and the test suite runs
a server (and a loop) per test, whose connections must be closed without that loop
(`release`). Statements are logged at DEBUG on this module's logger, as Django logs its own on
django.db.backends.
"""

import asyncio
import contextlib
import functools
import logging
import time
import weakref
from contextlib import asynccontextmanager
from importlib import import_module

import psycopg
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import SynchronousOnlyOperation
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.dispatch import receiver
from django.utils import timezone
from psycopg.pq import TransactionStatus

from accounts.api import LoginDeadlines, User, session_activity_update, session_login_read
from config import memo
from config.db import from_row, prep_connection
from config.memo import NotCopied

from . import services
from .protocol import Heartbeat

log = logging.getLogger(__name__)

APPLICATION_NAME = "anyang-player-loop"  # how pg_stat_activity shows these connections
LOOP_CONNECT_TIMEOUT = 5  # s, to open one (libpq's own minimum is 2)
MAX_LIFETIME = 3600.0  # s a connection is used for, then opened again (as psycopg_pool's default)


class _Keeper:
    """The connections of one event loop."""

    def __init__(self, size: int):
        self.slots = asyncio.Semaphore(size)
        self.idle: list[tuple[float, psycopg.AsyncConnection]] = []
        self.every: weakref.WeakSet = weakref.WeakSet()

    @asynccontextmanager
    async def connection(self):
        async with self.slots:
            opened, conn = self.idle.pop() if self.idle else (0.0, None)
            if conn is None or conn.closed or time.monotonic() - opened > MAX_LIFETIME:
                if conn is not None:
                    await conn.close()
                opened, conn = time.monotonic(), await _connect()
                self.every.add(conn)
            try:
                yield conn
            finally:
                if conn.broken:  # the server went away: the others are likely gone too
                    await conn.close()
                    for _opened, other in self.idle:
                        await other.close()
                    self.idle.clear()
                elif conn.info.transaction_status != TransactionStatus.IDLE:
                    await conn.close()
                else:
                    self.idle.append((opened, conn))

    def close_all(self) -> None:
        """Close every connection without the loop (it may have stopped): the socket, at once."""
        for conn in list(self.every):
            if not conn.closed:
                conn.pgconn.finish()
        self.idle.clear()


_keepers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop -> _Keeper


def enabled() -> bool:
    """Whether heartbeats run here: loop connections allowed, on PostgreSQL (from the settings:
    `connections[...]` on the loop makes a new wrapper per asyncio task)."""
    return (
        settings.PLAYER_SOCKET_LOOP_CONNECTIONS > 0
        and prep_connection(DEFAULT_DB_ALIAS).vendor == "postgresql"
    )


def _keeper() -> _Keeper:
    loop = asyncio.get_running_loop()
    keeper = _keepers.get(loop)
    if keeper is None:
        keeper = _keepers[loop] = _Keeper(settings.PLAYER_SOCKET_LOOP_CONNECTIONS)
    return keeper


async def _connect() -> psycopg.AsyncConnection:
    """A connection as Django opens its own (the same database, adapters and prepare threshold;
    the time zone Django sets), in autocommit: the heartbeat opens its transaction itself."""
    db = connections[DEFAULT_DB_ALIAS]
    params = db.get_connection_params()
    params.pop("cursor_factory", None)  # Django's is a synchronous cursor
    # A database that does not answer: the heartbeat goes to a thread after this (OperationalError,
    # handled as a broken connection) instead of holding the event loop's socket waiting.
    params.setdefault("connect_timeout", LOOP_CONNECT_TIMEOUT)
    conn = await psycopg.AsyncConnection.connect(
        **params, autocommit=True, application_name=APPLICATION_NAME
    )
    if conn.info.parameter_status("TimeZone") != db.timezone_name:
        await conn.execute(db.ops.set_time_zone_sql(), [db.timezone_name])
    if conn.info.timezone == db.timezone:
        # Django's timestamptz loader is psycopg's Python one with the time zone replaced by the
        # connection's: where psycopg's own (compiled) loader gives that same zone, it is used.
        # A tenth of a heartbeat's CPU on the loop was parsing its row's timestamps (issue 17).
        conn.adapters.register_loader("timestamptz", _TIMESTAMPTZ_LOADER)
    return conn


_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(
    psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT
)


def release() -> None:
    """Close every connection of every loop (tests, before the test database is dropped)."""
    for keeper in list(_keepers.values()):
        keeper.close_all()
    _keepers.clear()


async def _execute(cursor, sql: str, params=None):
    started = time.monotonic()
    try:
        return await cursor.execute(sql, params)
    finally:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("(%.3f) %s; args=%s", time.monotonic() - started, sql, params)


async def fetch_one(sql: str, params) -> tuple | None:
    """One row of one statement, in autocommit, on this loop's connection (what a heartbeat
    reads before its transaction: player.http_heartbeat's login)."""
    async with _keeper().connection() as conn:
        cursor = conn.cursor()
        await _execute(cursor, sql, params)
        return await cursor.fetchone()


async def execute(sql: str, params) -> int:
    """One statement in autocommit on this loop's connection: the rows it changed."""
    async with _keeper().connection() as conn:
        cursor = conn.cursor()
        await _execute(cursor, sql, params)
        return cursor.rowcount


@functools.cache
def _login_sql() -> str:
    """A socket's login check's one read: the session row (unexpired) and its learner's row."""
    q = prep_connection(DEFAULT_DB_ALIAS).ops.quote_name
    sessions, users = q(Session._meta.db_table), q(User._meta.db_table)
    columns = ", ".join(f"u.{q(field.column)}" for field in User._meta.concrete_fields)
    return (
        f"SELECT s.session_data, {columns} FROM {sessions} s"  # noqa: S608
        f" JOIN {users} u ON u.{q(User._meta.pk.column)} = %s"
        " WHERE s.session_key = %s AND s.expire_date > %s"
    )


async def login_check(session_key: str, user_id, *, touch: bool) -> LoginDeadlines | None:
    """accounts.api.session_login_deadlines for a socket, on this loop: the session and the user
    in one read, accepted only as accounts.api.session_login_read accepts them, and a watching
    heartbeat's activity recorded (at most once a minute) by one UPDATE. None whenever that is
    not the whole answer — a login ended, changed or through another backend, a session gone
    meanwhile — and a thread decides as before (and audits, ends, or saves). A minute's checks
    of a thousand sockets that connected together took the threads and half the process's CPU
    in the benchmark (issue 17, step 10)."""
    row = await fetch_one(_login_sql(), [user_id, session_key, timezone.now()])
    if row is None:
        return None
    data = session_decoder().decode(row[0])
    login = session_login_read(data, from_row(User, row[1:]))
    if login is None or not touch:
        return login
    update = session_activity_update(session_key, data, prep_connection(DEFAULT_DB_ALIAS))
    if update is None:
        return login
    sql, values, login = update
    return login if await execute(sql, values) == 1 else None


@functools.cache
def session_decoder():
    """A session store of the configured engine, for decoding rows read on the loop (made once
    per process; made again when a test changes the settings)."""
    return import_module(settings.SESSION_ENGINE).SessionStore()


@receiver(setting_changed)
def _settings_changed(*, setting, **_kwargs) -> None:
    if setting in (
        "DATABASES",
        "AUTH_USER_MODEL",
        "SESSION_ENGINE",
        "SESSION_SERIALIZER",
        "SECRET_KEY",
    ):
        _login_sql.cache_clear()
        session_decoder.cache_clear()


async def heartbeat_record(*, learner, session_id, data: dict, via: str, thread_call):
    """services.heartbeat_record for a socket: on this loop when it is the common heartbeat,
    else through `thread_call` (player.consumers.db_call) on a database thread."""
    if enabled():
        memo.runner = thread_call  # what refreshes a copy near its minute's end, beside
        heartbeat = Heartbeat.parse(data)
        sql, params = services.heartbeat_rows_query(learner.pk, session_id)
        try:
            async with _keeper().connection() as conn:
                try:
                    # Pipelined: BEGIN goes with the read, the write with the COMMIT (two round
                    # trips to the server, not four).
                    async with conn.pipeline():
                        cursor = conn.cursor()  # one for the four: a cursor is not free
                        await _execute(cursor, "BEGIN")
                        await _execute(cursor, sql, params)
                        row = await cursor.fetchone()
                        state, session, item = services.heartbeat_rows_objects(row)
                        status, answer, write = services.heartbeat_decide(
                            heartbeat, learner, state, session, item, via, fast=True
                        )
                        if write is not None:
                            await _execute(cursor, *services.heartbeat_write_sql(**write))
                        await _execute(cursor, "COMMIT")
                except BaseException:
                    if not conn.broken and conn.info.transaction_status != TransactionStatus.IDLE:
                        with contextlib.suppress(psycopg.Error):  # else the keeper closes it
                            await _execute(conn, "ROLLBACK")
                    raise
            return status, answer
        except (services.NeedsThread, NotCopied, SynchronousOnlyOperation):
            pass  # more than the common heartbeat: decided on a thread, from the start
        except psycopg.OperationalError as error:  # the connection broke: the thread's, then
            log.warning("player: the event loop's connection failed (%s); on a thread", error)
    return await thread_call(
        services.heartbeat_record, learner=learner, session_id=session_id, data=data, via=via
    )
