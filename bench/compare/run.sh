#!/usr/bin/env bash
# Side-by-side benchmark: zeal-crdt-server vs the y-websocket reference server (@y/websocket-server) vs
# Hocuspocus (@hocuspocus/server), all driven by the same C++ load generator (bench/load/zeal_load).
#   bench/compare/run.sh [--quick] [--runs N] [--modes idle,fanout,hot,joinstorm,awareness]
#                        [--servers zeal,yws,hocuspocus]
# Every server is started fresh for every load call, pinned to CPU 0; the generator is pinned to CPU 1.
# Results: one JSON line per step in $TMPDIR/zeal-compare.*/results.jsonl (kept, path printed at the end);
# report.mjs writes medians over the runs into BENCHMARKS.md (section "compare") and bench/compare/latency.png.
# Environment: ZEAL_BUILD_DIR (default build-bench, Release; missing targets are built), ZEAL_LOAD and
# ZEAL_FLOOR (use these binaries instead), ZEAL_BENCHMARKS_MD (output markdown, default BENCHMARKS.md),
# ZEAL_COMPARE_PNG (chart path, default bench/compare/latency.png).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() {
  echo "run.sh: $1" >&2
  echo "usage: bench/compare/run.sh [--quick] [--runs N] [--modes m1,m2,...] [--servers s1,s2,...]" >&2
  echo "  modes: idle fanout hot joinstorm awareness; servers: zeal yws hocuspocus" >&2
  exit 2
}

