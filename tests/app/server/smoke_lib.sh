# shellcheck shell=bash
# shellcheck disable=SC2154  # $bin is set by the script that sources this file
# Shared plumbing of the zeal-crdt-server smoke tests (cli_smoke.sh, room_tools_smoke.sh). Not run by itself:
# a test sources it with `. "$(dirname "$0")/smoke_lib.sh"` after `set -u` (everything here is `set -u` clean)
# and after setting $bin, the server binary that `run` and `start_server` start.
#
#   smoke_setup PREFIX      makes the temp dir $tmp (/tmp/PREFIX-XXXXXX) and cd's into it (so there is no
#                           ./config.ini), sets $pids=() and $failures=0, and traps EXIT: SIGKILL every pid in
#                           $pids, remove $tmp.
#   fail MESSAGE...         prints "FAIL: MESSAGE" to stderr, increments $failures.
#   run NAME ARGS...        runs "$bin" ARGS... in the foreground (stdin inherited), stdout in $tmp/NAME.out,
#                           stderr in $tmp/NAME.err; sets $rc.
#   expect NAME CODE        fails unless the last run exited CODE ($rc), naming NAME and its stderr.
#   alive PID               true while the process exists and is not a zombie.
#   start_server NAME ARGS  starts "$bin" ARGS... in the background (stdout in $tmp/NAME.out, stderr in
#                           $tmp/NAME.err); sets $pid and appends it to $pids.
#   wait_listening NAME     waits up to 30 s for "listening on http://HOST:PORT" in $tmp/NAME.err; sets $port
#                           ("" when it never came); returns 1 if it did not come or $pid died first.
#   wait_exit PID SECONDS   waits for PID to exit (SIGKILL after SECONDS), reaps it; sets $rc to its status.
#   smoke_finish MESSAGE    exits 1 with the count if $failures is not 0, else prints MESSAGE (exit 0).

smoke_setup() {
  tmp=$(mktemp -d "/tmp/$1-XXXXXX") || exit 1
  pids=()
  trap smoke_cleanup EXIT
  cd "$tmp" || exit 1
  failures=0
}

smoke_cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$tmp"
}

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

run() {
  local name=$1
  shift
  "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
}

expect() {
  [ "$rc" -eq "$2" ] || fail "$1: exit status $rc, expected $2: $(cat "$tmp/$1.err")"
}

# kill -0 succeeds on an unreaped child, so look at the state field of /proc/PID/stat.
alive() {
  [ -r "/proc/$1/stat" ] && ! sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

start_server() {
  local name=$1
  shift
  "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pid=$!
  pids+=("$pid")
}

wait_listening() {
  local name=$1
  port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\).*/\1/p' "$tmp/$name.err" | head -n 1)
    [ -n "$port" ] && return 0
    alive "$pid" || return 1
    sleep 0.1
  done
  return 1
}

wait_exit() {
  local p=$1 limit=$2
  for _ in $(seq 1 $((limit * 20))); do
    alive "$p" || break
    sleep 0.05
  done
  alive "$p" && kill -KILL "$p" 2>/dev/null
  wait "$p"
  rc=$?
}

smoke_finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
  fi
  echo "$1"
}
