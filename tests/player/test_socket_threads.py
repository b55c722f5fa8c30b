"""The socket threads' connections (player.consumers.db_call): a thread keeps the connection it
took between calls (taking and giving one back per heartbeat was a quarter of its cost, issue 17),
for at most CONNECTION_HOLD seconds of use, and gives it back at once when it is broken or left
in a transaction."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from player import consumers


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    """One socket thread, so that consecutive calls share it (several may each take a call)."""
    threads = ThreadPoolExecutor(1)
    monkeypatch.setattr(consumers, "_threads", threads)
    yield
    threads.submit(consumers.connections_release).result()
    threads.shutdown()


def _which():
    """(this thread, this thread's connection object) on a socket thread; the object itself, so
    that a new one is never mistaken for an old one whose memory it reuses."""
    with connection.cursor():  # opens one if the thread holds none
        pass
    return threading.get_ident(), connection.connection


def _broken():
    """As a statement failing on a connection the database has dropped leaves it (Django's own
    check for that asks the server, which a SQLite file has not)."""
    seen = _which()
    connection.errors_occurred = True

    def unusable_once():
        del connection.is_usable
        return False

    connection.is_usable = unusable_once
    return seen


def _left_in_transaction():
    seen = _which()
    connection.set_autocommit(False)  # a defect that forgot to end its transaction
    return seen


def _calls(*functions) -> list[tuple[int, object]]:
    """The functions called in turn on the socket threads, one at a time; what each returned."""

    async def run():
        return [await consumers.db_call(function) for function in functions]

    return asyncio.run(run())


def _reused(seen) -> int:
    """How many calls found the connection the last call on their thread had used."""
    last, reused = {}, 0
    for thread, held in seen:
        reused += last.get(thread) is held
        last[thread] = held
    return reused


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_thread_keeps_its_connection_between_calls():
    seen = _calls(*[_which] * 20)
    assert _reused(seen) == 19
    consumers.connections_release()  # given back: the next call takes another
    (thread, after), *_ = _calls(_which)
    assert all(after is not held for _, held in seen)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_longer_than_the_hold(monkeypatch):
    monkeypatch.setattr(consumers, "CONNECTION_HOLD", -1.0)  # past its time at once
    assert _reused(_calls(*[_which] * 20)) == 0


@pytest.mark.parametrize("spoil", [_broken, _left_in_transaction])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_spoilt_connection_is_given_back_at_once(spoil):
    seen = _calls(_which, _which, spoil, _which, _which)
    assert [held for _, held in seen[:3]] == [seen[0][1]] * 3  # kept until spoilt
    assert seen[3][1] is not seen[2][1]  # then given back: the next call took another
    assert seen[4][1] is seen[3][1]