all_modes="idle fanout hot joinstorm awareness"
all_servers="zeal yws hocuspocus"
quick=0
runs=""
modes="idle,fanout,hot,joinstorm,awareness"
servers="zeal,yws,hocuspocus"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --runs) [ $# -ge 2 ] || usage "--runs needs a value"; runs="$2"; shift ;;
    --modes) [ $# -ge 2 ] || usage "--modes needs a value"; modes="$2"; shift ;;
    --servers) [ $# -ge 2 ] || usage "--servers needs a value"; servers="$2"; shift ;;
    -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage "unknown argument '$1'" ;;
  esac
  shift
done
if [ -z "$runs" ]; then if [ "$quick" = 1 ]; then runs=1; else runs=3; fi; fi
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 20 ]; then usage "--runs must be 1..20, got '$runs'"; fi
check_list() { # name value allowed...
  local what="$1" list="$2" x
  shift 2
  [ -n "$list" ] || usage "empty $what list"
  for x in ${list//,/ }; do
    [[ " $* " == *" $x "* ]] || usage "unknown $what '$x' (allowed: $*)"
  done
}
# shellcheck disable=SC2086 # the allowed names as separate arguments
check_list mode "$modes" $all_modes
# shellcheck disable=SC2086
check_list server "$servers" $all_servers
modes="${modes//,/ }"
servers="${servers//,/ }"

build="${ZEAL_BUILD_DIR:-$root/build-bench}"
server_bin="$build/app/server/zeal-crdt-server"
load="${ZEAL_LOAD:-$build/bench/load/zeal_load}"
floor="${ZEAL_FLOOR:-$build/bench/load/zeal_floor}"
out_md="${ZEAL_BENCHMARKS_MD:-$root/BENCHMARKS.md}"
png="${ZEAL_COMPARE_PNG:-$here/latency.png}"

command -v node >/dev/null 2>&1 || { echo "run.sh: node missing (scripts/install-deps.sh)" >&2; exit 1; }
command -v timeout >/dev/null 2>&1 || { echo "run.sh: timeout (coreutils) missing" >&2; exit 1; }
command -v gnuplot >/dev/null 2>&1 || echo "run.sh: gnuplot missing (scripts/install-deps.sh): no chart" >&2

# --- binaries: build what is missing (Release) ---
targets=()
[[ " $servers " == *" zeal "* ]] && [ ! -x "$server_bin" ] && targets+=(zeal-crdt-server)
[ -z "${ZEAL_LOAD:-}" ] && [ ! -x "$load" ] && targets+=(zeal_bench_load)
[ -z "${ZEAL_FLOOR:-}" ] && [ ! -x "$floor" ] && targets+=(zeal_bench_floor)
if [ ${#targets[@]} -gt 0 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "run.sh: configuring $build (Release)" >&2
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  fi
  for t in "${targets[@]}"; do
    echo "run.sh: building $t in $build" >&2
    cmake --build "$build" --target "$t" -j2 >&2
  done
fi
for b in "$load" "$floor"; do [ -x "$b" ] || { echo "run.sh: $b missing" >&2; exit 1; }; done
[[ " $servers " == *" zeal "* ]] && { [ -x "$server_bin" ] || { echo "run.sh: $server_bin missing" >&2; exit 1; }; }

# --- peers: npm ci only when node_modules is missing or older than the lock ---
if [[ " $servers " == *" yws "* || " $servers " == *" hocuspocus "* ]]; then
  stamp="$here/node_modules/.zeal-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
    echo "run.sh: npm ci in bench/compare" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
    cp "$here/package-lock.json" "$stamp"
  fi
fi

# --- pinning: server on CPU 0, generator on CPU 1 ---
pin_srv=()
pin_load=()
pinned=0
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  pin_srv=(taskset -c 0)
  pin_load=(taskset -c 1)
  pinned=1
else
  echo "run.sh: taskset missing or fewer than 2 CPUs: running unpinned" >&2
fi

# idle: 19,000 connections → the server needs as many descriptors (the generator stays below 20,000 itself)
hard="$(ulimit -Hn)"
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then hard=65536; fi
ulimit -n "$hard" 2>/dev/null || true

work="$(mktemp -d "${TMPDIR:-/tmp}/zeal-compare.XXXXXX")"
results="$work/results.jsonl"
: >"$results"

started=()
stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
load_pid=""
cleanup() {
  local pid
  [ -n "$load_pid" ] && stop_pid "$load_pid"
  for pid in "${started[@]}"; do stop_pid "$pid"; done
  started=()
  rm -rf "$work"/data-* 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bounded OUT ERR SECONDS CMD...: runs CMD under timeout in the background and waits for it (so that a
# signal to this script is handled at once, not after the call); sets rc.
rc=0
bounded() {
  local out="$1" err="$2" t="$3"
  shift 3
  timeout --kill-after=5 "$t" "$@" </dev/null >"$out" 2>"$err" &
  load_pid=$!
  set +e
  wait "$load_pid"
  rc=$?
  set -e
  load_pid=""
}

# One JSON line from NAME=VALUE pairs (values are strings unless they parse as JSON).
# shellcheck disable=SC2016 # JavaScript in single quotes
json_line() {
  node -e '
    const o = {}
    for (const kv of process.argv.slice(1)) {
      const i = kv.indexOf("="); const k = kv.slice(0, i); const v = kv.slice(i + 1)
      try { o[k] = JSON.parse(v) } catch { o[k] = v }
    }
    process.stdout.write(JSON.stringify(o) + "\n")' "$@"
}

# Appends server/run to every JSON line of FILE (other lines → stderr) and adds them to results.jsonl.
# shellcheck disable=SC2016
tag_lines() { # file server run
  node -e '
    const fs = require("fs")
    const [file, server, run] = process.argv.slice(1)
    for (const l of fs.readFileSync(file, "utf8").split("\n")) {
      if (!l.trim()) continue
      let o
      try { o = JSON.parse(l) } catch { process.stderr.write(`run.sh: not JSON, dropped: ${l.slice(0, 200)}\n`); continue }
      if (o === null || typeof o !== "object" || Array.isArray(o)) continue
      o.server = server; o.run = Number(run)
      process.stdout.write(JSON.stringify(o) + "\n")
    }' "$1" "$2" "$3" >>"$results"
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

srv_pid=""
srv_port=""
srv_log=""
# start_server NAME TAG: starts NAME fresh on a free port; sets srv_pid (the server process itself: every
# wrapper execs), srv_port. Returns 1 if it does not accept connections within 20 s.
start_server() {
  local name="$1" tag="$2" i
  srv_port="$(free_port)"
  srv_log="$work/$tag.server.log"
  case "$name" in
    zeal)
      local data="$work/data-$tag"
      mkdir -p "$data"
      (cd "$data" && exec "${pin_srv[@]}" "$server_bin" --host 127.0.0.1 --port "$srv_port" --in-memory \
        --io-threads 1 --actor-threads 0 --max-clients-per-room 1000 --max-rooms 1000 --log-level warn) \
        </dev/null >"$srv_log" 2>&1 &
      ;;
    yws)
      (cd "$here" && HOST=127.0.0.1 PORT="$srv_port" exec "${pin_srv[@]}" node node_modules/@y/websocket-server/src/server.js) \
        </dev/null >"$srv_log" 2>&1 &
      ;;
    hocuspocus)
      (cd "$here" && exec "${pin_srv[@]}" node hocuspocus-server.mjs --port "$srv_port") </dev/null >"$srv_log" 2>&1 &
      ;;
  esac
  srv_pid=$!
  started+=("$srv_pid")
  for ((i = 0; i < 200; i++)); do
    if ! kill -0 "$srv_pid" 2>/dev/null; then
      echo "run.sh: $name exited at start-up:" >&2
      tail -5 "$srv_log" >&2
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$srv_port") 2>/dev/null; then
      if [ "$name" != hocuspocus ] || grep -q "^listening on" "$srv_log"; then
        local comm
        comm="$(cat "/proc/$srv_pid/comm" 2>/dev/null || true)"
        case "$comm" in
          zeal-crdt-serv* | node) return 0 ;;
          *) echo "run.sh: pid $srv_pid is '$comm', not the server" >&2; return 1 ;;
        esac
      fi
    fi
    sleep 0.1
  done
  echo "run.sh: $name does not accept connections on port $srv_port after 20 s" >&2
  tail -5 "$srv_log" >&2
  return 1
}

stop_server() {
  local keep=() p
  stop_pid "$srv_pid"
  for p in "${started[@]}"; do [ "$p" != "$srv_pid" ] && keep+=("$p"); done
  started=("${keep[@]}")
  rm -rf "$work/data-"* 2>/dev/null || true
}

# --- parameters (the same for every server) ---
if [ "$quick" = 1 ]; then
  dur=2; idle_conns=2000; idle_rooms=20; cap_total=290
else
  dur=5; idle_conns=19000; idle_rooms=190; cap_total=2340
fi
fanout_rates=10000,20000,30000,40000,60000,80000,100000,150000,200000,300000
hot_rates=20000,40000,80000,160000,320000,480000
warmup=1
t_start=$SECONDS

# Per call: a label, a timeout (s) and the zeal_load arguments for it.
mode_calls() { # mode → lines "label|timeout|args"
  case "$1" in
    idle) echo "idle|$((quick ? 90 : 240))|--connections $idle_conns --rooms $idle_rooms --sources 4" ;;
    fanout) echo "fanout|$((10 * (dur + warmup) + 60))|--rooms 100 --clients 10 --senders 1 --rates $fanout_rates --duration $dur --warmup $warmup --max-p99-ms 50" ;;
    hot) echo "hot|$((6 * (dur + warmup) + 60))|--rooms 1 --clients 200 --senders 5 --rates $hot_rates --duration $dur --warmup $warmup --max-p99-ms 50" ;;
    joinstorm) echo "joinstorm|90|--doc-bytes 1048576 --joiners 100" ;;
    awareness)
      echo "awareness-100x10|$((dur + warmup + 60))|--rooms 100 --clients 10 --duration $dur --warmup $warmup"
      echo "awareness-20x50|$((dur + warmup + 60))|--rooms 20 --clients 50 --duration $dur --warmup $warmup"
      ;;
  esac
}

