#!/usr/bin/env bash
# End-to-end smoke test of the real zeal-crdt-server binary: --help, configuration errors (exit 2 naming the
# key / flag), and a real start on --port 0: the "listening on" line, GET /health, a second server on the
# same port (exit 1), and a clean exit 0 with "shutdown complete" on SIGTERM and on SIGINT.
# usage: cli_smoke.sh /path/to/zeal-crdt-server /path/to/config.ini
set -u

bin=${1:?usage: cli_smoke.sh /path/to/zeal-crdt-server /path/to/config.ini}
config=${2:?usage: cli_smoke.sh /path/to/zeal-crdt-server /path/to/config.ini}
tmp=$(mktemp -d /tmp/zeal-server-smoke-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1  # no ./config.ini here
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# --help: exit 0, usage on stdout.
"$bin" --help >"$tmp/help.out" 2>"$tmp/help.err"
rc=$?
[ "$rc" -eq 0 ] || fail "--help exited $rc"
grep -q 'usage: zeal-crdt-server' "$tmp/help.out" || fail "--help printed no usage"
grep -q -- '--max-clients-per-room' "$tmp/help.out" || fail "--help does not list --max-clients-per-room"

# A config file with a type error: exit 2, the file, line and key named.
printf '[server]\nhost = "127.0.0.1"\nport = "abc"\n' >"$tmp/bad.ini"
"$bin" --config "$tmp/bad.ini" >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
[ "$rc" -eq 2 ] || fail "bad config exited $rc"
grep -q 'bad.ini:3: \[server\] port' "$tmp/bad.err" || fail "bad config: key not named: $(cat "$tmp/bad.err")"

# Out of range and unknown key.
printf '[server]\nmax-rooms = 0\n' >"$tmp/range.ini"
"$bin" --config "$tmp/range.ini" >/dev/null 2>"$tmp/range.err"
rc=$?
[ "$rc" -eq 2 ] || fail "max-rooms = 0 exited $rc"
grep -q 'max-rooms' "$tmp/range.err" || fail "max-rooms = 0: key not named: $(cat "$tmp/range.err")"
printf '[server]\nprot = 1\n' >"$tmp/unknown.ini"
"$bin" --config "$tmp/unknown.ini" >/dev/null 2>"$tmp/unknown.err"
rc=$?
[ "$rc" -eq 2 ] || fail "unknown key exited $rc"
grep -q 'unknown key "prot"' "$tmp/unknown.err" || fail "unknown key not named: $(cat "$tmp/unknown.err")"

# A missing --config file: exit 2.
"$bin" --config "$tmp/missing.ini" >/dev/null 2>"$tmp/missing.err"
rc=$?
[ "$rc" -eq 2 ] || fail "missing --config file exited $rc"
grep -q 'missing.ini' "$tmp/missing.err" || fail "missing config: file not named"

# Bad flags: exit 2 with the flag named.
"$bin" --frobnicate >/dev/null 2>"$tmp/flag.err"
rc=$?
[ "$rc" -eq 2 ] || fail "unknown flag exited $rc"
grep -q -- '--frobnicate' "$tmp/flag.err" || fail "unknown flag not named: $(cat "$tmp/flag.err")"
"$bin" --port abc >/dev/null 2>"$tmp/port.err"
rc=$?
[ "$rc" -eq 2 ] || fail "--port abc exited $rc"
grep -q -- '--port' "$tmp/port.err" || fail "--port abc: flag not named"
PORT=99999 "$bin" >/dev/null 2>"$tmp/env.err"
rc=$?
[ "$rc" -eq 2 ] || fail "PORT=99999 exited $rc"
grep -q 'PORT' "$tmp/env.err" || fail "PORT=99999: variable not named"

# --- A real server ----------------------------------------------------------------------------------------

# start_server NAME ARGS...: starts the server in the background (stderr in $tmp/NAME.err), sets $pid.
start_server() {
  local name=$1
  shift
  "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pid=$!
  pids+=("$pid")
}

# alive PID: the process exists and is not a zombie (kill -0 succeeds on an unreaped child).
alive() {
  [ -r "/proc/$1/stat" ] && ! sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

# wait_listening NAME: waits up to 30 s for the "listening on" line; sets $port.
wait_listening() {
  local name=$1 i
  port=""
  for i in $(seq 1 300); do
    port=$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\).*/\1/p' "$tmp/$name.err" | head -n 1)
    [ -n "$port" ] && return 0
    alive "$pid" || return 1
    sleep 0.1
  done
  return 1
}

# http_get PORT PATH: prints the raw HTTP response (bash /dev/tcp; no curl needed).
http_get() {
  local p=$1 path=$2
  (
    exec 3<>"/dev/tcp/127.0.0.1/$p" || exit 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
    timeout 10 cat <&3
  )
}

# wait_exit PID SECONDS: waits for the process (killed after SECONDS); sets $rc.
wait_exit() {
  local p=$1 limit=$2 i
  for i in $(seq 1 $((limit * 20))); do
    alive "$p" || break
    sleep 0.05
  done
  alive "$p" && kill -KILL "$p" 2>/dev/null
  wait "$p"
  rc=$?
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
    "$bin" --config "$config" --port "$port" >/dev/null 2>"$tmp/busy.err"
    local busy_rc=$?
    [ "$busy_rc" -eq 1 ] || fail "second server on port $port exited $busy_rc: $(cat "$tmp/busy.err")"
  fi

  kill -"$signal" "$pid"
  wait_exit "$pid" 20
  [ "$rc" -eq 0 ] || fail "$name: exit status $rc after SIG$signal: $(tail -n 5 "$tmp/$name.err")"
  grep -q 'shutdown complete' "$tmp/$name.err" || fail "$name: no 'shutdown complete' after SIG$signal"
}

run_server_check term TERM
run_server_check int INT

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "zeal-crdt-server smoke test passed"
