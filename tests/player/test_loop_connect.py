"""The event loop's database connections (player.loop_db) give up on a database that does not
answer within LOOP_CONNECT_TIMEOUT seconds: the heartbeat then goes to a database thread (a
broken connection, test_loop_heartbeats) instead of the socket waiting on libpq's default."""

import asyncio
import socket
import time

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from player import loop_db


def test_a_database_that_does_not_answer_is_given_up_on_in_seconds(monkeypatch):
    with socket.socket() as silent:  # accepts the TCP connection and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        monkeypatch.setattr(  # the class: the loop's task sees its own wrapper instance
            type(connections[DEFAULT_DB_ALIAS]),
            "get_connection_params",
            lambda self: {"host": "127.0.0.1", "port": port, "dbname": "x", "user": "x"},
        )
        monkeypatch.setattr(loop_db, "LOOP_CONNECT_TIMEOUT", 2)
        began = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            asyncio.run(asyncio.wait_for(loop_db._connect(), 60))
        assert time.monotonic() - began < 10