protocol_of() { case "$1" in hocuspocus) echo hocuspocus ;; *) echo yws ;; esac; }

# run_call SERVER MODE LABEL TIMEOUT RUN ARGS: one fresh server, one zeal_load call, lines → results.jsonl
run_call() {
  local name="$1" mode="$2" label="$3" t="$4" run="$5" args="$6"
  local tag="$label-$name-$run" left
  left=$((cap_total - (SECONDS - t_start) - 15))
  if [ "$left" -lt 20 ]; then
    echo "run.sh: time budget spent, skipping $tag" >&2
    json_line mode="$mode" server="$name" run="$run" label="$label" error="skipped: time budget of ${cap_total} s" >>"$results"
    return 0
  fi
  [ "$t" -gt "$left" ] && t="$left"
  echo "run.sh: run $run $label $name (timeout ${t}s)" >&2
  if ! start_server "$name" "$tag"; then
    json_line mode="$mode" server="$name" run="$run" label="$label" error="server did not start" >>"$results"
    stop_server
    return 0
  fi
  local url="ws://127.0.0.1:$srv_port"
  # shellcheck disable=SC2206
  local cmd=("$load" --mode "$mode" --url "$url" --protocol "$(protocol_of "$name")" --server-pid "$srv_pid" --seed "$run" ${args} --timeout "$((t - 5))")
  json_line mode=command server="$name" label="$label" cmd="$(echo "${pin_load[*]} ${cmd[*]}" | sed -e "s#$url#ws://127.0.0.1:PORT#" -e "s#--server-pid $srv_pid#--server-pid PID#" -e "s#--seed $run#--seed RUN#" -e "s#$root/##")" >>"$results"
  bounded "$work/$tag.out" "$work/$tag.err" "$t" "${pin_load[@]}" "${cmd[@]}"
  tag_lines "$work/$tag.out" "$name" "$run"
  if [ "$rc" -ne 0 ]; then
    local why="zeal_load exit $rc"
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && why="zeal_load timed out after ${t} s"
    kill -0 "$srv_pid" 2>/dev/null || why="$why (server died)"
    echo "run.sh: $tag: $why; last stderr lines:" >&2
    tail -3 "$work/$tag.err" >&2
    json_line mode="$mode" server="$name" run="$run" label="$label" error="$why" >>"$results"
  fi
  stop_server
}

