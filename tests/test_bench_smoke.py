"""The heartbeat benchmark (bench/heartbeat_load.py, issue 17) stays working: a smoke run at
tiny N against PostgreSQL and Redis, both servers of ours and the bare baseline. Its figures are
not asserted (speed is measured by the benchmark itself, docs/performance.md)."""

import os
import subprocess
import sys

import pytest

from tests.test_services import BASE_DIR, require_env

pytestmark = pytest.mark.services


def test_the_heartbeat_benchmarks_run_at_tiny_n():
    require_env("DATABASE_URL", "REDIS_URL")
    result = subprocess.run(
        [sys.executable, "bench/heartbeat_load.py", "--smoke"],
        cwd=BASE_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    for line in ("N=5 ws ours", "N=5 ws bare", "N=5 http ours", "N=5 http bare"):
        assert line in result.stdout, result.stdout[-2000:]
    assert "failed 0" in result.stdout
    assert "storm: {" in result.stdout, result.stdout[-2000:]  # 10 sockets dropped and back
    # The stacks' comparison (bench/http_stack.py), on the learners the run above seeded.
    result = subprocess.run(
        [sys.executable, "bench/http_stack.py", "--smoke", "--reuse"],
        cwd=BASE_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "ratio_median_of_pairs" in result.stdout, result.stdout[-2000:]
