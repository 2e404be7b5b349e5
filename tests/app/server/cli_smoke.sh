#!/usr/bin/env bash
# End-to-end smoke test of the real zeal-crdt-server binary: --help, configuration errors (exit 2 naming the
# key / flag, [cluster] ones included), and a real start on --port 0: the "listening on" line, GET /health, a
# second server on the same port (exit 1), and a clean exit 0 with "shutdown complete" on SIGTERM and on
# SIGINT; then a single cluster node on a cluster port: its log line, GET /cluster, /stats, a second node on
# the same cluster port (exit 1).
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

# [cluster] errors: exit 2 naming the file:line and key, or the flag.
printf '[cluster]\n; no port\nseeds = "127.0.0.1:7101"\n' >"$tmp/seeds.ini"
run seeds --config "$tmp/seeds.ini"
expect seeds 2
grep -q 'seeds.ini:3: \[cluster\] seeds: seeds need \[cluster\] port' "$tmp/seeds.err" ||
  fail "seeds without a port: $(cat "$tmp/seeds.err")"
run badseeds --cluster-port 7101 --seeds 'a:1,,b:2'
expect badseeds 2
grep -q -- '--seeds: empty entry' "$tmp/badseeds.err" || fail "bad seeds: $(cat "$tmp/badseeds.err")"
run cport --cluster-port 70000
expect cport 2
grep -q -- '--cluster-port: value 70000 is out of range' "$tmp/cport.err" || fail "cluster port: $(cat "$tmp/cport.err")"
run ctimeout --cluster-heartbeat-ms 1000 --cluster-timeout-ms 1000
expect ctimeout 2
grep -q -- '--cluster-timeout-ms: connection-timeout-ms (1000) must be greater' "$tmp/ctimeout.err" ||
  fail "cluster timeout: $(cat "$tmp/ctimeout.err")"

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
grep -q 'cluster: disabled (single node standalone)' "$tmp/term.err" || fail "no 'cluster: disabled' line"

# A node with a cluster port (and no seeds): the listener line, GET /cluster, /stats, a second node on the
# same cluster port (exit 1), SIGTERM.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}
cport=$(free_port) || fail "no free port for the cluster listener"
start_server cnode --in-memory --port 0 --cluster-port "$cport" --node-id smoke-node
if ! wait_listening cnode; then
  fail "cnode: no 'listening on http://' line: $(cat "$tmp/cnode.err")"
else
  grep -q "\[cluster\] \[info\] cluster: node smoke-node listening on 127.0.0.1:$cport (seeds: none)" "$tmp/cnode.err" ||
    fail "cnode: no cluster listening line: $(cat "$tmp/cnode.err")"
  response=$(http_get "$port" /cluster)
  echo "$response" | head -n 1 | grep -q '200' || fail "GET /cluster: $response"
  echo "$response" | grep -q '"node_id":"smoke-node"' || fail "GET /cluster body: $response"
  echo "$response" | grep -q "\"address\":\"127.0.0.1:$cport\",\"state\":\"alive\",\"self\":true" ||
    fail "GET /cluster: self not alive: $response"
  response=$(http_get "$port" /stats)
  echo "$response" | grep -q '"cluster":{"enabled":true,"node_id":"smoke-node","members":1' ||
    fail "GET /stats cluster: $response"
  run cbusy --in-memory --port 0 --cluster-port "$cport"
  expect cbusy 1
  grep -q "cannot listen on cluster address 127.0.0.1:$cport" "$tmp/cbusy.err" ||
    fail "cbusy: $(cat "$tmp/cbusy.err")"
  kill -TERM "$pid"
  wait_exit "$pid" 20
  [ "$rc" -eq 0 ] || fail "cnode: exit status $rc after SIGTERM: $(tail -n 5 "$tmp/cnode.err")"
  grep -q 'shutdown complete' "$tmp/cnode.err" || fail "cnode: no 'shutdown complete'"
fi

smoke_finish "zeal-crdt-server smoke test passed"
