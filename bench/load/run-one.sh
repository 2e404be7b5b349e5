#!/usr/bin/env bash
# One load call against one zeal-crdt-server binary, for before/after comparisons of a change:
#   bench/load/run-one.sh SERVER_BINARY MODE [zeal_load options...]
# Starts SERVER_BINARY fresh (in memory, actors on the one I/O thread, limits raised as bench/compare does) in a
# temp dir pinned to CPU 0, runs zeal_load (ZEAL_LOAD, default build/bench/load/zeal_load) pinned to CPU 1
# against it with --server-pid, prints its JSON lines, stops the server.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ $# -ge 2 ] || { echo "usage: bench/load/run-one.sh SERVER_BINARY MODE [zeal_load options...]" >&2; exit 2; }
bin="$(realpath "$1")"
mode="$2"
shift 2
load="${ZEAL_LOAD:-$root/build/bench/load/zeal_load}"
[ -x "$bin" ] && [ -x "$load" ] || { echo "run-one.sh: $bin or $load missing" >&2; exit 1; }
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$work" && exec taskset -c 0 "$bin" --host 127.0.0.1 --port "$port" --in-memory --io-threads 1 \
  --actor-threads 0 --max-clients-per-room 1000 --max-rooms 1000 --log-level warn) 2>"$work/server.log" &
pid=$!
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
taskset -c 1 timeout 600 "$load" --mode "$mode" --url "ws://127.0.0.1:$port" --server-pid "$pid" "$@"
