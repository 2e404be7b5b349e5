#!/usr/bin/env bash
# Cluster benchmark (issue 5): 3 zeal-crdt-server nodes on loopback (bench/cluster/cluster-load.mjs).
#   bench/cluster/run.sh [RUNS] [FAILOVER_REPEATS]        (defaults 3 and 5)
# Uses $ZEAL_BUILD_DIR/app/server/zeal-crdt-server if ZEAL_BUILD_DIR is set, else builds zeal-crdt-server
# (Release) into build-bench/. Every run: scenario latency (rooms owned by n1, clients on n1 vs on n2),
# fanout on a single node, fanout on 3 nodes; then FAILOVER_REPEATS kill -9 failovers (a fresh cluster each).
# Every node keeps its RocksDB store (fresh temp --data-dir, sync off: the default), so replication to the
# replica's store is part of the cost; one more latency run with --in-memory for comparison
# (CLUSTER_BENCH_IN_MEMORY=0: skip it). CLUSTER_BENCH_OUT=FILE writes another file than BENCHMARKS.md.
# bench/cluster/report.mjs takes the medians and writes BENCHMARKS.md between <!-- cluster-bench:begin -->
# and <!-- cluster-bench:end -->. Each node.js invocation is bounded by `timeout`; the load script kills
# every node it started when it exits.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-3}"
repeats="${2:-5}"
if [ -n "${ZEAL_BUILD_DIR:-}" ]; then
  build="$ZEAL_BUILD_DIR"
else
  build="$root/build-bench"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEAL_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target zeal-crdt-server -j"${ZEAL_JOBS:-2}" >&2
fi
server="$build/app/server/zeal-crdt-server"
[ -x "$server" ] || { echo "build first: $server missing" >&2; exit 1; }
help="$("$server" --help 2>&1 || true)"
grep -q -- '--cluster-port' <<<"$help" ||
  { echo "$server has no --cluster-port option: it predates the cluster (issue 5)" >&2; exit 1; }
[ -d "$root/tests/js/node_modules/ws" ] || { echo "run scripts/install-deps.sh first" >&2; exit 1; }
if [ "$(ulimit -n)" -lt 8192 ]; then ulimit -n 8192 2>/dev/null || true; fi
tmp="$(mktemp -d)"
child=""
cleanup() {
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two cores: the load client on CPU 0, every node on CPU 1 (three servers share one core, as one server
# does in bench/server/run.sh).
pin=()
srvcpu=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 0); srvcpu=(--server-cpu 1); fi

# the load (see BENCHMARKS.md), sized so that 3 nodes on one core stay far from saturation in the latency
# runs: latency 50 rooms x 10 clients at 10 updates/s per sender for 6 s per phase (the phase order
# alternates between runs); fanout 60 rooms x 10 clients, rising rate per sender, 3 s per step; failover
# 10 rooms, a probe every 10 ms per room.
lat_opts=(--rooms 50 --clients 10 --rate 10 --duration 6)
fan_opts=(--rooms 60 --clients 10 --steps 4,6,8,11,15,20,27,36,48,64,85,113 --step-seconds 3 --p99-limit 50)
fo_opts=(--failover-rooms 10 --probe-ms 10)

bench() { # name run args...
  local name="$1" run="$2"
  shift 2
  echo "cluster-bench: $name run $run" >&2
  local line
  "${pin[@]}" timeout -k 5 "${CLUSTER_BENCH_TIMEOUT:-150}" node "$root/bench/cluster/cluster-load.mjs" --binary "$server" \
    "${srvcpu[@]}" --json "$@" >"$tmp/line" &
  child=$!
  if wait "$child"; then
    line="$(cat "$tmp/line")"
    printf '{"name":"%s","run":%d,%s\n' "$name" "$run" "${line#\{}" >>"$tmp/results.jsonl"
  else
    echo "cluster-bench: $name run $run failed (exit $?)" >&2
    printf '{"name":"%s","run":%d,"failed":true}\n' "$name" "$run" >>"$tmp/results.jsonl"
  fi
  child=""
}

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
t_start="$(date +%s)"
for i in $(seq 1 "$runs"); do
  order=local,remote
  if [ $((i % 2)) = 0 ]; then order=remote,local; fi
  bench latency "$i" --scenario latency "${lat_opts[@]}" --order "$order"
  bench fanout-single "$i" --scenario fanout --topology single "${fan_opts[@]}"
  bench fanout-cluster "$i" --scenario fanout --topology cluster "${fan_opts[@]}"
done
if [ "${CLUSTER_BENCH_IN_MEMORY:-1}" = 1 ]; then
  bench latency-in-memory 1 --scenario latency "${lat_opts[@]}" --server-args --in-memory
fi
bench failover 1 --scenario failover "${fo_opts[@]}" --repeats "$repeats"
wall="$(($(date +%s) - t_start))"

BUILD_TYPE="$(grep -m1 '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2)" \
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" CORES="$(nproc)" KERNEL="$(uname -r)" \
COMMAND="bench/cluster/run.sh $runs $repeats" RUNS="$runs" REPEATS="$repeats" PINNED="${#pin[@]}" WALL_S="$wall" \
LAT_OPTS="${lat_opts[*]}" FAN_OPTS="${fan_opts[*]}" FO_OPTS="${fo_opts[*]}" \
LOAD_START="$load_start" LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)" \
  node "$root/bench/cluster/report.mjs" "$tmp/results.jsonl" "${CLUSTER_BENCH_OUT:-$root/BENCHMARKS.md}"
