#!/usr/bin/env bash
# End-to-end smoke test of the real zeal-crdt-server binary: --help, configuration errors (exit 2 naming the
# key / flag), and a real start on --port 0: the "listening on" line, GET /health, a second server on the
# same port (exit 1), and a clean exit 0 with "shutdown complete" on SIGTERM and on SIGINT.
# usage: cli_smoke.sh /path/to/zeal-crdt-server /path/to/config.ini
set -u

bin=${1:?usage: cli_smoke.sh /path/to/zeal-crdt-server /path/to/config.ini}
config=${2:?usage: cli_smoke.sh /path/to/zeal-crdt-server /path/to/config.ini}
# shellcheck source=smoke_lib.sh
. "$(dirname "$0")/smoke_lib.sh" || exit 1
smoke_setup zeal-server-smoke

# --help: exit 0, usage on stdout.
run help --help
expect help 0
grep -q 'usage: zeal-crdt-server' "$tmp/help.out" || fail "--help printed no usage"
grep -q -- '--max-clients-per-room' "$tmp/help.out" || fail "--help does not list --max-clients-per-room"

# A config file with a type error: exit 2, the file, line and key named.
printf '[server]\nhost = "127.0.0.1"\nport = "abc"\n' >"$tmp/bad.ini"
run bad --config "$tmp/bad.ini"
expect bad 2
grep -q 'bad.ini:3: \[server\] port' "$tmp/bad.err" || fail "bad config: key not named: $(cat "$tmp/bad.err")"

# Out of range and unknown key.
printf '[server]\nmax-rooms = 0\n' >"$tmp/range.ini"
run range --config "$tmp/range.ini"
expect range 2
grep -q 'max-rooms' "$tmp/range.err" || fail "max-rooms = 0: key not named: $(cat "$tmp/range.err")"
printf '[server]\nprot = 1\n' >"$tmp/unknown.ini"
run unknown --config "$tmp/unknown.ini"
expect unknown 2
grep -q 'unknown key "prot"' "$tmp/unknown.err" || fail "unknown key not named: $(cat "$tmp/unknown.err")"

# A missing --config file: exit 2.
run missing --config "$tmp/missing.ini"
expect missing 2
grep -q 'missing.ini' "$tmp/missing.err" || fail "missing config: file not named"

# Bad flags: exit 2 with the flag named.
run flag --frobnicate
expect flag 2
grep -q -- '--frobnicate' "$tmp/flag.err" || fail "unknown flag not named: $(cat "$tmp/flag.err")"
run port --port abc
expect port 2
grep -q -- '--port' "$tmp/port.err" || fail "--port abc: flag not named"
PORT=99999 run env
expect env 2
grep -q 'PORT' "$tmp/env.err" || fail "PORT=99999: variable not named"

# --- A real server ----------------------------------------------------------------------------------------

# http_get PORT PATH: prints the raw HTTP response (bash /dev/tcp; no curl needed).
http_get() {
  local p=$1 path=$2
  (
    exec 3<>"/dev/tcp/127.0.0.1/$p" || exit 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
    timeout 10 cat <&3
  )
}

run_server_check() {
  local name=$1 signal=$2
  start_server "$name" --config "$config" --port 0
  if ! wait_listening "$name"; then
    fail "$name: no 'listening on http://' line: $(cat "$tmp/$name.err")"
    return
  fi
  local response
  response=$(http_get "$port" /health)
  echo "$response" | head -n 1 | grep -q '200' || fail "$name: GET /health: $(echo "$response" | head -n 1)"
  echo "$response" | grep -q '"status":"ok"' || fail "$name: GET /health body: $response"

  if [ "$signal" = TERM ]; then
    # A second server on the same port cannot bind: exit 1.
    run busy --config "$config" --port "$port"
    expect busy 1
  fi

  kill -"$signal" "$pid"
  wait_exit "$pid" 20
  [ "$rc" -eq 0 ] || fail "$name: exit status $rc after SIG$signal: $(tail -n 5 "$tmp/$name.err")"
  grep -q 'shutdown complete' "$tmp/$name.err" || fail "$name: no 'shutdown complete' after SIG$signal"
}

run_server_check term TERM
run_server_check int INT

smoke_finish "zeal-crdt-server smoke test passed"
