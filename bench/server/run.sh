#!/usr/bin/env bash
# Server load benchmark: zeal-crdt-server beside the y-websocket reference server, same load client, same run.
#   bench/server/run.sh [DURATION_S] [IDLE_CONNECTIONS]     (defaults 10 and 10000)
# Needs a built build/ (or ZEAL_BUILD_DIR) with app/server/zeal-crdt-server and tests/js/node_modules.
# Runs bench/server/load.mjs for both servers (scenarios rate, max, idle) and writes the table into
# BENCHMARKS.md between <!-- server-bench:begin --> and <!-- server-bench:end -->.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
duration="${1:-10}"
idle="${2:-10000}"
build="${ZEAL_BUILD_DIR:-$root/build}"
server="$build/app/server/zeal-crdt-server"
[ -x "$server" ] || { echo "build first: $server missing" >&2; exit 1; }
[ -d "$root/tests/js/node_modules/y-websocket" ] || { echo "run scripts/install-deps.sh first" >&2; exit 1; }
# 10,000 idle connections: the load client holds 10,000 sockets, the server as many.
need=$((idle + 500))
if [ "$(ulimit -n)" -lt "$need" ]; then ulimit -n "$need" 2>/dev/null || { echo "ulimit -n $(ulimit -n) < $need" >&2; exit 1; }; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Two cores: the load client on CPU 0, the server (either) on CPU 1, so both servers get the same one core.
pin=()
srvcpu=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 0); srvcpu=(--server-cpu 1); fi

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for s in zeal yws; do
  for scenario in rate max idle; do
    echo "server-bench: $s $scenario" >&2
    "${pin[@]}" node "$root/bench/server/load.mjs" --server "$s" --binary "$server" --scenario "$scenario" \
      --duration "$duration" --idle-connections "$idle" "${srvcpu[@]}" --json >>"$tmp/results.jsonl"
  done
done

BUILD_TYPE="$(grep -m1 '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2)" \
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" CORES="$(nproc)" \
DURATION="$duration" PINNED="${#pin[@]}" LOAD_START="$load_start" LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)" \
  node "$root/bench/server/report.mjs" "$tmp/results.jsonl" "$root/BENCHMARKS.md"
