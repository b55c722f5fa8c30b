"""Heartbeats stay flat with scale (issue 17): p99 at the same offered load with 10 million
playback sessions and 1 million learners in the tables, against the same on nearly empty tables.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anyang REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/scale_run.py                    # 1 M learners, 10 M sessions
    .venv/bin/python bench/scale_run.py --learners 10000 --sessions 100000   # a quick look

1. The heartbeat benchmark's database and N = 200 watching learners (bench/heartbeat_load.py).
2. Ours over the websocket (uvicorn, as production runs it): one closed-loop run gives the rate
   R; then `--runs` open-loop runs at 0.6 R (every learner on a fixed schedule, latency from the
   scheduled moment): p99 on the nearly empty tables.
3. The server stopped; the filler written with COPY (not the ORM): `--learners` accounts (each
   with its player state) and `--sessions` ended sessions of an hour-long lesson spread over the
   year, ten per learner; VACUUM ANALYZE.
4. The server started again; the same open-loop runs at the same offered load: p99 at scale.
5. Reports both (median and spread) and whether the loaded median is within the empty runs'
   spread and never above 1.25× their median (`docs/performance-scale.json`).
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import heartbeat_load as hl  # noqa: E402


def filler_copy(dsn: str, learners: int, sessions: int) -> float:
    """Seconds taken to COPY the filler in (and VACUUM ANALYZE)."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        lesson, course, year = conn.execute(
            "SELECT lesson_id, course_id, year_id FROM player_playbacksession LIMIT 1"
        ).fetchone()
        first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM accounts_user").fetchone()[0]
        joined = datetime.now(UTC)
        with conn.cursor().copy(
            "COPY accounts_user (id, password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined, real_name, id_number_ciphertext,"
            " id_number_masked, identity_confirmed, employment_status, title_level,"
            " is_accountant, privacy_notice_version, session_generation) FROM STDIN"
        ) as copy:
            for n in range(learners):
                copy.write_row(
                    (first + n, "!", False, f"scale{n:08d}", "", "", "", False, True, joined,
                     "规模学员", "", "", False, "", "", False, "", 0)
                )  # fmt: skip
        with conn.cursor().copy(
            "COPY player_learnerplaystate (learner_id, credited_until, credited_since_check,"
            " next_check_after, check_code, check_image_served, check_audio_served,"
            " check_wrong_answers, checks_passed, checks_failed) FROM STDIN"
        ) as copy:
            for n in range(learners):
                copy.write_row((first + n, None, 0.0, 0.0, "", False, False, 0, 0, 0))
        year_start = datetime(joined.year, 1, 1, 8, tzinfo=UTC)
        rng = random.Random(17)  # noqa: S311 (filler, no secret)
        with conn.cursor().copy(
            "COPY player_playbacksession (id, duration, started_at, ended_at, end_reason,"
            " last_seq, last_digest, last_answer, last_heartbeat_at, heartbeats, credited,"
            " course_id, learner_id, lesson_id, year_id, heartbeats_ws, lesson_progress_id)"
            " FROM STDIN"
        ) as copy:
            for n in range(sessions):
                start = year_start + timedelta(minutes=rng.randrange(330 * 24 * 60))
                end = start + timedelta(minutes=45)
                copy.write_row(
                    (uuid.UUID(int=rng.getrandbits(128), version=4), 3600.0, start, end,
                     "superseded", 270, "", None, end, 270, 2700.0, course,
                     first + n % learners, lesson, year, 270, None)
                )  # fmt: skip
        conn.execute("VACUUM ANALYZE")
        # Flush the gigabytes the COPY dirtied now, not during the runs (the first full-size run
        # measured with a checkpoint likely under way: see docs/performance.md)
        conn.execute("CHECKPOINT")
    return time.monotonic() - started


def open_runs(learners: list, rate: float, runs: int, seconds: float) -> list[float]:
    p99s = []
    for _ in range(runs):
        result = asyncio.run(hl.drive("ours", "ws", learners, seconds, rate=rate, warmup=1.0))
        if result.failed:
            raise SystemExit(f"{result.failed} heartbeats were not answered 200")
        p99s.append(result.pct(0.99))
        print(f"  open loop at {rate:.0f}/s: p99 {p99s[-1]:.1f} ms", flush=True)
    return p99s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watching", type=int, default=200)
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--out", default=str(hl.ROOT / "docs" / "performance-scale.json"))
    args = parser.parse_args()
    world = hl.database_make(args.watching)
    learners = [hl.Learner(r["learner"], r["cookie"], r["session"]) for r in world["learners"]]
    server = hl.servers(world)["ours_ws"]
    hl._current = server
    server.start()
    try:
        closed = asyncio.run(hl.drive("ours", "ws", learners, args.seconds, None, warmup=1.0))
        rate = 0.6 * closed.rate
        print(f"closed loop {closed.rate:.0f}/s; offered load {rate:.0f}/s", flush=True)
        empty = open_runs(learners, rate, args.runs, args.seconds)
    finally:
        server.stop()
    print(f"copying {args.learners} learners and {args.sessions} sessions …", flush=True)
    copy_seconds = filler_copy(world["dsn"], args.learners, args.sessions)
    print(f"  {copy_seconds:.0f} s", flush=True)
    server.start()
    try:
        asyncio.run(hl.drive("ours", "ws", learners, 2.0, None, warmup=1.0))  # warm the caches
        loaded = open_runs(learners, rate, args.runs, args.seconds)
    finally:
        server.stop()
    empty_median, loaded_median = statistics.median(empty), statistics.median(loaded)
    result = {
        "watching": args.watching,
        "filler_learners": args.learners,
        "filler_sessions": args.sessions,
        "copy_seconds": round(copy_seconds),
        "offered_per_s": round(rate),
        "p99_ms_empty": empty,
        "p99_ms_loaded": loaded,
        "ratio_of_medians": round(loaded_median / empty_median, 2),
        "within_spread": loaded_median <= max(empty),
        "within_1_25": loaded_median <= 1.25 * empty_median,
    }
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
