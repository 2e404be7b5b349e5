#!/usr/bin/env bash
# CRDT benchmark, Zeal beside Yjs in the same run, on one editing trace.
#   bench/crdt/run.sh TRACE.json.gz [RUNS]      (default RUNS=3; needs a built build/ and tests/js/node_modules)
# Runs tests/js/bench/yjs_trace.mjs and build/bench/crdt/zeal_trace_bench RUNS times each (alternating),
# Zeal replaying exactly the updates Yjs produced, and writes the medians into BENCHMARKS.md between the
# crdt-trace markers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
trace="${1:?usage: bench/crdt/run.sh TRACE.json.gz [RUNS]}"
runs="${2:-3}"
build="${ZEAL_BUILD_DIR:-$root/build}"
bench="$build/bench/crdt/zeal_trace_bench"
[ -x "$bench" ] || { echo "build first: $bench missing" >&2; exit 1; }
[ -d "$root/tests/js/node_modules" ] || { echo "run scripts/install-deps.sh first" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c 1); fi

for i in $(seq 1 "$runs"); do
  "${pin[@]}" node --expose-gc "$root/tests/js/bench/yjs_trace.mjs" "$trace" --dump-updates "$tmp/updates.bin" \
    >>"$tmp/yjs.jsonl"
  "${pin[@]}" "$bench" "$trace" --updates "$tmp/updates.bin" >>"$tmp/zeal.jsonl"
done

TRACE_NAME="$(basename "$trace")" RUNS="$runs" CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
CORES="$(nproc)" CXX_VERSION="$(${CXX:-g++} --version | head -1)" \
  node "$root/bench/crdt/report.mjs" "$tmp/yjs.jsonl" "$tmp/zeal.jsonl" "$root/BENCHMARKS.md"
