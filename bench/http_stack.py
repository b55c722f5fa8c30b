"""The player API's middleware stack against the pages' (decision 0011), in one process: the
same honest HTTP heartbeats through config.wsgi's player-API handler and through a handler with
the pages' full MIDDLEWARE, interleaved, CPU time per request of this process (the database and
Redis are other processes). No server and no threads, so no GIL contention or scheduling noise:
what it compares is the code a request runs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anyang REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/http_stack.py [--requests 2000] [--rounds 5] [--chunk 50]
"""

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import heartbeat_load as load  # noqa: E402

LEARNERS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance-http-stack.json"))
    parser.add_argument("--smoke", action="store_true", help="50 requests, 1 round, no file")
    parser.add_argument(
        "--reuse", action="store_true", help="the learners heartbeat_load.py seeded last"
    )
    args = parser.parse_args()
    if args.smoke:
        args.requests, args.rounds, args.chunk = 50, 1, 25
    world = (
        json.loads((ROOT / "var" / "bench-world.json").read_text())
        if args.reuse
        else load.database_make(LEARNERS)
    )
    os.environ.update(load.env_for(world["url"]))
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    from config.wsgi import application

    pages_stack = WSGIHandler()  # settings.MIDDLEWARE: what every request ran before 0011
    learners = world["learners"]
    played = {row["session"]: 0.0 for row in learners}
    seqs = {row["session"]: 10**6 for row in learners}  # after whatever a reused world sent

    def beat(handler, row) -> str:
        session = row["session"]
        start = played[session]
        played[session] = end = start + 0.05  # far less media than wall time: always honest
        seqs[session] += 1
        body = json.dumps(
            {
                "seq": seqs[session],
                "position": end,
                "played": [[start, end]],
                "rate": 1.0,
                "visible": True,
            }
        ).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/api/player/sessions/{session}/heartbeat",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={row['cookie']}; "
            f"{settings.CSRF_COOKIE_NAME}={'b' * 32}",
            "HTTP_X_CSRFTOKEN": "b" * 32,
        }
        status = []
        b"".join(handler(environ, lambda s, h, e=None: status.append(s)))
        return status[0]

    def run(handler, count: int) -> float:
        began = time.process_time()
        for i in range(count):
            status = beat(handler, learners[i % len(learners)])
            if not status.startswith("200"):
                sys.exit(f"a heartbeat was answered {status}")
        return 1000 * (time.process_time() - began) / count

    for handler in (application, pages_stack):
        run(handler, 2 * len(learners))  # warm: prepared statements, per-process copies
    # The machine's speed wanders by a third from second to second (seen on 2026-12-07): the two
    # stacks alternate in chunks of `chunk` requests, so that each pair meets the same machine,
    # and what is reported is the median of the pairs' ratios, beside each stack's CPU.
    measured = {"player_api": [], "pages": []}
    ratios = []
    for round_ in range(args.rounds):
        load.vacuum(world)
        pair = {}
        for _ in range(args.requests // args.chunk):
            for name, handler in (("player_api", application), ("pages", pages_stack)):
                pair.setdefault(name, []).append(run(handler, args.chunk))
        for name in measured:
            measured[name].append(statistics.mean(pair[name]))
        ratios += [a / b for a, b in zip(pair["player_api"], pair["pages"], strict=True)]
        print(
            f"round {round_ + 1}: player API {measured['player_api'][-1]:.3f}, pages "
            f"{measured['pages'][-1]:.3f} ms CPU per heartbeat",
            flush=True,
        )
    report = {
        name: {
            "ms_cpu_per_request": round(statistics.median(values), 3),
            "min": round(min(values), 3),
            "max": round(max(values), 3),
        }
        for name, values in measured.items()
    }
    ratios.sort()
    report["ratio_median_of_pairs"] = round(statistics.median(ratios), 3)
    report["ratio_quartiles"] = [
        round(ratios[len(ratios) // 4], 3),
        round(ratios[3 * len(ratios) // 4], 3),
    ]
    report.update(requests_per_round=args.requests, rounds=args.rounds, chunk=args.chunk)
    print(json.dumps(report, indent=1))
    if not args.smoke:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
