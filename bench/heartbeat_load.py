"""Heartbeats under load: ours against a bare ASGI handler doing the same row work, same server,
same database, same load generator (issue 17; results in docs/performance.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/heartbeat_load.py            # N = 50, 200, 1000; 3 runs each
    .venv/bin/python bench/heartbeat_load.py --smoke       # tiny N, one short run (make test)

What it does:
1. Makes a database of its own (`<name>_bench` beside DATABASE_URL's), migrates it, and seeds N
   learners logged in, each with a playback session of an hour-long lesson
   (bench/heartbeat_seed.py); the bare baseline's table has a row per learner.
2. Starts, one process each, as production runs them: ours over the websocket and over HTTP
   (uvicorn, config.asgi: the ASGI workers answer both, decision 0012), and the baseline
   (uvicorn, bench/bare_asgi.py) for both; with `--transports wsgi`, also ours over HTTP
   through gunicorn (config.wsgi, gthread), the pages' server, for comparison.
3. For each N, interleaved, at least 3 runs of each: closed loop (every learner sends its next
   heartbeat as soon as the last is answered) and then open loop at 0.8× the closed loop's rate
   (each learner on a fixed schedule; latency counted from the scheduled moment, so a slow
   server is not hidden by the generator waiting for it).
4. Reports heartbeats/s, p50/p95/p99, the server's CPU per heartbeat, non-200 answers, and
   ours ÷ baseline; each figure the median of the runs, with their spread (min–max).

The learners are honest: each heartbeat reports the media time really elapsed since the last
one, at 1×, visible. All traffic goes to 127.0.0.1; every run is bounded in time.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, WebSocketException

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORTS = {"ours_ws": 8111, "ours_http": 8112, "bare": 8113, "ours_wsgi": 8114}
COOKIE = "sessionid"


# --- The database and the servers -------------------------------------------------------------


def bench_urls() -> tuple[str, str]:
    """(DATABASE_URL of the bench database, its libpq DSN); the server's own database untouched."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anyang")
    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "anyang") + "_bench"
    url = urlunsplit(parts._replace(path="/" + name))
    return url, urlunsplit(parts._replace(scheme="postgresql", path="/" + name))


def admin_dsn() -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anyang"))
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def env_for(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONPATH=str(ROOT),
    )
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    return env