peer_version() { node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("missing") }' "$here/node_modules/$1/package.json"; }
json_line mode=meta phase=start date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" cores="$(nproc)" kernel="$(uname -r)" \
  loadavg="$(cut -d' ' -f1-3 /proc/loadavg)" pinned="$pinned" quick="$quick" runs="$runs" \
  modes="$modes" servers="$servers" \
  commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  dirty="$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -qv '^$' && echo yes || echo no)" \
  build_type="$(grep -m1 '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2)" \
  node="$(node --version)" yws_version="$(peer_version @y/websocket-server)" \
  hocuspocus_version="$(peer_version @hocuspocus/server)" yjs_version="$(peer_version yjs)" \
  ws_version="$(peer_version ws)" crossws_version="$(peer_version crossws)" >>"$results"

for ((run = 1; run <= runs; run++)); do
  # the kernel's floor: one small write per delivery on loopback (zeal_floor pins its writer and reader)
  left=$((cap_total - (SECONDS - t_start) - 15))
  if [ "$left" -ge 20 ]; then
    fcmd=("$floor" --connections 1000 --rate 30000 --duration 5)
    json_line mode=command server=floor label=floor cmd="${fcmd[*]#"$root/"}" >>"$results"
    echo "run.sh: run $run floor" >&2
    bounded "$work/floor-$run.out" "$work/floor-$run.err" 30 "${fcmd[@]}"
    tag_lines "$work/floor-$run.out" floor "$run"
    [ "$rc" -eq 0 ] || json_line mode=floor server=floor run="$run" error="zeal_floor exit $rc" >>"$results"
  fi
  for mode in $modes; do
    while IFS='|' read -r -u 3 label t args; do
      for name in $servers; do
        run_call "$name" "$mode" "$label" "$t" "$run" "$args"
      done
    done 3< <(mode_calls "$mode")
  done
done

json_line mode=meta phase=end loadavg="$(cut -d' ' -f1-3 /proc/loadavg)" elapsed_s="$((SECONDS - t_start))" >>"$results"
echo "run.sh: results in $results ($((SECONDS - t_start)) s)" >&2
node "$here/report.mjs" "$results" "$out_md" "$png"
