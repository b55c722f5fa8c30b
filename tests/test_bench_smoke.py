"""The heartbeat benchmark (bench/heartbeat_load.py, issue 17) stays working: a smoke run at
tiny N against PostgreSQL and Redis, both servers of ours and the bare baseline. Its figures are
not asserted (speed is measured by the benchmark itself, docs/performance.md)."""

import os
import subprocess
import sys

import pytest

from tests.test_services import BASE_DIR, require_env

pytestmark = pytest.mark.services


def bench_run(*args: str, timeout: int) -> str:
    """Run a benchmark script; its output, once it has exited 0."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def test_the_heartbeat_benchmarks_run_at_tiny_n():
    require_env("DATABASE_URL", "REDIS_URL")
    out = bench_run("bench/heartbeat_load.py", "--smoke", timeout=600)
    for line in ("N=5 ws ours", "N=5 ws bare", "N=5 http ours", "N=5 http bare"):
        assert line in out, out[-2000:]
    assert "failed 0" in out
    assert "storm: {" in out, out[-2000:]  # 10 sockets dropped and back
    # The stacks' comparison (bench/http_stack.py), on the learners the run above seeded.
    stacks = bench_run("bench/http_stack.py", "--smoke", "--reuse", timeout=300)
    assert "ratio_median_of_pairs" in stacks, stacks[-2000:]
