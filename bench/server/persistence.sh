#!/usr/bin/env bash
# Update-path throughput with persistence on vs off: zeal-crdt-server --in-memory, with its RocksDB store (a
# fresh temp --data-dir, sync off: the default) and with --sync, under the same load as bench/server/run.sh's
# Zeal run (bench/server/load.mjs scenarios rate and max: 100 rooms x 10 clients, one sender per room).
#   bench/server/persistence.sh [DURATION_S] [RUNS]        (defaults 10 and 3)
# Uses $ZEAL_BUILD_DIR/app/server/zeal-crdt-server if ZEAL_BUILD_DIR is set, else builds zeal-crdt-server
# (Release) into build-bench/. Each run does the three modes one after the other (so drift hits all three);
# the report takes the median of RUNS runs per figure and writes BENCHMARKS.md between
# <!-- persistence-server-bench:begin --> and <!-- persistence-server-bench:end -->.
# Needs tests/js/node_modules (scripts/install-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
duration="${1:-10}"
runs="${2:-3}"
if [ -n "${ZEAL_BUILD_DIR:-}" ]; then
  build="$ZEAL_BUILD_DIR"
else
  build="$root/build-bench"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEAL_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target zeal-crdt-server -j"${ZEAL_JOBS:-2}" >&2
fi
server="$build/app/server/zeal-crdt-server"
[ -x "$server" ] || { echo "build first: $server missing" >&2; exit 1; }
"$server" --help 2>&1 | grep -q -- '--in-memory' ||
  { echo "$server has no --in-memory option: it predates persistence (issue 4)" >&2; exit 1; }
[ -d "$root/tests/js/node_modules/ws" ] || { echo "run scripts/install-deps.sh first" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Two cores: the load client on CPU 0, the server on CPU 1 (as bench/server/run.sh).
pin=()
srvcpu=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 0); srvcpu=(--server-cpu 1); fi

# mode name : extra server options (load.mjs's server always gets a fresh temp --data-dir)
modes=("in-memory:--in-memory" "sync-off:" "sync-on:--sync")
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  for m in "${modes[@]}"; do
    name="${m%%:*}"
    args="${m#*:}"
    for scenario in rate max; do
      echo "persistence-server-bench: run $i/$runs $name $scenario" >&2
      line="$("${pin[@]}" node "$root/bench/server/load.mjs" --server zeal --binary "$server" --scenario "$scenario" \
        --duration "$duration" --server-args "$args" "${srvcpu[@]}" --json)"
      printf '{"mode":"%s","run":%d,%s\n' "$name" "$i" "${line#\{}" >>"$tmp/results.jsonl"
    done
  done
done

BUILD_TYPE="$(grep -m1 '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2)" \
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" CORES="$(nproc)" KERNEL="$(uname -r)" \
DATA_FS="$(df -PT "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2 " on " $1}')" \
COMMAND="bench/server/persistence.sh $duration $runs" DURATION="$duration" RUNS="$runs" PINNED="${#pin[@]}" \
LOAD_START="$load_start" LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)" \
  node "$root/bench/server/persistence-report.mjs" "$tmp/results.jsonl" "$root/BENCHMARKS.md"
