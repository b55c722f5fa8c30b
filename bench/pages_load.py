"""Anonymous pages under load: home, catalog, a course page and search, cached and uncached,
against a trivial Django view on the same server (issue 17; results in docs/performance.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anyang REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/pages_load.py          # concurrency 20, 3 runs of 5 s per page

What it does:
1. Makes a database of its own (`<name>_pages`), migrates it and loads the demo content
   (`manage.py load_demo`: notices, institutions and published courses with videos).
2. Starts two servers as production serves pages (gunicorn, gthread, one worker of 8 threads):
   one with the page cache (Redis), one without (`bench/pages_settings.py`); both also answer
   `/bench/trivial/`, a view that returns "ok" through the same middleware (the baseline).
3. For each server, interleaved rounds: the trivial view, then each page, each for `--seconds`
   with `--concurrency` keep-alive connections as fast as answered. Reports requests/s and the
   ratio to the trivial view measured in the same round; each figure the median of the rounds
   with its spread.
All traffic goes to 127.0.0.1; every run is bounded in time.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.heartbeat_load import PY, ROOT, Http, Server, admin_dsn, env_for, spread  # noqa: E402

PORTS = {"cached": 8121, "uncached": 8122}


def database_make() -> str:
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anyang")
    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "anyang") + "_pages"
    url = urlunsplit(parts._replace(path="/" + name))
    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = server_env(url, cached=True)
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PY, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return url


def server_env(url: str, *, cached: bool) -> dict:
    env = env_for(url)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.pages_settings", BENCH_PAGES_UNCACHED="0" if cached else "1"
    )
    return env


def course_path(url: str) -> str:
    import psycopg

    dsn = urlunsplit(urlsplit(url)._replace(scheme="postgresql"))
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT p.url_path FROM wagtailcore_page p JOIN courses_coursepage c"
            " ON c.page_ptr_id = p.id WHERE p.live ORDER BY p.id LIMIT 1"
        ).fetchone()
    if row is None:
        raise SystemExit("the demo has no live course")
    # url_path is /<root slug>/<...>/: the site's root page is the first segment
    return "/" + quote(row[0].strip("/").split("/", 1)[1]) + "/"


async def hammer(port: int, path: str, seconds: float, concurrency: int) -> tuple[float, int]:
    """Requests/s answered 200 and the count of other answers."""
    end = time.monotonic() + seconds
    done = bad = 0

    async def one():
        nonlocal done, bad
        http = Http(port)
        try:
            while time.monotonic() < end:
                status, _ = await http.get(path, {"Accept": "text/html"})
                done += status == 200
                bad += status != 200
        finally:
            http.close()

    start = time.monotonic()
    await asyncio.gather(*(one() for _ in range(concurrency)))
    return done / (time.monotonic() - start), bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance-pages.json"))
    parser.add_argument("--smoke", action="store_true", help="one round of 1 s, no report file")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.seconds, args.concurrency = 1, 1.0, 4
    print("making the pages database (demo content) …", flush=True)
    url = database_make()
    pages = {
        "home": "/",
        "catalog": "/courses/public/",
        "course": course_path(url),
        "search": "/search/?q=" + quote("安全"),
    }
    command = [
        PY, "-m", "gunicorn", "config.wsgi:application", "--workers", "1",
        "--worker-class", "gthread", "--threads", "8", "--keep-alive", "15",
    ]  # fmt: skip
    servers = {
        name: Server(
            f"pages_{name}",
            [*command, "--bind", f"127.0.0.1:{port}"],
            server_env(url, cached=name == "cached"),
            port,
        )
        for name, port in PORTS.items()
    }
    results: dict = {name: {page: [] for page in ["trivial", *pages]} for name in servers}
    bad = 0
    try:
        for server in servers.values():
            server.start()
        for server in servers.values():
            for path in pages.values():  # warm: the cached server stores each page once
                asyncio.run(hammer(server.port, path, 0.2, 1))
        for _round in range(args.rounds):
            for name, server in servers.items():
                for page, path in [("trivial", "/bench/trivial/"), *pages.items()]:
                    rate, failed = asyncio.run(
                        hammer(server.port, path, args.seconds, args.concurrency)
                    )
                    bad += failed
                    results[name][page].append(rate)
                    print(f"{name} {page}: {rate:.0f}/s (non-200: {failed})", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    table = {"pages": pages, "concurrency": args.concurrency, "seconds": args.seconds}
    for name, rows in results.items():
        trivial = rows["trivial"]
        table[name] = {
            page: {
                "rate": rates,
                "ratio": [r / t for r, t in zip(rates, trivial, strict=True)],
                "text": spread(rates)
                + " · "
                + spread([r / t for r, t in zip(rates, trivial, strict=True)], "{:.2f}×"),
            }
            for page, rates in rows.items()
        }
    if not args.smoke:
        Path(args.out).write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n")
    for name in servers:
        print(name, {page: row["text"] for page, row in table[name].items()})
    if bad:
        sys.exit(f"{bad} answers were not 200")


if __name__ == "__main__":
    main()
