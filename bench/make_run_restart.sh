#!/usr/bin/env bash
# How long a second `make run` takes to serve / (the demo content already loaded).
# Usage: bench/make_run_restart.sh [PORT]   (run once `make run` has completed a first start)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8799}
URL="http://127.0.0.1:$PORT/"
status() { curl -s -o /dev/null -w '%{http_code}' "$URL" || true; }
start=$(date +%s.%N)
setsid make run PORT="$PORT" >/tmp/make-run-restart.log 2>&1 &
pid=$!
trap 'kill -TERM -- -$pid 2>/dev/null || true' EXIT
until [ "$(status)" = 200 ]; do
  kill -0 "$pid" 2>/dev/null || { tail -30 /tmp/make-run-restart.log; exit 1; }
  sleep 0.2
done
printf 'second make run served / in %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
