#!/usr/bin/env bash
# Smoke test of the load generator against a real zeal-crdt-server (small and short; the figures are not
# checked, only that every update arrived exactly once and every mode ran):
#   tests/bench/load_smoke.sh <zeal-crdt-server> <zeal_load>
set -euo pipefail
server="$(realpath "$1")"
load="$(realpath "$2")"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
"$load" --self-test
cd "$work"
"$server" --port 0 --host 127.0.0.1 --in-memory --max-clients-per-room 1000 --log-level info 2>"$work/server.log" &
pid=$!
port=""
for _ in $(seq 100); do
  port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | head -1 | sed 's/.*://')" || true
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start"; cat "$work/server.log"; exit 1; }
url="ws://127.0.0.1:$port"
fail=0
check() { # name json-lines
  local name="$1" out="$2"
  echo "$name: $out"
  if [ -z "$out" ] || grep -q '"lost":[1-9]' <<<"$out" || grep -q '"duplicates":[1-9]' <<<"$out"; then
    echo "FAIL: $name lost or duplicated updates (or printed nothing)"
    fail=1
  fi
}
check fanout "$(timeout 60 "$load" --mode fanout --url "$url" --server-pid "$pid" --rooms 5 --clients 4 --rates 300,600 --duration 1 --warmup 0.5)"
check hot "$(timeout 60 "$load" --mode hot --url "$url" --server-pid "$pid" --clients 20 --senders 2 --rates 500 --duration 1 --warmup 0.5)"
check awareness "$(timeout 60 "$load" --mode awareness --url "$url" --server-pid "$pid" --rooms 3 --clients 4 --duration 2 --warmup 1)"
idle="$(timeout 60 "$load" --mode idle --url "$url" --server-pid "$pid" --connections 200 --rooms 10)"
check idle "$idle"
grep -q '"rss_per_conn_bytes"' <<<"$idle" || { echo "FAIL: idle printed no rss_per_conn_bytes"; fail=1; }
storm="$(timeout 60 "$load" --mode joinstorm --url "$url" --server-pid "$pid" --doc-bytes 100000 --joiners 10)"
echo "joinstorm: $storm"
grep -q '"complete":true' <<<"$storm" || { echo "FAIL: joinstorm: not every joiner got the whole document"; fail=1; }
exit "$fail"