def database_make(learners: int) -> dict:
    import psycopg

    url, dsn = bench_urls()
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = env_for(url)
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [PY, "bench/heartbeat_seed.py", str(learners)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    world = json.loads(seeded.stdout.strip().splitlines()[-1])
    world.update(url=url, dsn=dsn)
    (ROOT / "var" / "bench-world.json").write_text(json.dumps(world))  # bench/http_stack.py --reuse
    return world


@dataclass
class Server:
    name: str
    command: list
    env: dict
    port: int
    process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(ROOT / "var" / f"bench-{self.name}.log", "w"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"{self.name} exited; see var/bench-{self.name}.log"
                    ) from None
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not listen on {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def cpu_seconds(self) -> float:
        """User + system CPU of the server's processes (gunicorn: master and worker)."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total


def vacuum(world: dict) -> None:
    """What autovacuum does in production (docs/deployment.md): this machine's PostgreSQL runs
    without it, and each run leaves thousands of dead row versions that the next run's locked
    reads would walk (ours measured 3.5, 4.3, 4.8 ms of CPU per HTTP heartbeat in three runs
    in a row without this). Before every run, ours and the baseline's alike."""
    import psycopg

    with psycopg.connect(world["dsn"], autocommit=True) as conn:
        conn.execute("VACUUM")


def checkpoints() -> int:
    """PostgreSQL's checkpoints so far (timed and requested): one during a run is a candidate
    for its stall."""
    import psycopg

    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
        ).fetchone()
    return int(row[0])


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        path = task / "children"
        if path.exists():
            for child in path.read_text().split():
                found += [int(child), *children(int(child))]
    return found


def servers(world: dict) -> dict[str, Server]:
    env = env_for(world["url"])
    uvicorn = [PY, "-m", "uvicorn", "--lifespan", "off", "--no-access-log", "--host", "127.0.0.1"]
    return {
        "ours_ws": Server(
            "ours_ws",
            [
                *uvicorn,
                "--ws",
                "websockets-sansio",
                "--ws-per-message-deflate",
                "false",
                "--port",
                str(PORTS["ours_ws"]),
                "config.asgi:application",
            ],
            env,
            PORTS["ours_ws"],
        ),
        "ours_http": Server(
            "ours_http",
            [*uvicorn, "--timeout-keep-alive", "75", "--port", str(PORTS["ours_http"])]
            + ["config.asgi:application"],
            env,
            PORTS["ours_http"],
        ),
        "ours_wsgi": Server(
            "ours_wsgi",
            [
                PY,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "8",
                "--keep-alive",
                "75",
                "--bind",
                f"127.0.0.1:{PORTS['ours_wsgi']}",
            ],
            env,
            PORTS["ours_wsgi"],
        ),
        "bare": Server(
            "bare",
            [*uvicorn, "--port", str(PORTS["bare"]), "bench.bare_asgi:app"],
            {**env, "BENCH_DSN": world["dsn"]},
            PORTS["bare"],
        ),
    }


# --- The learners -----------------------------------------------------------------------------


@dataclass
class Learner:
    id: int
    cookie: str
    session: str
    seq: int = 0
    position: float = 0.0
    last: float = field(default_factory=time.monotonic)

    def heartbeat(self) -> dict:
        now = time.monotonic()
        played = min(now - self.last, 60.0)
        self.last = now
        start, self.position = self.position, self.position + played
        self.seq += 1
        return {
            "type": "heartbeat",
            "seq": self.seq,
            "position": round(self.position, 3),
            "played": [[round(start, 3), round(self.position, 3)]],
            "rate": 1.0,
            "visible": True,
        }


def ws_connect(port: int, path: str, learner: Learner):
    """A learner's websocket, as the page opens it (its login cookie, the site's origin)."""
    return connect(
        f"ws://127.0.0.1:{port}{path}",
        additional_headers={
            "Cookie": f"{COOKIE}={learner.cookie}",
            "Origin": f"http://127.0.0.1:{port}",
        },
        open_timeout=30,
        ping_interval=None,
    )


class Http:
    """One keep-alive HTTP/1.1 connection, as a browser's fetch keeps one."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def post(self, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        return await self.request(
            "POST", path, body, {"Content-Type": "application/json", **headers}
        )

    async def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        return await self.request("GET", path, b"", headers or {})

    async def request(
        self, method: str, path: str, body: bytes, headers: dict
    ) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
            if body or method == "POST":
                head.append(f"Content-Length: {len(body)}")
            head += [f"{k}: {v}" for k, v in headers.items()]
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            try:
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError
                length, close = 0, False
                while (line := await self.reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "connection" and "close" in value.lower():
                        close = True
                payload = await self.reader.readexactly(length)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if close:
                self.close()
            return int(status_line.split()[1]), payload
        raise ConnectionError

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Result:
    beats: int = 0
    failed: int = 0
    latencies: list = field(default_factory=list)
    sent: list = field(default_factory=list)  # s after the window began, per latency
    seconds: float = 0.0
    cpu: float = 0.0
    checkpoints: int = 0  # PostgreSQL checkpoints that ran during the window

    def slow_windows(self, width: float = 0.25, top: int = 3) -> list[dict]:
        """Where in the run the slow answers came: the `top` windows of `width` s with the
        highest p99 (their start, heartbeats sent in them, p99 ms). A stall shows as one or two
        windows far above the rest; a server merely too slow, as all of them."""
        windows: dict[int, list] = {}
        for at, latency in zip(self.sent, self.latencies, strict=True):
            windows.setdefault(int(at / width), []).append(latency)
        rows = []
        for index, values in windows.items():
            values.sort()
            p99 = values[min(len(values) - 1, int(len(values) * 0.99))] * 1000
            rows.append({"at_s": round(index * width, 2), "sent": len(values), "p99_ms": p99})
        return sorted(rows, key=lambda row: -row["p99_ms"])[:top]

    @property
    def rate(self) -> float:
        return self.beats / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


async def drive(
    target: str, transport: str, learners: list, seconds: float, rate: float | None, warmup: float
) -> Result:
    """Every learner speaks for `seconds`, counted from `warmup` seconds after every learner has
    had its first answer (connecting is not what is measured: the reconnect storm is): closed
    loop when `rate` is None, else each on a fixed schedule so that all together offer `rate`
    heartbeats/s."""
    result = Result()
    port = PORTS["bare"] if target == "bare" else PORTS[f"ours_{transport}"]
    begin = end = float("inf")
    answered_once: set[int] = set()
    everyone_in = asyncio.Event()
    csrf = "b" * 32

    async def speak(learner: Learner, send) -> None:
        await send(learner.heartbeat())  # connected and answered once: not measured
        answered_once.add(learner.id)
        if len(answered_once) == len(learners):
            everyone_in.set()
        if rate:
            # The schedule starts when every learner is in: what is measured is the steady
            # state, not the backlog of heartbeats queued behind a thousand handshakes (the
            # reconnect storm measures those).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(everyone_in.wait(), 60)
        period = len(learners) / rate if rate else 0.0
        due = time.monotonic() + random.random() * period  # noqa: S311 (a phase, no secret)
        while True:
            if rate:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                sent_at = due
                due += period
            else:
                sent_at = time.monotonic()
            if sent_at >= end:
                return
            status = await send(learner.heartbeat())
            await recv_done(status, sent_at)

    async def recv_done(status: int, sent_at: float) -> None:
        now = time.monotonic()
        if sent_at >= begin:
            result.beats += 1
            result.latencies.append(now - sent_at)
            result.sent.append(sent_at - begin)
            if status != 200:
                result.failed += 1

    async def over_ws(learner: Learner) -> None:
        path = f"/ws/{learner.id}/" if target == "bare" else f"/ws/player/{learner.session}/"
        async with ws_connect(port, path, learner) as socket:

            async def send(message):
                await socket.send(json.dumps(message))
                return json.loads(await socket.recv()).get("status", 0)

            await speak(learner, send)

    async def over_http(learner: Learner) -> None:
        http = Http(port)
        path = (
            f"/hb/{learner.id}"
            if target == "bare"
            else f"/api/player/sessions/{learner.session}/heartbeat"
        )
        headers = {"Cookie": f"{COOKIE}={learner.cookie}; csrftoken={csrf}", "X-CSRFToken": csrf}

        async def send(message):
            message = {k: v for k, v in message.items() if k != "type"}
            status, _ = await http.post(path, json.dumps(message).encode(), headers)
            return status

        try:
            await speak(learner, send)
        finally:
            http.close()

    speak_one = over_ws if transport == "ws" else over_http
    tasks = [asyncio.create_task(speak_one(learner)) for learner in learners]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(everyone_in.wait(), 60)
    begin = time.monotonic() + warmup
    end = begin + seconds
    await asyncio.sleep(warmup)
    result.cpu = -_server_cpu()
    result.checkpoints = -checkpoints()
    profiler = _profiler_start(target, transport, len(learners), rate, seconds)
    done, pending = await asyncio.wait(tasks, timeout=seconds + 30)
    if profiler is not None:
        profiler.wait(30)
    for task in pending:
        task.cancel()
    result.cpu += _server_cpu()
    result.checkpoints += checkpoints()
    result.seconds = seconds
    errors = [task.exception() for task in done if task.exception()]
    if errors:
        result.failed += len(errors)
        print(f"    {len(errors)} learners failed: {errors[0]!r}", file=sys.stderr)
    return result


_profile_dir: Path | None = None  # --profile: py-spy samples of ours' closed loops


def _profiler_start(target, transport, n, rate, seconds) -> subprocess.Popen | None:
    """py-spy sampling our server for the measured seconds of a closed loop (--profile)."""
    if _profile_dir is None or target == "bare" or rate:
        return None
    _profile_dir.mkdir(parents=True, exist_ok=True)
    runs = len(list(_profile_dir.glob(f"{n}-{transport}-*.raw")))
    out = _profile_dir / f"{n}-{transport}-{runs + 1}.raw"
    command = [str(Path(PY).parent / "py-spy"), "record", "--nonblocking", "-r", "250", "-f"]
    command += ["raw", "-d", str(int(seconds)), "-p", str(_current.process.pid), "-o", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- The reconnect storm ----------------------------------------------------------------------


async def storm(learners: list, *, before: float, after: float, interval: float) -> dict:
    """Every learner watches over the websocket (a heartbeat every `interval` s); `before` s in,
    every socket drops at once without a close handshake (a network blip in a hospital) and
    comes back as the page brings it back (a short jittered wait, then reconnect), re-sending
    the heartbeat it had not had answered; `after` s later they stop. Reports how many came
    back, how long the last took, and heartbeats never answered 200 (lost)."""
    port = PORTS["ours_ws"]
    drop = asyncio.Event()
    started = time.monotonic()
    end = started + before + after
    stats = {
        "learners": len(learners),
        "answered": 0,
        "not_200": 0,
        "lost": 0,
        "reconnected": 0,
        "failed_connects": 0,  # attempts that did not connect (each tried again, as the page does)
    }
    back_after: list[float] = []

    async def one(learner: Learner) -> None:
        pending: list[dict] = []
        dropped_at = None
        due = time.monotonic() + random.random() * interval  # noqa: S311 (a phase)
        while True:
            try:
                path = f"/ws/player/{learner.session}/"
                async with ws_connect(port, path, learner) as socket:
                    if dropped_at is not None:
                        back_after.append(time.monotonic() - dropped_at)
                        stats["reconnected"] += 1
                    while True:
                        if not pending:
                            if time.monotonic() >= end:
                                return
                            wait = max(0.0, due - time.monotonic())
                            if dropped_at is None:
                                with contextlib.suppress(TimeoutError):
                                    await asyncio.wait_for(drop.wait(), wait)
                            else:
                                await asyncio.sleep(wait)
                            if drop.is_set() and dropped_at is None:
                                dropped_at = time.monotonic()
                                socket.transport.abort()
                                break
                            pending.append(learner.heartbeat())
                            due += interval
                        await socket.send(json.dumps(pending[0]))
                        status = json.loads(await socket.recv()).get("status", 0)
                        pending.pop(0)
                        stats["answered"] += 1
                        stats["not_200"] += status != 200
            except ConnectionClosed:
                pass
            except (OSError, TimeoutError, WebSocketException) as error:  # not connected
                stats["failed_connects"] += 1
                stats.setdefault("connect_errors", {}).setdefault(type(error).__name__, 0)
                stats["connect_errors"][type(error).__name__] += 1
            if time.monotonic() > end + 30:
                stats["lost"] += len(pending)
                return
            await asyncio.sleep(0.1 + random.random() * 0.5)  # noqa: S311 (the page's jitter)

    tasks = [asyncio.create_task(one(learner)) for learner in learners]
    await asyncio.sleep(before)
    drop.set()
    await asyncio.wait(tasks, timeout=before + after + 60)
    stats["back_within_s"] = round(max(back_after), 2) if back_after else None
    stats["back_p50_s"] = round(statistics.median(back_after), 2) if back_after else None
    return stats


_current: Server | None = None


def _server_cpu() -> float:
    return _current.cpu_seconds() if _current else 0.0


# --- The report -------------------------------------------------------------------------------


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    if not values:
        return "—"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", default="50,200,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--transports", default="ws,http", help="of ws, http, wsgi")
    parser.add_argument("--smoke", action="store_true", help="N=5, one 2 s run, no report file")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance-heartbeats.json"))
    parser.add_argument(
        "--storm", type=int, default=0, help="then a reconnect storm of this many websockets"
    )
    parser.add_argument(
        "--profile", type=Path, help="py-spy samples (raw) of ours' closed loops into this folder"
    )
    args = parser.parse_args()
    global _current, _profile_dir
    _profile_dir = args.profile
    if args.smoke:
        args.learners, args.runs, args.seconds, args.storm = "5", 1, 2.0, 10
    sizes = [int(n) for n in args.learners.split(",") if int(n)]
    transports = args.transports.split(",")
    seeded = max([*sizes, args.storm])
    print(f"seeding {seeded} learners …", flush=True)
    world = database_make(seeded)
    everyone = [Learner(row["learner"], row["cookie"], row["session"]) for row in world["learners"]]
    table = {}
    needed = {"bare", *(f"ours_{t}" for t in transports)} | ({"ours_ws"} if args.storm else set())
    running = {name: server for name, server in servers(world).items() if name in needed}
    try:
        for server in running.values():
            server.start()
        for n in sizes:
            learners = everyone[:n]
            for transport in transports:
                runs = {"ours": [], "bare": []}
                for _run in range(args.runs):
                    for target in ("ours", "bare"):  # interleaved
                        name = "bare" if target == "bare" else f"ours_{transport}"
                        _current = running[name]
                        vacuum(world)
                        closed = asyncio.run(
                            drive(target, transport, learners, args.seconds, None, warmup=1.0)
                        )
                        vacuum(world)
                        opened = asyncio.run(
                            drive(
                                target,
                                transport,
                                learners,
                                args.seconds,
                                rate=max(1.0, 0.8 * closed.rate),
                                warmup=1.0,
                            )
                        )
                        runs[target].append((closed, opened))
                        print(
                            f"N={n} {transport} {target}: {closed.rate:.0f}/s closed "
                            f"(p50 {closed.pct(0.5):.1f} ms), open at {0.8 * closed.rate:.0f}/s "
                            f"p99 {opened.pct(0.99):.1f} ms, "
                            f"cpu {1000 * closed.cpu / max(1, closed.beats):.2f} ms/hb, "
                            f"failed {closed.failed + opened.failed}",
                            flush=True,
                        )
                        slow = ", ".join(
                            f"{w['at_s']:.2f} s: {w['p99_ms']:.0f} ms ({w['sent']})"
                            for w in opened.slow_windows()
                        )
                        print(
                            f"    open loop's slowest 250 ms windows: {slow}; "
                            f"checkpoints during it: {opened.checkpoints}",
                            flush=True,
                        )
                table[f"{n}/{transport}"] = summarise(runs)
        if args.storm:
            log = ROOT / "var" / "bench-ours_ws.log"
            log_start = log.stat().st_size
            stormed = asyncio.run(
                storm(everyone[: args.storm], before=4.0, after=8.0, interval=2.0)
            )
            with log.open(errors="replace") as server_log:
                server_log.seek(log_start)
                text = server_log.read()
            stormed["layer_dropped"] = text.count("dropped (")
            stormed["server_errors"] = text.count("Traceback")
            table["storm"] = stormed
            print(f"storm: {json.dumps(stormed)}", flush=True)
    finally:
        for server in running.values():
            server.stop()
    if not args.smoke:
        Path(args.out).write_text(json.dumps(table, indent=1, ensure_ascii=False))
    print(json.dumps(table, indent=1, ensure_ascii=False))
    failed = sum(
        row[t]["failed"] for key, row in table.items() if key != "storm" for t in ("ours", "bare")
    )
    if failed:
        sys.exit(f"{failed} heartbeats were not answered 200")
    stormed = table.get("storm")
    if stormed and (
        stormed["reconnected"] != stormed["learners"]
        or stormed["lost"]
        or stormed["not_200"]
        or stormed["layer_dropped"]
        or stormed["server_errors"]
    ):
        sys.exit(f"the reconnect storm lost something: {stormed}")


def summarise(runs: dict) -> dict:
    row = {}
    for target, pairs in runs.items():
        row[target] = {
            "rate": [c.rate for c, _ in pairs],
            "p50_ms": [c.pct(0.5) for c, _ in pairs],
            "open_p99_ms": [o.pct(0.99) for _, o in pairs],
            "open_rate": [o.rate for _, o in pairs],
            "open_slow_windows": [o.slow_windows() for _, o in pairs],
            "open_checkpoints": [o.checkpoints for _, o in pairs],
            "cpu_ms": [1000 * c.cpu / max(1, c.beats) for c, _ in pairs],
            "failed": sum(c.failed + o.failed for c, o in pairs),
        }
    row["ratio"] = [
        o.rate / b.rate if b.rate else 0.0
        for (o, _), (b, _) in zip(runs["ours"], runs["bare"], strict=True)
    ]
    row["text"] = {
        "ours": spread(row["ours"]["rate"]),
        "bare": spread(row["bare"]["rate"]),
        "ratio": spread(row["ratio"], "{:.2f}"),
        "ours_p99": spread(row["ours"]["open_p99_ms"], "{:.1f}"),
    }
    return row


if __name__ == "__main__":
    main()
