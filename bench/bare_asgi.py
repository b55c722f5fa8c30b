"""The bare baseline of the heartbeat benchmark: a plain ASGI callable, no framework, doing a
heartbeat's row work on the same PostgreSQL — SELECT … FOR UPDATE of the learner's row, an
UPDATE, COMMIT — for each message of a websocket (/ws/<learner>/) or each POST (/hb/<learner>),
and answering a small JSON. What ours is measured against (bench/heartbeat_load.py).

    BENCH_DSN=postgresql://postgres@127.0.0.1:5432/anyang_bench \\
        uvicorn bench.bare_asgi:app --lifespan off --port 8102
"""

import asyncio
import json
import os

from psycopg_pool import AsyncConnectionPool

_pool: AsyncConnectionPool | None = None
_pool_lock = asyncio.Lock()


async def pool() -> AsyncConnectionPool:
    global _pool
    async with _pool_lock:
        if _pool is None:
            _pool = AsyncConnectionPool(
                os.environ["BENCH_DSN"], min_size=2, max_size=10, open=False
            )
            await _pool.open()
    return _pool


async def row_work(learner: int, body: bytes) -> bytes:
    heartbeat = json.loads(body)
    async with (await pool()).connection() as conn, conn.transaction():
        cursor = await conn.execute(
            "SELECT beats, frontier FROM bench_learner WHERE id = %s FOR UPDATE", (learner,)
        )
        beats, frontier = await cursor.fetchone()
        frontier = max(frontier, float(heartbeat.get("position", 0)))
        await conn.execute(
            "UPDATE bench_learner SET beats = %s, frontier = %s, last_at = now() WHERE id = %s",
            (beats + 1, frontier, learner),
        )
    return json.dumps(
        {"type": "heartbeat_ack", "status": 200, "seq": heartbeat.get("seq"), "frontier": frontier}
    ).encode()


async def app(scope, receive, send):
    learner = int(scope["path"].strip("/").split("/")[-1])
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            body = message.get("text") or message.get("bytes") or b"{}"
            await send({"type": "websocket.send", "text": (await row_work(learner, body)).decode()})
    elif scope["type"] == "http":
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        answer = await row_work(learner, body)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(answer)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})
