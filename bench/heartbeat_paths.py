"""The websocket's two ways of deciding a heartbeat, side by side at the same offered load: on the
event loop (player.loop_db, the default) and on the database threads
(PLAYER_SOCKET_LOOP_CONNECTIONS=0), and a server that answers without deciding anything (what the
framework alone costs: uvicorn, channels, the consumer, JSON). Issue 17, step 6; results in
docs/performance.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anyang REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/heartbeat_paths.py --learners 200 --rate 400 --runs 3

One uvicorn process per way, the same database (bench/heartbeat_load.py's), the same learners
(each keeps its sequence and position across runs, so that every heartbeat is a new one), runs
interleaved; reported per way: the server's CPU (user + system) per heartbeat, p50 and p99 from
the scheduled moment, and non-200 answers; each the median of the runs (min–max).
"""

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import heartbeat_load as load  # noqa: E402

WAYS = {  # name: (port, environment on top of the benchmark's, ASGI application)
    "loop": (8121, {"PLAYER_SOCKET_LOOP_CONNECTIONS": "4"}, "config.asgi:application"),
    "threads": (8122, {"PLAYER_SOCKET_LOOP_CONNECTIONS": "0"}, "config.asgi:application"),
    "framework": (8123, {}, "bench.framework_asgi:application"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--rate", type=float, default=400.0, help="heartbeats/s offered")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--ways", default=",".join(WAYS))
    args = parser.parse_args()
    world = load.database_make(args.learners)
    learners = [load.Learner(r["learner"], r["cookie"], r["session"]) for r in world["learners"]]
    base = load.servers(world)["ours_ws"]
    servers = {}
    for name in args.ways.split(","):
        port, extra, app = WAYS[name]
        swap = {str(load.PORTS["ours_ws"]): str(port), "config.asgi:application": app}
        command = [swap.get(c, c) for c in base.command]
        servers[name] = load.Server(f"paths-{name}", command, {**base.env, **extra}, port)
    rows: dict[str, list] = {name: [] for name in servers}
    try:
        for server in servers.values():
            server.start()
        for _run in range(args.runs):
            for name, server in servers.items():
                load.PORTS["ours_ws"], load._current = server.port, server
                result = asyncio.run(
                    load.drive("ours", "ws", learners, args.seconds, args.rate, warmup=1.0)
                )
                cpu = result.cpu / max(1, result.beats) * 1000
                rows[name].append((cpu, result.pct(0.5), result.pct(0.99), result.failed))
                print(
                    f"{name:9} {result.rate:5.0f}/s  cpu {cpu:.2f} ms/heartbeat  "
                    f"p50 {result.pct(0.5):6.1f} ms  p99 {result.pct(0.99):7.1f} ms  "
                    f"not 200: {result.failed}",
                    flush=True,
                )
    finally:
        for server in servers.values():
            server.stop()
    report = {}
    for name, runs in rows.items():
        cpu, p50, p99, failed = zip(*runs, strict=True)
        report[name] = {
            "cpu_ms": load.spread(list(cpu), "{:.2f}"),
            "p50_ms": load.spread(list(p50), "{:.1f}"),
            "p99_ms": load.spread(list(p99), "{:.1f}"),
            "failed": sum(failed),
            "cpu_median": statistics.median(cpu),
        }
    print(json.dumps({"learners": args.learners, "rate": args.rate, **report}, indent=1))


if __name__ == "__main__":
    main()
