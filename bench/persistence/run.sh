#!/usr/bin/env bash
# Persistence benchmark: a real RocksDB store (persistence::rocksdb_store) in a temp dir.
#   bench/persistence/run.sh [RUNS] [BENCH OPTIONS...]     (default RUNS=3; options go to the binary, e.g.
#                                                           --updates 100000 --seconds 1)
# Builds zeal_bench_persistence (Release) into build-bench/ (or $ZEAL_BENCH_BUILD_DIR), runs it RUNS times
# with --json (pinned to CPU 1 if taskset exists) and writes the medians into BENCHMARKS.md between
# <!-- persistence-bench:begin --> and <!-- persistence-bench:end -->. The temp dirs are made under $TMPDIR
# (default /tmp), so that is the disk being measured.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-3}"
shift || true
build="${ZEAL_BENCH_BUILD_DIR:-$root/build-bench}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEAL_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target zeal_bench_persistence -j"${ZEAL_JOBS:-2}" >&2
bench="$build/bench/persistence/zeal_bench_persistence"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 1); fi

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  echo "persistence-bench: run $i of $runs" >&2
  "${pin[@]}" "$bench" --json "$@" >>"$tmp/runs.jsonl"
done

data_fs="$(df -PT "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2 " on " $1}')"
COMMAND="bench/persistence/run.sh $runs${*:+ $*}" RUNS="$runs" PINNED="${#pin[@]}" \
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" CORES="$(nproc)" \
CXX_VERSION="$(${CXX:-g++} --version | head -1)" DATA_FS="$data_fs" KERNEL="$(uname -r)" \
ROCKSDB_VERSION="$(awk '/define ROCKSDB_(MAJOR|MINOR|PATCH)/ {v = v (v ? "." : "") $3} END {print v}' /usr/include/rocksdb/version.h)" \
LOAD_START="$load_start" LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)" \
  node "$root/bench/persistence/report.mjs" "$tmp/runs.jsonl" "$root/BENCHMARKS.md"
